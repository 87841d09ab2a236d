// Writing an event: call emitEvent inside the transaction that makes it happen. It adds the event
// to the feed and one pending delivery per enabled webhook of the user that wants the type, so
// both commit (or roll back) with the change itself. The delivery job sends them; a commit wakes
// it at once in this process (other processes find them on its next pass, within seconds).
import { and, eq, sql } from "drizzle-orm";
import { EVENT_SCHEMAS, type EventData, type EventType } from "@/lib/schemas/events";
import type { DbOrTx } from "@/server/db";
import { events, webhookDeliveries, webhooks } from "@/server/db/schema";
import { newId } from "@/server/ids";

type Wake = () => void;
const wakers = new Set<Wake>();

/** The delivery job registers here to be told that deliveries may be waiting. */
export function onDeliveriesQueued(wake: Wake): () => void {
  wakers.add(wake);
  return () => wakers.delete(wake);
}

let pending: NodeJS.Timeout | null = null;
/** Debounced: the transaction that queued them has usually committed by the time this runs. */
export function wakeDeliverers(): void {
  if (pending || wakers.size === 0) return;
  pending = setTimeout(() => {
    pending = null;
    for (const wake of wakers) wake();
  }, 100);
  pending.unref();
}

export async function emitEvent<T extends EventType>(tx: DbOrTx, userId: string, type: T, data: EventData<T>): Promise<string> {
  // The schema is the contract webhook receivers code against: what does not fit is a bug here.
  const parsed = EVENT_SCHEMAS[type].parse(data) as Record<string, unknown>;
  const id = newId("evt");
  // created_at is the moment of the insert (when `seq` is taken), not the transaction's start: the
  // feed's settle window (feed.ts) counts from it.
  await tx.insert(events).values({ id, userId, type, data: parsed, createdAt: sql`clock_timestamp()` });
  const hooks = await tx.select({ id: webhooks.id, eventTypes: webhooks.eventTypes }).from(webhooks).where(and(eq(webhooks.userId, userId), eq(webhooks.enabled, true)));
  const targets = hooks.filter((h) => h.eventTypes.includes("*") || h.eventTypes.includes(type));
  if (targets.length) {
    const now = new Date();
    await tx.insert(webhookDeliveries).values(targets.map((h) => ({ id: newId("wdl"), webhookId: h.id, eventId: id, nextAttemptAt: now })));
    wakeDeliverers();
  }
  return id;
}
