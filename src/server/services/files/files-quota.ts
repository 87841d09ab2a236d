// The per-user files quota: what a user's homes take together, and uploads under way.
//
// Usage is measured, not counted: the sum of the used space of every home of the user's (the
// home's ext4 disk, one statfs each, where Berth enforces disks; `du` in the slot otherwise). It
// therefore includes what people make in the terminal, and deleted files free their space at once.
// Uploads under way are reserved here until they end, so parallel uploads cannot pass the check
// together (per process: several Berth instances could each let one through, bounded by the file limit).
import { and, eq, notInArray } from "drizzle-orm";
import { db } from "@/server/db";
import { slots } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { runtime } from "@/server/runtime";
import { filesTarget } from "./slot-file-access";

const reserved = new Map<string, number>();

export async function filesUsageBytes(userId: string): Promise<number> {
  const rows = await db()
    .select({ id: slots.id, status: slots.status, containerId: slots.containerId })
    .from(slots)
    .where(and(eq(slots.ownerId, userId), notInArray(slots.status, ["creating", "deleting", "deleted"])));
  const used = await Promise.all(
    rows.map((r) =>
      runtime()
        .files.usage(filesTarget(r))
        .catch((err: unknown) => {
          // A home the engine cannot read right now (e.g. in error) counts as empty rather than blocking every upload.
          logger().warn({ err, slotId: r.id }, "files: could not measure a home for the quota");
          return 0;
        }),
    ),
  );
  return used.reduce((a, b) => a + b, 0);
}

export function reservedBytes(userId: string): number {
  return reserved.get(userId) ?? 0;
}

/** Holds `bytes` of the user's quota until the returned function is called. */
export function reserve(userId: string, bytes: number): () => void {
  reserved.set(userId, reservedBytes(userId) + bytes);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const left = reservedBytes(userId) - bytes;
    if (left > 0) reserved.set(userId, left);
    else reserved.delete(userId);
  };
}
