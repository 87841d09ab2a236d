// What a Berth process leaves in slots when it dies without cleaning up (kill -9, a crash, power
// loss): the tmux clients of its open terminals and the commands it was following. Docker ends
// neither on its own. Run by the reconcile job every minute and once at boot: the work of every
// lapsed lease (process-lease.ts) is killed by its marker, then the lease goes.
import { eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { berthProcesses, slots, terminalAttachments } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { leaseIsDead, ownLeaseId } from "@/server/process-lease";
import { runtime, RuntimeOperationError } from "@/server/runtime";
import { sweepOrphanExecs } from "./exec";

export type SweepResult = { deadProcesses: number; attachments: number; execs: number };

export async function sweepDeadProcesses(now = Date.now()): Promise<SweepResult> {
  const own = ownLeaseId();
  const leases = await db().select().from(berthProcesses);
  const alive = new Set(leases.filter((l) => !leaseIsDead(l, now, own)).map((l) => l.id));
  if (own) alive.add(own); // registered a moment ago, perhaps after the read above
  const dead = leases.filter((l) => !alive.has(l.id)).map((l) => l.id);

  let attachments = 0;
  let leftOver = false;
  const rows = await db()
    .select({ marker: terminalAttachments.marker, processId: terminalAttachments.processId, slotId: terminalAttachments.slotId, status: slots.status, containerId: slots.containerId })
    .from(terminalAttachments)
    .innerJoin(slots, eq(slots.id, terminalAttachments.slotId));
  for (const row of rows) {
    if (alive.has(row.processId)) continue;
    if (row.status === "running" && row.containerId) {
      try {
        await runtime().killByMarker(row.containerId, row.marker);
      } catch (err) {
        const gone = err instanceof RuntimeOperationError && (err.status === 404 || err.status === 409);
        if (!gone) {
          logger().warn({ err, slotId: row.slotId }, "could not end a terminal left by a stopped Berth; retrying next pass");
          leftOver = true;
          continue;
        }
      }
    }
    await db().delete(terminalAttachments).where(eq(terminalAttachments.marker, row.marker));
    attachments++;
  }

  const execs = await sweepOrphanExecs(alive, now);
  // A lease whose work could not all be ended stays, so the next pass finds that work again.
  if (dead.length > 0 && !leftOver) await db().delete(berthProcesses).where(inArray(berthProcesses.id, dead));
  if (attachments > 0 || execs > 0) logger().info({ deadProcesses: dead.length, attachments, execs }, "ended what stopped Berth processes left in slots");
  return { deadProcesses: dead.length, attachments, execs };
}
