// The one way a slot's status changes: a conditional update (from an allowed status) and its
// slot_events row, in one transaction. Two actions racing on one slot: one wins, one gets CONFLICT.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { slotEvents, slots, type SlotStatus } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
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
  await recordEvent(tx, { slotId: a.slotId, type: a.event, fromStatus: current.status, toStatus: a.to, actorId: a.actorId ?? null, details: a.details });
  return row!;
}

export async function recordEvent(
  tx: DbOrTx,
  e: { slotId: string; type: string; fromStatus?: string | null; toStatus?: string | null; actorId?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await tx.insert(slotEvents).values({ id: newId("sev"), slotId: e.slotId, type: e.type, fromStatus: e.fromStatus ?? null, toStatus: e.toStatus ?? null, actorId: e.actorId ?? null, details: e.details ?? {} });
}
