// The one way a slot's status changes: a conditional update (from an allowed status) and its
// slot_events row, in one transaction. Two actions racing on one slot: one wins, one gets CONFLICT.
// recordEvent also announces the public event (the feed, webhooks: src/lib/schemas/events.ts) the
// row stands for, in the same transaction: created, started, stopped, idle-stopped, deleted, error.
// Intermediate states (starting, stopping, deleting) and incidents without a public type are not.
import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { slotEvents, slots, type SlotStatus } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { emitEvent } from "../events/emit";
import type { SlotRow } from "./slot-view";

export type TransitionArgs = {
  slotId: string;
  from: readonly SlotStatus[];
  to: SlotStatus;
  event: string;
  actorId?: string | null;
  details?: Record<string, unknown>;
  set?: Partial<Omit<SlotRow, "id" | "status">>;
};

/** Must run inside a transaction: the row lock makes a racing second action wait, then see the new status. */
export async function transition(tx: DbOrTx, a: TransitionArgs): Promise<SlotRow> {
  const [current] = await tx.select({ status: slots.status }).from(slots).where(eq(slots.id, a.slotId)).for("update");
  if (!current || current.status === "deleted") throw new BerthError("NOT_FOUND", "No such slot.");
  if (!a.from.includes(current.status)) {
    throw new BerthError("CONFLICT", `The slot is ${current.status}; this needs it to be ${a.from.join(" or ")}.`, {
      details: { status: current.status, allowed: a.from },
    });
  }
  const [row] = await tx
    .update(slots)
    .set({ ...a.set, status: a.to, updatedAt: new Date() })
    .where(eq(slots.id, a.slotId))
    .returning();
  await recordEvent(tx, { slotId: a.slotId, type: a.event, fromStatus: current.status, toStatus: a.to, actorId: a.actorId ?? null, details: a.details, slot: row });
  return row!;
}

/** What the public events need of the slot; looked up (one query) when the caller has not got it. */
export type SlotOfEvent = Pick<SlotRow, "id" | "ownerId" | "name" | "templateId">;

export type SlotEventRecord = {
  slotId: string;
  type: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  actorId?: string | null;
  details?: Record<string, unknown>;
  slot?: SlotOfEvent;
};

export async function recordEvent(tx: DbOrTx, e: SlotEventRecord): Promise<void> {
  await tx.insert(slotEvents).values({ id: newId("sev"), slotId: e.slotId, type: e.type, fromStatus: e.fromStatus ?? null, toStatus: e.toStatus ?? null, actorId: e.actorId ?? null, details: e.details ?? {} });
  await announce(tx, e);
}

/** Which public event a slot_events row stands for ("stopped" is settled by why the slot was stopping). */
export function publicSlotEventKind(e: Pick<SlotEventRecord, "type" | "toStatus">): "created" | "started" | "stopped" | "exited" | "oom" | "deleted" | "error" | null {
  switch (e.type) {
    case "slot.created":
      return "created";
    case "slot.started":
      return e.toStatus === "running" ? "started" : null;
    case "slot.stopped":
      return e.toStatus === "stopped" ? "stopped" : null;
    case "slot.exited":
      return "exited";
    case "slot.oom":
      return "oom";
    case "slot.deleted":
      return "deleted";
    case "slot.error":
      return "error";
    default:
      return null;
  }
}

async function announce(tx: DbOrTx, e: SlotEventRecord): Promise<void> {
  const kind = publicSlotEventKind(e);
  if (!kind) return;
  const slot = e.slot ?? (await tx.select({ id: slots.id, ownerId: slots.ownerId, name: slots.name, templateId: slots.templateId }).from(slots).where(eq(slots.id, e.slotId)))[0];
  if (!slot) return;
  const ref = { id: slot.id, name: slot.name };
  switch (kind) {
    case "created":
      await emitEvent(tx, slot.ownerId, "slot.created", { slot: { ...ref, templateId: slot.templateId } });
      return;
    case "started":
      await emitEvent(tx, slot.ownerId, "slot.started", { slot: ref });
      return;
    case "stopped": {
      // Stopped by auto-stop, or asked to (by the owner or an administrator)? The row that sent it to stopping says.
      const [why] = await tx
        .select({ type: slotEvents.type, details: slotEvents.details })
        .from(slotEvents)
        .where(and(eq(slotEvents.slotId, slot.id), eq(slotEvents.toStatus, "stopping")))
        .orderBy(desc(slotEvents.createdAt))
        .limit(1);
      if (why?.type === "slot.autostop") {
        await emitEvent(tx, slot.ownerId, "slot.idle_stopped", { slot: ref, reason: why.details.reason === "max-uptime" ? "max_uptime" : "idle" });
      } else {
        await emitEvent(tx, slot.ownerId, "slot.stopped", { slot: ref, reason: "requested" });
      }
      return;
    }
    case "exited":
    case "oom":
      await emitEvent(tx, slot.ownerId, "slot.stopped", { slot: ref, reason: kind });
      return;
    case "deleted":
      await emitEvent(tx, slot.ownerId, "slot.deleted", { slot: ref });
      return;
    case "error":
      await emitEvent(tx, slot.ownerId, "slot.error", { slot: ref, action: String(e.details?.action ?? "unknown"), reason: String(e.details?.reason ?? "") });
      return;
  }
}
