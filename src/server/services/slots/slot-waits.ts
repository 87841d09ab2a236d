// Waiting for a slot to settle (`?wait`): an action's background run announces when it is done, in
// this process; a waiter also re-reads the row every second, for work finished by another instance
// or by the reconciler.
import { EventEmitter } from "node:events";
import { TRANSITIONAL_STATUSES, type Slot } from "@/lib/schemas/slots";
import type { ServiceContext } from "../context";
import { getSlot } from "./slot-queries";

export const MAX_WAIT_MS = 60_000;

const cache = globalThis as unknown as { __berthSlotChanges?: EventEmitter };
function changes(): EventEmitter {
  if (!cache.__berthSlotChanges) {
    cache.__berthSlotChanges = new EventEmitter();
    cache.__berthSlotChanges.setMaxListeners(0);
  }
  return cache.__berthSlotChanges;
}

/** Called when a slot's background action has settled (whatever its outcome). */
export function slotSettled(slotId: string): void {
  changes().emit(slotId);
}

/** The slot once it is no longer in a transitional state, or as it is when `timeoutMs` runs out. */
export async function waitUntilSettled(ctx: ServiceContext, slotId: string, timeoutMs = MAX_WAIT_MS): Promise<{ slot: Slot; settled: boolean }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const slot = await getSlot(ctx, slotId);
    if (!TRANSITIONAL_STATUSES.includes(slot.status)) return { slot, settled: true };
    const left = until - Date.now();
    if (left <= 0) return { slot, settled: false };
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        changes().off(slotId, done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(1_000, left));
      changes().on(slotId, done);
    });
  }
}
