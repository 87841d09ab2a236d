// Events whose cause is not a database change of its own, each written in a small transaction of
// its own right after the fact: a file upload (the bytes go to the slot, not the database) and a
// refused request (QUOTA_EXCEEDED: the refused change rolled back, the refusal did happen).
import { eq } from "drizzle-orm";
import { db, type DbOrTx } from "@/server/db";
import { slots } from "@/server/db/schema";
import type { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { emitEvent } from "./emit";

/** file.uploaded, once the file is in place. Never throws: the upload has succeeded either way. */
export async function announceFileUploaded(slotId: string, path: string, size: number): Promise<void> {
  try {
    await db().transaction(async (tx) => {
      const [slot] = await tx.select({ ownerId: slots.ownerId, name: slots.name }).from(slots).where(eq(slots.id, slotId));
      if (slot) await emitEvent(tx, slot.ownerId, "file.uploaded", { slot: { id: slotId, name: slot.name }, path, size });
    });
  } catch (err) {
    logger().error({ err, slotId }, "could not write the file.uploaded event");
  }
}

/**
 * Which limit a QUOTA_EXCEEDED refusal names: the `quota` its details give (slots, running,
 * secrets, secretBytes), else what its details show (files quota, per-slot resources), else a
 * full home (a file action that ran out of disk).
 */
export function quotaLimitOf(err: Pick<BerthError, "details">, action: string): string {
  const d = err.details ?? {};
  if (typeof d.quota === "string" && d.quota) return d.quota;
  if ("quotaBytes" in d) return "files";
  const fields = d.fields && typeof d.fields === "object" ? Object.keys(d.fields) : [];
  if (fields.some((f) => f.startsWith("resources."))) return "resources";
  if (action.startsWith("file.")) return "disk";
  return "other";
}

/** quota.exceeded, in the caller's (small, separate) transaction: the refused change itself rolled back. */
export async function emitQuotaExceeded(tx: DbOrTx, userId: string, err: BerthError, action: string): Promise<void> {
  await emitEvent(tx, userId, "quota.exceeded", { limit: quotaLimitOf(err, action), message: err.message });
}
