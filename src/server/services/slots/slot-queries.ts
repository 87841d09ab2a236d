// Reading slots: the owner's list, one slot, its events; and the heartbeat that defers auto-stop.
import { and, desc, eq, lt, ne, type SQL } from "drizzle-orm";
import type { Slot } from "@/lib/schemas/slots";
import { db } from "@/server/db";
import { slotEvents, slots, type SlotStatus } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { requireActor, type ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";
import { deadlinesFor } from "./auto-stop";
import { toSlot, type SlotRow } from "./slot-view";

/** The caller's own slot, or NOT_FOUND (another user's slot is never revealed). */
export async function ownedSlot(ctx: ServiceContext, slotId: string): Promise<SlotRow> {
  const actor = requireActor(ctx);
  const [row] = await db()
    .select()
    .from(slots)
    .where(and(eq(slots.id, slotId), eq(slots.ownerId, actor.id), ne(slots.status, "deleted")));
  if (!row) throw new BerthError("NOT_FOUND", "No such slot.");
  return row;
}

export async function getSlot(ctx: ServiceContext, slotId: string): Promise<Slot> {
  const row = await ownedSlot(ctx, slotId);
  const deadlines = await deadlinesFor(row.ownerId, [row]);
  return toSlot(row, deadlines.get(row.id) ?? null);
}

export async function listSlots(ctx: ServiceContext, args: { status?: SlotStatus; limit: number; cursor?: string }) {
  const actor = requireActor(ctx);
  const where: (SQL | undefined)[] = [eq(slots.ownerId, actor.id), ne(slots.status, "deleted"), afterCursor(args.cursor, slots.createdAt, slots.id)];
  if (args.status) where.push(eq(slots.status, args.status));
  const rows = await db().select().from(slots).where(and(...where)).orderBy(desc(slots.createdAt), desc(slots.id)).limit(args.limit + 1);
  const page = pageFrom(rows, args.limit);
  const deadlines = await deadlinesFor(actor.id, page.rows);
  return { data: page.rows.map((r) => toSlot(r, deadlines.get(r.id) ?? null)), nextCursor: page.nextCursor };
}

export async function listSlotEvents(ctx: ServiceContext, args: { id: string; limit: number; cursor?: string }) {
  await ownedSlot(ctx, args.id);
  const rows = await db()
    .select()
    .from(slotEvents)
    .where(and(eq(slotEvents.slotId, args.id), afterCursor(args.cursor, slotEvents.createdAt, slotEvents.id)))
    .orderBy(desc(slotEvents.createdAt), desc(slotEvents.id))
    .limit(args.limit + 1);
  const page = pageFrom(rows, args.limit);
  return { data: page.rows.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), nextCursor: page.nextCursor };
}

export async function heartbeat(ctx: ServiceContext, slotId: string): Promise<{ lastActivityAt: string; autoStop: { at: string; reason: "idle" | "max-uptime" } | null }> {
  const slot = await ownedSlot(ctx, slotId);
  const now = new Date();
  await db().update(slots).set({ lastActivityAt: now }).where(eq(slots.id, slot.id));
  const deadline = (await deadlinesFor(slot.ownerId, [{ ...slot, lastActivityAt: now }])).get(slot.id);
  return { lastActivityAt: now.toISOString(), autoStop: deadline ? { at: deadline.at.toISOString(), reason: deadline.reason } : null };
}

/** Activity marks closer together than this are one: a burst of commands or file actions costs one write. */
const ACTIVITY_RESOLUTION_MS = 30_000;

/**
 * Counts as activity for idle auto-stop (terminal input, commands, file actions): one conditional
 * update that writes only when the slot runs (a stopped one has no idle timer) and its last mark is
 * older than the resolution. No ownership check: callers have already made theirs.
 */
export async function touchSlot(slotId: string): Promise<void> {
  await db()
    .update(slots)
    .set({ lastActivityAt: new Date() })
    .where(and(eq(slots.id, slotId), eq(slots.status, "running"), lt(slots.lastActivityAt, new Date(Date.now() - ACTIVITY_RESOLUTION_MS))));
}

/** Keeps a slot marked active while a long action (a command, an upload) runs; call the result when it ends. */
export function keepSlotActive(slotId: string): () => void {
  const timer = setInterval(() => void touchSlot(slotId).catch(() => {}), ACTIVITY_RESOLUTION_MS);
  timer.unref();
  return () => clearInterval(timer);
}
