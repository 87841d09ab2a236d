// What a Berth process leaves in slots when it dies without cleaning up (kill -9, a crash, power
// loss): the tmux clients of its open terminals and the commands it was following. Docker ends
// neither on its own. Run by the reconcile job every minute and once at boot: the work of every
// lapsed lease (process-lease.ts) is killed by its marker, then the lease goes.
import { eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { berthProcesses, slots, terminalAttachments } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { leaseIsDead, ownLeaseId } from "@/server/process-lease";
import { containerGone, runtime } from "@/server/runtime";
import { sweepOrphanExecs } from "./exec";

export type SweepResult = { deadProcesses: number; attachments: number; execs: number };

/**
 * Reads the leases and answers which process ids are gone. Call it only *after* reading the work
 * rows it will judge: a process registers its lease before it writes any work row, so a row read
 * earlier whose lease is absent now belongs to a process that is gone, while a process that
 * registered after that read has no row in it (it would otherwise be swept as dead).
 */
export type LeaseVerdict = (processId: string) => boolean;

async function readLeases(now: number): Promise<{ gone: LeaseVerdict; dead: string[] }> {
  const leases = await db().select().from(berthProcesses);
  const own = ownLeaseId(); // after the read: a lease registered meanwhile is ours, and alive
  const alive = new Set(leases.filter((l) => !leaseIsDead(l, now, own)).map((l) => l.id));
  if (own) alive.add(own);
  return { gone: (id) => !alive.has(id), dead: leases.filter((l) => !alive.has(l.id)).map((l) => l.id) };
}

export async function sweepDeadProcesses(now = Date.now()): Promise<SweepResult> {
  const rows = await db()
    .select({ marker: terminalAttachments.marker, processId: terminalAttachments.processId, slotId: terminalAttachments.slotId, status: slots.status, containerId: slots.containerId })
    .from(terminalAttachments)
    .innerJoin(slots, eq(slots.id, terminalAttachments.slotId));
  const { gone, dead } = await readLeases(now);

  let attachments = 0;
  let leftOver = false;
  for (const row of rows) {
    if (!gone(row.processId)) continue;
    if (row.status === "running" && row.containerId) {
      try {
        await runtime().killByMarker(row.containerId, row.marker);
      } catch (err) {
        if (!containerGone(err)) {
          logger().warn({ err, slotId: row.slotId }, "could not end a terminal left by a stopped Berth; retrying next pass");
          leftOver = true;
          continue;
        }
      }
    }
    await db().delete(terminalAttachments).where(eq(terminalAttachments.marker, row.marker));
    attachments++;
  }

  const execs = await sweepOrphanExecs(() => readLeases(now).then((l) => l.gone), now);
  // A lease whose work could not all be ended stays, so the next pass finds that work again.
  if (dead.length > 0 && !leftOver) await db().delete(berthProcesses).where(inArray(berthProcesses.id, dead));
  if (attachments > 0 || execs > 0) logger().info({ deadProcesses: dead.length, attachments, execs }, "ended what stopped Berth processes left in slots");
  return { deadProcesses: dead.length, attachments, execs };
}
