// Webhook endpoints: a user's URLs with the events they want, each with a signing secret (whsec_…,
// Standard Webhooks) shown once and kept sealed (AES-256-GCM, like other secrets) because every
// delivery is signed with it. Another user's endpoint is NOT_FOUND.
import { randomBytes } from "node:crypto";
import { and, count, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { CreatedWebhook, Delivery, Webhook, WebhookCreateInput, WebhookUpdateInput } from "@/lib/schemas/webhooks";
import { WEBHOOKS_PER_USER } from "@/lib/schemas/webhooks";
import { API_KEY_SCOPES } from "@/lib/schemas/api-keys";
import { EVENT_TYPES, eventScope, type EventType } from "@/lib/schemas/events";
import { openSecret, sealSecret, type SecretBinding } from "@/server/crypto/secret-box";
import { db, type DbOrTx } from "@/server/db";
import { events, users, webhookDeliveries, webhooks } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { audited } from "../audit/audited";
import { wakeDeliverers } from "../events/emit";
import { requireActor, requireWriter, type Actor, type ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";
import { keyringOrRefuse } from "../secrets/secret-store";
import { assertDeliverable, BlockedTarget } from "./target-guard";

type HookRow = typeof webhooks.$inferSelect;

export function toWebhook(row: HookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: row.eventTypes,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const binding = (row: { userId: string; id: string }): SecretBinding => ({ userId: row.userId, slotId: null, kind: "webhook", name: row.id });

/** The endpoint's signing secret (for the deliverer only). */
export function webhookSecret(row: Pick<HookRow, "userId" | "id" | "secretCiphertext" | "secretNonce" | "secretKeyId">): string {
  return openSecret(keyringOrRefuse(), binding(row), { ciphertext: row.secretCiphertext, nonce: row.secretNonce, keyId: row.secretKeyId });
}

async function checkTarget(url: string): Promise<void> {
  try {
    await assertDeliverable(url);
  } catch (err) {
    if (err instanceof BlockedTarget) throw new BerthError("VALIDATION_ERROR", err.message, { details: { fields: { url: [err.message] } } });
    throw err;
  }
}

async function ownHook(executor: DbOrTx, userId: string, id: string, lock = false): Promise<HookRow> {
  const q = executor.select().from(webhooks).where(and(eq(webhooks.id, id), eq(webhooks.userId, userId)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new BerthError("NOT_FOUND", "No such webhook.");
  return row;
}

/**
 * A key may point an endpoint only at events it may see itself (eventScope): with the webhooks scope
 * alone it could otherwise have every file path and command result sent wherever it likes.
 */
function assertEventsInScope(actor: Actor, types: readonly string[]): void {
  const scopes = actor.scopes;
  if (!scopes) return;
  const wanted = types.includes("*") ? EVENT_TYPES : types.filter((t): t is EventType => (EVENT_TYPES as readonly string[]).includes(t));
  const missing = API_KEY_SCOPES.filter((s) => !scopes.includes(s) && wanted.some((t) => eventScope(t) === s));
  if (missing.length) {
    const which = wanted.filter((t) => missing.includes(eventScope(t)));
    const names = missing.length > 1 ? `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)} scopes` : `${missing[0]} scope`;
    throw new BerthError("FORBIDDEN", `This API key lacks the ${names} that ${which.join(", ")} events need. Subscribe to fewer events, or use a key with ${missing.length > 1 ? "them" : "it"}.`, {
      details: { missingScope: missing[0], missingScopes: missing },
    });
  }
}

export async function createWebhook(ctx: ServiceContext, input: WebhookCreateInput): Promise<CreatedWebhook> {
  const actor = requireWriter(ctx);
  assertEventsInScope(actor, input.events);
  await checkTarget(input.url);
  const id = newId("whk");
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const sealed = sealSecret(keyringOrRefuse(), binding({ userId: actor.id, id }), secret);
  const row = await audited(ctx, { action: "webhook.create", targetType: "webhook", targetId: id, details: { url: input.url, events: input.events } }, async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.id)).for("update");
    const [held] = await tx.select({ n: count() }).from(webhooks).where(eq(webhooks.userId, actor.id));
    if ((held?.n ?? 0) >= WEBHOOKS_PER_USER) throw new BerthError("CONFLICT", `You already have ${WEBHOOKS_PER_USER} webhooks, the most one account may hold. Delete one first.`);
    const [created] = await tx
      .insert(webhooks)
      .values({ id, userId: actor.id, url: input.url, eventTypes: input.events, description: input.description, secretCiphertext: sealed.ciphertext, secretNonce: sealed.nonce, secretKeyId: sealed.keyId })
      .returning();
    return created!;
  });
  return { ...toWebhook(row), secret };
}

export async function listWebhooks(ctx: ServiceContext, input: { limit: number; cursor?: string }): Promise<{ data: Webhook[]; nextCursor: string | null }> {
  const actor = requireActor(ctx);
  const rows = await db()
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.userId, actor.id), afterCursor(input.cursor, webhooks.createdAt, webhooks.id)))
    .orderBy(desc(webhooks.createdAt), desc(webhooks.id))
    .limit(input.limit + 1);
  const page = pageFrom(rows, input.limit);
  return { data: page.rows.map(toWebhook), nextCursor: page.nextCursor };
}

export async function getWebhook(ctx: ServiceContext, id: string): Promise<Webhook> {
  return toWebhook(await ownHook(db(), requireActor(ctx).id, id));
}

export async function updateWebhook(ctx: ServiceContext, input: WebhookUpdateInput): Promise<Webhook> {
  const actor = requireWriter(ctx);
  const { id, ...changes } = input;
  if (Object.values(changes).every((v) => v === undefined)) throw new BerthError("VALIDATION_ERROR", "Nothing to change: send url, events, description or enabled.");
  if (changes.url) await checkTarget(changes.url);
  const row = await audited(ctx, { action: "webhook.update", targetType: "webhook", targetId: id, details: { ...changes } }, async (tx) => {
    const current = await ownHook(tx, actor.id, id, true);
    // Where events go, or which: what the endpoint receives after the change must be within the
    // key's reach (a new URL for the old events counts too). Turning it on or off, or a new
    // description, sends nothing anywhere new.
    if (changes.url !== undefined || changes.events !== undefined) assertEventsInScope(actor, changes.events ?? current.eventTypes);
    const reEnable = changes.enabled === true && !current.enabled;
    const [updated] = await tx
      .update(webhooks)
      .set({
        ...(changes.url !== undefined ? { url: changes.url } : {}),
        ...(changes.events !== undefined ? { eventTypes: changes.events } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        ...(reEnable || changes.enabled === false ? { disabledReason: null } : {}),
        ...(reEnable ? { consecutiveFailures: 0 } : {}),
        updatedAt: new Date(),
      })
      .where(eq(webhooks.id, id))
      .returning();
    return updated!;
  });
  return toWebhook(row);
}

export async function deleteWebhook(ctx: ServiceContext, id: string): Promise<void> {
  const actor = requireWriter(ctx);
  await audited(ctx, { action: "webhook.delete", targetType: "webhook", targetId: id }, async (tx) => {
    await ownHook(tx, actor.id, id, true);
    await tx.delete(webhooks).where(eq(webhooks.id, id));
  });
}

type DeliveryRow = typeof webhookDeliveries.$inferSelect & { eventType: string };

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.responseStatus,
    responseMs: row.responseMs,
    error: row.error,
    nextAttemptAt: row.status === "pending" ? (row.nextAttemptAt?.toISOString() ?? null) : null,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listDeliveries(ctx: ServiceContext, input: { id: string; limit: number; cursor?: string; status?: Delivery["status"] }): Promise<{ data: Delivery[]; nextCursor: string | null }> {
  const actor = requireActor(ctx);
  await ownHook(db(), actor.id, input.id);
  const rows = await db()
    .select({ ...getTableColumns(webhookDeliveries), eventType: sql<string>`coalesce(${events.type}, 'unknown')` })
    .from(webhookDeliveries)
    .leftJoin(events, eq(events.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.webhookId, input.id), input.status ? eq(webhookDeliveries.status, input.status) : undefined, afterCursor(input.cursor, webhookDeliveries.createdAt, webhookDeliveries.id)))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(input.limit + 1);
  const page = pageFrom(rows, input.limit);
  return { data: page.rows.map(toDelivery), nextCursor: page.nextCursor };
}

/** Sends an event again to this endpoint: a new delivery (the log keeps the old one), same webhook-id. */
export async function redeliver(ctx: ServiceContext, input: { id: string; deliveryId: string }): Promise<Delivery> {
  const actor = requireWriter(ctx);
  const row = await audited(ctx, { action: "webhook.redeliver", targetType: "webhook", targetId: input.id, details: { deliveryId: input.deliveryId } }, async (tx) => {
    const hook = await ownHook(tx, actor.id, input.id);
    if (!hook.enabled) throw new BerthError("CONFLICT", "This webhook is disabled: enable it first.");
    const [old] = await tx.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries).where(and(eq(webhookDeliveries.id, input.deliveryId), eq(webhookDeliveries.webhookId, input.id)));
    if (!old) throw new BerthError("NOT_FOUND", "No such delivery of this webhook.");
    const [event] = await tx.select({ type: events.type }).from(events).where(eq(events.id, old.eventId));
    if (!event) throw new BerthError("CONFLICT", "The event of this delivery is no longer kept, so it cannot be sent again.");
    const [created] = await tx.insert(webhookDeliveries).values({ id: newId("wdl"), webhookId: input.id, eventId: old.eventId, nextAttemptAt: new Date() }).returning();
    return { ...created!, eventType: event.type };
  });
  wakeDeliverers();
  return toDelivery(row);
}

/** A webhook.test event, to this endpoint only. */
export async function sendTest(ctx: ServiceContext, id: string): Promise<Delivery> {
  const actor = requireWriter(ctx);
  const row = await audited(ctx, { action: "webhook.test", targetType: "webhook", targetId: id }, async (tx) => {
    const hook = await ownHook(tx, actor.id, id);
    if (!hook.enabled) throw new BerthError("CONFLICT", "This webhook is disabled: enable it first.");
    const eventId = newId("evt");
    await tx.insert(events).values({ id: eventId, userId: actor.id, type: "webhook.test", data: { webhook: { id: hook.id, url: hook.url } } });
    const [created] = await tx.insert(webhookDeliveries).values({ id: newId("wdl"), webhookId: id, eventId, nextAttemptAt: new Date() }).returning();
    return { ...created!, eventType: "webhook.test" };
  });
  wakeDeliverers();
  return toDelivery(row);
}
