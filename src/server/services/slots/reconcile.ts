// The reconciler: after a crash, a restart or anything done behind Berth's back, make the engine
// and the database agree again. Runs at boot and then periodically.
//  - a container of this installation with no live slot row is removed (with its home);
//  - so is a home (disk, mount, volume) of this installation with no live slot row, left by a removal
//    cut short or by rows deleted with their owner: it would otherwise stay mounted for ever;
//  - a row left in a transitional state is driven to its end (the intent is in the row);
//  - a slot whose container died is marked stopped (or error, with the OOM or exit code) with an event.
import { and, eq, inArray, lt } from "drizzle-orm";
import { TRANSITIONAL_STATUSES } from "@/lib/schemas/slots";
import { db } from "@/server/db";
import { slots } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { runtime, type HomeInfo } from "@/server/runtime";
import { instanceId } from "./instance";
import { runSlotAction } from "./slot-actions";
import { recordEvent } from "./transitions";

export type ReconcileReport = { removedContainers: number; removedHomes: number; resumed: number; markedStopped: number; markedError: number };

/** Which of these slots have a row that is not deleted (stopped, error and mid-action ones all count). */
async function liveSlotIds(ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db().select({ id: slots.id, status: slots.status }).from(slots).where(inArray(slots.id, ids));
  return new Set(rows.filter((r) => r.status !== "deleted").map((r) => r.id));
}

/**
 * Removes this installation's homes whose slot has no live row; returns how many. Listed before the
 * rows are read, as containers are. A home whose installation is unknown (a disk with no volume)
 * may be another's on a shared data directory: left alone. A home that cannot go now (or homes
 * that cannot be listed) must not stop the rest of the pass: the next pass tries again.
 */
async function removeOrphanHomes(me: string): Promise<number> {
  const rt = runtime();
  if (!rt.listHomes || !rt.removeHome) return 0;
  let listed: HomeInfo[];
  try {
    listed = await rt.listHomes();
  } catch (err) {
    logger().warn({ err }, "reconcile: could not list slot homes; trying again next pass");
    return 0;
  }
  const homes = [...new Set(listed.filter((h) => h.instanceId === me).map((h) => h.slotId))];
  const live = await liveSlotIds(homes);
  let removed = 0;
  for (const slotId of homes) {
    if (live.has(slotId)) continue;
    try {
      await rt.removeHome(slotId);
      removed++;
    } catch (err) {
      logger().warn({ err, slotId }, "reconcile: could not remove the home of a slot that no longer exists; trying again next pass");
    }
  }
  return removed;
}

/** `staleAfterMs`: how old a transitional row must be before it counts as abandoned (0 at boot). */
export async function reconcileSlots(opts: { staleAfterMs: number }): Promise<ReconcileReport> {
  const report: ReconcileReport = { removedContainers: 0, removedHomes: 0, resumed: 0, markedStopped: 0, markedError: 0 };
  const ping = await runtime().ping();
  if (!ping.ok) return report;
  const me = await instanceId();

  // 1. Containers without a live row. Listed before the rows are read: a slot's row is written
  //    before its container or home is made, so anything listed without a row has none for good.
  const containers = (await runtime().list()).filter((c) => c.instanceId === me);
  const live = await liveSlotIds([...new Set(containers.map((c) => c.slotId))]);
  for (const c of containers) {
    if (!live.has(c.slotId)) {
      await runtime().remove(c.containerId, { slotId: c.slotId, withHome: true });
      report.removedContainers++;
    }
  }

  // 2. Homes without a live row (their containers went in step 1, or earlier).
  report.removedHomes = await removeOrphanHomes(me);

  // 3. Rows stuck in a transitional state: drive each to its end.
  const cutoff = new Date(Date.now() - opts.staleAfterMs);
  const stuck = await db()
    .select({ id: slots.id, status: slots.status })
    .from(slots)
    .where(and(inArray(slots.status, [...TRANSITIONAL_STATUSES]), lt(slots.updatedAt, cutoff)));
  const action = { creating: "provision", starting: "start", stopping: "stop", deleting: "delete" } as const;
  for (const row of stuck) {
    await db().transaction((tx) => recordEvent(tx, { slotId: row.id, type: "slot.reconciled", fromStatus: row.status, toStatus: row.status, details: { resumed: action[row.status as keyof typeof action] } }));
    await runSlotAction(row.id, action[row.status as keyof typeof action]);
    report.resumed++;
  }

  // 4. Running rows whose container is gone or no longer running.
  const running = await db().select({ id: slots.id, containerId: slots.containerId }).from(slots).where(eq(slots.status, "running"));
  for (const row of running) {
    const info = row.containerId ? await runtime().inspect(row.containerId) : null;
    if (info?.state === "running") continue;
    const failed = !info || info.oomKilled || (info.exitCode !== null && info.exitCode !== 0);
    const reason = !info ? "the container disappeared" : info.oomKilled ? "it ran out of memory and was killed" : `it exited with code ${info.exitCode}`;
    await db().transaction(async (tx) => {
      const [current] = await tx
        .select({ status: slots.status, id: slots.id, ownerId: slots.ownerId, name: slots.name, templateId: slots.templateId })
        .from(slots)
        .where(eq(slots.id, row.id))
        .for("update");
      if (current?.status !== "running") return;
      const to = failed ? "error" : "stopped";
      await tx.update(slots).set({ status: to, stoppedAt: new Date(), lastError: failed ? `The slot stopped: ${reason}.` : null, updatedAt: new Date(), ...(info ? {} : { containerId: null }) }).where(eq(slots.id, row.id));
      await recordEvent(tx, { slotId: row.id, type: info?.oomKilled ? "slot.oom" : "slot.exited", fromStatus: "running", toStatus: to, details: { reason, exitCode: info?.exitCode ?? null }, slot: current });
    });
    if (failed) report.markedError++;
    else report.markedStopped++;
  }
  if (report.removedContainers + report.removedHomes + report.resumed + report.markedStopped + report.markedError > 0) logger().info({ ...report }, "reconciled slots with the engine");
  return report;
}
