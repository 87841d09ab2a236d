// The history-prune job against PostgreSQL: old events and settled deliveries go, an old event a
// pending delivery still needs stays, recent ones stay; expired credentials go a day after expiry,
// live ones stay; and the feed tells a poller whose cursor was pruned what happened.
import { randomBytes } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { authTokens, events, oauthClients, oauthTokens, webhookDeliveries, webhooks, webSessions } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import type { Actor } from "../context";
import { listEvents } from "../events/feed";
import { issueTokenPair } from "../tokens/token-pairs";
import { pruneHistory } from "./prune-history";

setupTestDatabase({ BERTH_EVENT_RETENTION_DAYS: "30" });

const DAY = 24 * 3_600_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const id = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;
let owner: Actor;

beforeAll(async () => {
  owner = await makeUser();
});

async function event(days: number): Promise<string> {
  const eventId = id("evt");
  await db().insert(events).values({ id: eventId, userId: owner.id, type: "slot.created", data: { slotId: "slt_x" }, createdAt: ago(days) });
  return eventId;
}

describe("pruneHistory", () => {
  it("removes events and settled deliveries past the retention, never an event a pending delivery needs", async () => {
    const hook = id("whk");
    await db().insert(webhooks).values({ id: hook, userId: owner.id, url: "https://example.com/h", eventTypes: ["*"], secretCiphertext: "x", secretNonce: "x", secretKeyId: "k" });
    const [oldSettled, oldPending, oldAlone, recent] = [await event(40), await event(40), await event(31), await event(2)];
    const delivery = (eventId: string, status: "pending" | "succeeded" | "failed", days: number) => ({ id: id("dlv"), webhookId: hook, eventId, status, createdAt: ago(days) });
    const rows = [delivery(oldSettled, "succeeded", 40), delivery(oldSettled, "failed", 39), delivery(oldPending, "pending", 40), delivery(recent, "succeeded", 2)];
    await db().insert(webhookDeliveries).values(rows);

    const pruned = await pruneHistory();
    expect(pruned).toMatchObject({ events: 2, deliveries: 2 });
    const left = await db().select({ id: events.id }).from(events).where(inArray(events.id, [oldSettled, oldPending, oldAlone, recent]));
    expect(left.map((r) => r.id).sort()).toEqual([oldPending, recent].sort());
    const deliveries = await db().select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook));
    expect(deliveries.map((r) => r.id).sort()).toEqual([rows[2]!.id, rows[3]!.id].sort());
    // Once its delivery has settled, the old event goes too.
    await db().update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, rows[2]!.id));
    expect(await pruneHistory()).toMatchObject({ events: 1, deliveries: 1 });
  });

  it("tells a poller whose cursor was pruned that events are kept 30 days", async () => {
    const old = await event(45);
    await pruneHistory();
    const err = await listEvents({ ...anonymousContext(), actor: owner }, { after: old, limit: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).code).toBe("VALIDATION_ERROR");
    expect((err as BerthError).message).toMatch(/kept 30 days; start again without it/);
  });

  it("removes credentials a day after they expired, and keeps those still valid or just expired", async () => {
    const live = await issueTokenPair(anonymousContext(), owner);
    const [mine] = await db().select({ familyId: authTokens.familyId }).from(authTokens).where(eq(authTokens.userId, owner.id));
    const familyId = mine!.familyId;
    await db().insert(authTokens).values([
      { id: id("tok"), userId: owner.id, kind: "access", tokenHash: id("h"), familyId: "tfam_old", expiresAt: ago(2) },
      { id: id("tok"), userId: owner.id, kind: "refresh", tokenHash: id("h"), familyId: "tfam_old", expiresAt: ago(0.5) },
    ]);
    const sessions = [
      { id: id("ses"), userId: owner.id, expiresAt: ago(3) },
      { id: id("ses"), userId: owner.id, expiresAt: ago(-10), revokedAt: ago(2) },
      { id: id("ses"), userId: owner.id, expiresAt: ago(-10) },
    ];
    await db().insert(webSessions).values(sessions);
    const client = id("occ");
    await db().insert(oauthClients).values({ id: client, userId: owner.id, name: "c", secretHash: id("h"), scopes: [] });
    await db().insert(oauthTokens).values([
      { id: id("oat"), clientId: client, tokenHash: id("h"), scopes: [], expiresAt: ago(2) },
      { id: id("oat"), clientId: client, tokenHash: id("h"), scopes: [], expiresAt: ago(-1) },
    ]);

    const pruned = await pruneHistory();
    expect(pruned).toMatchObject({ tokens: 1, sessions: 2, oauthTokens: 1 });
    const tokensLeft = await db().select({ familyId: authTokens.familyId, kind: authTokens.kind }).from(authTokens).where(eq(authTokens.userId, owner.id));
    expect(tokensLeft.filter((t) => t.familyId === familyId).map((t) => t.kind).sort()).toEqual(["access", "refresh"]); // the live pair
    expect(tokensLeft.filter((t) => t.familyId === "tfam_old").map((t) => t.kind)).toEqual(["refresh"]); // expired 12 h ago: kept a day
    expect((await db().select({ id: webSessions.id }).from(webSessions).where(eq(webSessions.userId, owner.id))).map((s) => s.id)).toEqual([sessions[2]!.id]);
    expect(await db().select({ id: oauthTokens.id }).from(oauthTokens).where(eq(oauthTokens.clientId, client))).toHaveLength(1);
    expect(live.accessToken).toMatch(/\S/);
  });
});
