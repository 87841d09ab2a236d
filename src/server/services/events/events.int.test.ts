// Events against the real Postgres and the real engine (the tiny image): each source writes its
// event in the transaction of the change (and nothing when it rolls back), the feed (paging with
// ?after=, the settle window, types, cursors, isolation), the catalogue, and the live stream both
// as a service and as the SSE route the dashboard and clients use.
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import type { ApiKeyScope } from "@/lib/schemas/api-keys";
import type { BerthEvent } from "@/lib/schemas/events";
import { anonymousContext, makeUser, testMeta } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { handleRest } from "@/server/api/rest/handler";
import { streamRecheck } from "@/server/api/trpc";
import { db } from "@/server/db";
import { events, slots, templates, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { runtime } from "@/server/runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { createApiKey, revokeApiKey } from "../api-keys/api-keys";
import { issueTokenPair } from "../tokens/token-pairs";
import type { Actor } from "../context";
import { uploadSlotFile } from "../files/upload-file";
import { autoStopPass } from "../slots/auto-stop";
import { createSlot } from "../slots/create-slot";
import { runSlotExec } from "../slots/exec";
import { reconcileSlots } from "../slots/reconcile";
import { requestSlotAction, runSlotAction, type SlotAction } from "../slots/slot-actions";
import { transition } from "../slots/transitions";
import { emitEvent } from "./emit";
import { eventCatalogue, listEvents, liveEvents, SETTLE_MS } from "./feed";

setupTestDatabase();

const TEMPLATE = "tpl_tiny_events";
const BROKEN_TEMPLATE = "tpl_missing_image_events";
const created: string[] = [];
let owner: Actor;

const as = (actor: Actor) => ({ ...anonymousContext(), actor });
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS + 150));

/** Every event of the user as stored (no settle window), in feed order. */
async function stored(userId: string) {
  return db().select().from(events).where(eq(events.userId, userId)).orderBy(asc(events.seq));
}

async function storedAfter(userId: string, seq: number) {
  return (await stored(userId)).filter((e) => e.seq > seq);
}

async function lastSeq(userId: string): Promise<number> {
  return (await stored(userId)).at(-1)?.seq ?? 0;
}

async function act(actor: Actor, slotId: string, action: SlotAction) {
  await requestSlotAction(as(actor), slotId, action);
  await runSlotAction(slotId, action, actor.id);
}

async function errorOf(p: Promise<unknown>): Promise<BerthError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(BerthError);
  return e as BerthError;
}

/** An event of a type with no other source here, written the way every source writes one. */
async function testEvent(userId: string, n: number): Promise<string> {
  return db().transaction((tx) => emitEvent(tx, userId, "webhook.test", { webhook: { id: `whk_${n}`, url: `https://example.com/${n}` } }));
}

beforeAll(async () => {
  const image = await ensureTinyImage();
  await db()
    .insert(templates)
    .values([
      { id: TEMPLATE, slug: "tiny-events", name: "Tiny (events tests)", image, cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 },
      { id: BROKEN_TEMPLATE, slug: "missing-image-events", name: "Missing image", image: "berth/not-built-anywhere:never", cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 },
    ]);
  owner = await makeUser();
  await db().update(users).set({ plan: "team", limits: { slots: 10 } }).where(eq(users.id, owner.id));
}, 180_000);

afterAll(async () => {
  for (const id of created) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => {});
});

describe("events at their sources", () => {
  it("a slot's life: created, started, stopped, idle-stopped, exited, deleted — with commands and uploads — and none of the steps between", async () => {
    const before = await lastSeq(owner.id);
    const slot = await createSlot(as(owner), { name: "evented", templateId: TEMPLATE });
    created.push(slot.id);
    // In the transaction of the change: the event is there as soon as createSlot returns.
    expect((await storedAfter(owner.id, before)).map((e) => e.type)).toEqual(["slot.created"]);
    await runSlotAction(slot.id, "provision", owner.id);
    await act(owner, slot.id, "stop");
    await act(owner, slot.id, "start");
    await act(owner, slot.id, "restart");

    const run = await runSlotExec(as(owner), { id: slot.id, command: "echo hi; exit 3" });
    expect(run.exitCode).toBe(3);
    const up = await uploadSlotFile(as(owner), {
      id: slot.id,
      path: "/notes/hello.txt",
      size: 5,
      body: (async function* () {
        yield Buffer.from("hello");
      })(),
    });
    expect(up.size).toBe(5);

    // Auto-stop, as its job does it, long after the plan's idle timeout.
    const pass = await autoStopPass(new Date(Date.now() + 10 * 24 * 3600_000));
    expect(pass.stopped).toEqual([slot.id]);

    // The container dies behind Berth's back: the reconciler notices.
    await act(owner, slot.id, "start");
    const [row] = await db().select().from(slots).where(eq(slots.id, slot.id));
    await runtime().stop(row!.containerId!);
    await reconcileSlots({ staleAfterMs: 60_000 });

    await act(owner, slot.id, "delete");

    const all = await storedAfter(owner.id, before);
    expect(all.map((e) => e.type)).toEqual([
      "slot.created",
      "slot.started",
      "slot.stopped",
      "slot.started",
      "slot.started", // the restart: it stopped only on the way to running again
      "command.finished",
      "file.uploaded",
      "slot.idle_stopped",
      "slot.started",
      "slot.stopped",
      "slot.deleted",
    ]);
    const ref = { id: slot.id, name: "evented" };
    const data = all.map((e) => e.data);
    expect(data[0]).toEqual({ slot: { ...ref, templateId: TEMPLATE } });
    expect(data[1]).toEqual({ slot: ref });
    expect(data[2]).toEqual({ slot: ref, reason: "requested" });
    expect(data[5]).toMatchObject({ slot: ref, command: { id: run.id, status: "exited", exitCode: 3, timedOut: false } });
    expect(data[6]).toEqual({ slot: ref, path: "/notes/hello.txt", size: 5 });
    expect(data[7]).toEqual({ slot: ref, reason: "idle" });
    expect(data[9]).toEqual({ slot: ref, reason: "exited" });
    expect(data[10]).toEqual({ slot: ref });
    // Unique ids, in the order things happened.
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it("a failed action announces slot.error; a change that rolls back announces nothing", async () => {
    const slot = await createSlot(as(owner), { name: "broken", templateId: BROKEN_TEMPLATE });
    created.push(slot.id);
    const before = await lastSeq(owner.id);
    await runSlotAction(slot.id, "provision", owner.id);
    const [failed] = await storedAfter(owner.id, before);
    expect(failed).toMatchObject({ type: "slot.error", data: { slot: { id: slot.id, name: "broken" }, action: "provision" } });
    expect(String(failed!.data.reason)).toMatch(/image/);

    const mark = await lastSeq(owner.id);
    await expect(
      db().transaction(async (tx) => {
        await transition(tx, { slotId: slot.id, from: ["error"], to: "deleted", event: "slot.deleted" });
        expect((await tx.select().from(events).where(eq(events.userId, owner.id))).some((e) => e.type === "slot.deleted" && e.seq > mark)).toBe(true);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await storedAfter(owner.id, mark)).toEqual([]);
    expect((await db().select().from(slots).where(eq(slots.id, slot.id)))[0]!.status).toBe("error");
  });

  it("a refusal for a limit announces quota.exceeded (and the refused change nothing)", async () => {
    const capped = await makeUser();
    await db().update(users).set({ limits: { slots: 0 } }).where(eq(users.id, capped.id));
    const refused = await errorOf(createSlot(as(capped), { name: "one-too-many", templateId: TEMPLATE }));
    expect(refused.code).toBe("QUOTA_EXCEEDED");
    await db().update(users).set({ limits: {} }).where(eq(users.id, capped.id));
    const tooBig = await errorOf(createSlot(as(capped), { name: "huge", templateId: TEMPLATE, resources: { cpuMillicores: 64_000, memoryMiB: 128, diskMiB: 256 } }));
    expect(tooBig.code).toBe("QUOTA_EXCEEDED");
    const mine = await stored(capped.id);
    expect(mine.map((e) => [e.type, e.data.limit])).toEqual([
      ["quota.exceeded", "slots"],
      ["quota.exceeded", "resources"],
    ]);
    expect(mine[0]!.data.message).toBe(refused.message);
    // Other refusals are not quota events.
    expect((await errorOf(createSlot(as(capped), { name: "x", templateId: "tpl_nope" }))).code).toBe("VALIDATION_ERROR");
    expect(await stored(capped.id)).toHaveLength(2);
  });
});

describe("the feed", () => {
  it("pages with ?after=, oldest first, shows events once settled, filters by type, refuses unknown and foreign cursors", async () => {
    const reader = await makeUser();
    const other = await makeUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await testEvent(reader.id, i));
    const foreign = await testEvent(other.id, 99);
    // Just written: not shown yet (a poller must never pass an event still committing).
    expect((await listEvents(as(reader), { limit: 50 })).data).toEqual([]);
    await settle();

    const latest = await listEvents(as(reader), { limit: 2 });
    expect(latest.data.map((e) => e.id)).toEqual(ids.slice(3));
    expect(latest.nextCursor).toBeNull();
    const first = await listEvents(as(reader), { after: ids[0], limit: 2 });
    expect(first.data.map((e) => e.id)).toEqual(ids.slice(1, 3));
    expect(first.nextCursor).toBe(ids[2]);
    const rest = await listEvents(as(reader), { after: first.nextCursor!, limit: 2 });
    expect(rest.data.map((e) => e.id)).toEqual(ids.slice(3, 5));
    expect(rest.nextCursor).toBeNull(); // nothing more yet: poll again after the last id
    expect((await listEvents(as(reader), { after: ids[4], limit: 2 })).data).toEqual([]);
    expect(first.data[0]).toMatchObject({ type: "webhook.test", data: { webhook: { id: "whk_1", url: "https://example.com/1" } } });
    expect(Date.parse(first.data[0]!.timestamp)).not.toBeNaN();

    expect((await listEvents(as(reader), { limit: 50, types: "slot.created,quota.exceeded" })).data).toEqual([]);
    expect((await listEvents(as(reader), { limit: 50, types: "webhook.test" })).data).toHaveLength(5);
    const badType = await errorOf(listEvents(as(reader), { limit: 50, types: "slot.created,slot.exploded" }));
    expect(badType.code).toBe("VALIDATION_ERROR");
    expect(badType.message).toContain("slot.exploded");

    // Another user's event id is as unknown as one that never existed.
    for (const after of [foreign, "evt_doesnotexist"]) {
      const err = await errorOf(listEvents(as(reader), { after, limit: 5 }));
      expect(err.code).toBe("VALIDATION_ERROR");
      expect(err.details).toEqual({ fields: { after: ["Unknown event id"] } });
    }
    expect((await listEvents(as(other), { limit: 50 })).data.map((e) => e.id)).toEqual([foreign]);
  });

  it("never skips an event whose transaction commits after a later one's", async () => {
    const user = await makeUser();
    await testEvent(user.id, 0);
    await settle();
    let cursor = (await listEvents(as(user), { limit: 1 })).data[0]!.id;
    // A holds seq n and commits 400 ms later; B takes n+1 and commits at once.
    let releaseA!: () => void;
    const aHeld = new Promise<void>((r) => (releaseA = r));
    let aWrote!: () => void;
    const aWritten = new Promise<void>((r) => (aWrote = r));
    const a = db().transaction(async (tx) => {
      const id = await emitEvent(tx, user.id, "webhook.test", { webhook: { id: "whk_a", url: "https://example.com/a" } });
      aWrote();
      await aHeld;
      return id;
    });
    await aWritten;
    const b = await testEvent(user.id, 1);
    setTimeout(releaseA, 400);
    // A client polling every 100 ms with ?after=: it must get A before B, and both.
    const seen: string[] = [];
    const until = Date.now() + SETTLE_MS + 2_000;
    while (seen.length < 2 && Date.now() < until) {
      const page = await listEvents(as(user), { after: cursor, limit: 10 });
      for (const e of page.data) seen.push(e.id);
      if (page.data.length) cursor = page.data.at(-1)!.id;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toEqual([await a, b]);
  });

  it("GET /events and GET /events/types over REST, with the catalogue's JSON Schemas", async () => {
    const user = await makeUser();
    await testEvent(user.id, 7);
    await settle();
    const token = (await issueTokenPair(anonymousContext(), user)).accessToken;
    const res = await handleRest(new Request("http://berth.test/api/v1/events?limit=5&types=webhook.test", { headers: { authorization: `Bearer ${token}` } }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: BerthEvent[]; nextCursor: string | null };
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ type: "webhook.test", data: { webhook: { id: "whk_7" } } });
    const bad = await handleRest(new Request("http://berth.test/api/v1/events?after=evt_nope", { headers: { authorization: `Bearer ${token}` } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");

    const types = await handleRest(new Request("http://berth.test/api/v1/events/types", { headers: { authorization: `Bearer ${token}` } }));
    expect(types.status).toBe(200);
    const catalogue = (await types.json()) as { data: { type: string; description: string; schema: Record<string, unknown> }[] };
    expect(catalogue).toEqual(eventCatalogue());
    const stopped = catalogue.data.find((t) => t.type === "slot.stopped")!;
    expect(stopped.description).toMatch(/stopped/);
    expect(stopped.schema).toMatchObject({ type: "object", properties: { reason: { enum: ["requested", "exited", "oom"] } } });
    expect(catalogue.data.map((t) => t.type)).toContain("quota.exceeded");
  });
});

describe("live events", () => {
  it("streams the caller's new events (never another's), and resumes after a last event id", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const old = await testEvent(user.id, 0);
    await settle();
    const abort = new AbortController();
    const stream = liveEvents(as(user), undefined, abort.signal);
    const got: BerthEvent[] = [];
    const reading = (async () => {
      for await (const e of stream) {
        got.push(e);
        if (got.length === 2) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 200)); // subscribed
    await testEvent(other.id, 1);
    const one = await testEvent(user.id, 2);
    const two = await db().transaction((tx) => emitEvent(tx, user.id, "quota.exceeded", { limit: "slots", message: "no more" }));
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error("no live events")), 8_000))]);
    abort.abort();
    expect(got.map((e) => e.id)).toEqual([one, two]);
    expect(got.map((e) => e.id)).not.toContain(old);

    // Resuming after `one` gives `two` at once (it has settled); types filter too.
    const resumed = liveEvents(as(user), { lastEventId: one }, new AbortController().signal);
    expect((await resumed.next()).value).toMatchObject({ id: two, type: "quota.exceeded" });
    await resumed.return(undefined);
    const filtered = liveEvents(as(user), { lastEventId: old, types: "quota.exceeded" }, new AbortController().signal);
    expect((await filtered.next()).value).toMatchObject({ id: two });
    await filtered.return(undefined);
    await expect(liveEvents(as(other), { lastEventId: one }).next()).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
  });

  it("shows an API key only the events its scopes cover (a file's path, a command, a webhook's URL need their own scope)", async () => {
    const user = await makeUser();
    const slot = { id: "slt_scoped", name: "scoped" };
    await db().transaction(async (tx) => {
      await emitEvent(tx, user.id, "quota.exceeded", { limit: "slots", message: "no more" });
      await emitEvent(tx, user.id, "file.uploaded", { slot, path: "/secret-plans.txt", size: 1 });
      await emitEvent(tx, user.id, "command.finished", { slot, command: { id: "cmd_1", status: "exited", exitCode: 0, durationMs: 1, timedOut: false } });
      await emitEvent(tx, user.id, "webhook.test", { webhook: { id: "whk_1", url: "https://hooks.example.com/private" } });
    });
    await settle();
    const seen = async (scopes?: ApiKeyScope[], types?: string) =>
      (await listEvents({ ...as(user), actor: { ...user, ...(scopes ? { scopes } : {}) } }, { limit: 10, types })).data.map((e) => e.type);
    expect(await seen()).toEqual(["quota.exceeded", "file.uploaded", "command.finished", "webhook.test"]); // the account itself
    expect(await seen(["slots:read"])).toEqual(["quota.exceeded"]);
    expect(await seen(["slots:read", "files:read"])).toEqual(["quota.exceeded", "file.uploaded"]);
    expect(await seen(["slots:read", "exec", "webhooks"])).toEqual(["quota.exceeded", "command.finished", "webhook.test"]);
    expect(await seen(["slots:read"], "file.uploaded,webhook.test")).toEqual([]);
    // The live stream narrows the same way.
    const first = await db().select({ id: events.id }).from(events).where(eq(events.userId, user.id)).orderBy(asc(events.seq)).limit(1);
    const resumed = liveEvents({ ...as(user), actor: { ...user, scopes: ["slots:read", "files:read"] } }, { lastEventId: first[0]!.id }, new AbortController().signal);
    expect((await resumed.next()).value).toMatchObject({ type: "file.uploaded" });
    await resumed.return(undefined);
  });

  it("ends a live stream once the API key that opened it is revoked", async () => {
    const user = await makeUser();
    const key = await createApiKey({ actor: user, meta: testMeta() }, { name: "live", scopes: ["slots:read"] });
    streamRecheck.ms = 200;
    try {
      const res = await trpcGet(new Request(`http://berth.test/api/trpc/events.live?input=${encodeURIComponent(JSON.stringify({}))}`, { headers: { authorization: `Bearer ${key.key}` } }));
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })();
      // Still open while the key works.
      expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 1_000))])).toBe(false);
      await revokeApiKey({ actor: user, meta: testMeta() }, key.id);
      expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 5_000))])).toBe(true);
    } finally {
      streamRecheck.ms = 15_000;
    }
  });

  it("reaches a client as server-sent events with their ids, through the tRPC route", async () => {
    const user = await makeUser();
    const first = await testEvent(user.id, 0);
    await settle();
    const token = (await issueTokenPair(anonymousContext(), user)).accessToken;
    const abort = new AbortController();
    // As a reconnecting EventSource does: Last-Event-ID says where it was.
    const res = await trpcGet(
      new Request(`http://berth.test/api/trpc/events.live?input=${encodeURIComponent(JSON.stringify({}))}`, {
        headers: { authorization: `Bearer ${token}`, "last-event-id": first },
        signal: abort.signal,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const next = await testEvent(user.id, 1);
    const reader = res.body!.getReader();
    let text = "";
    const until = Date.now() + 8_000;
    let pending = reader.read();
    while (!text.includes(`id: ${next}`) && Date.now() < until) {
      const chunk = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
      if (!chunk) continue; // still waiting: keep the same read
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
      pending = reader.read();
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);
    expect(text).toContain(`id: ${next}`);
    expect(text).not.toContain(`id: ${first}`);
    const dataLine = text.split("\n").find((l) => l.startsWith("data: ") && l.includes(next))!;
    expect(JSON.parse(dataLine.slice(6))).toMatchObject({ id: next, type: "webhook.test", data: { webhook: { id: "whk_1" } } });
  });
});
