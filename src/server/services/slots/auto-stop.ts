// Auto-stop: a running slot stops when it has been idle for its plan's idle timeout, or has run for
// the plan's max uptime, with one warning event a few minutes before. Activity is the heartbeat
// route (and later terminal, exec and files). Run by the `slots-autostop` job every minute.
import { and, eq } from "drizzle-orm";
import { db } from "@/server/db";
import { slots } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { runtime } from "@/server/runtime";
import { runSlotAction } from "./slot-actions";
import { effectiveLimits, type EffectiveLimits } from "./plan-limits";
import { recordEvent, transition } from "./transitions";

export type AutoStopReason = "idle" | "max-uptime";
export type AutoStopDeadline = { at: Date; reason: AutoStopReason };

type Timing = Pick<EffectiveLimits, "idleTimeoutMinutes" | "maxUptimeMinutes">;
type RunningSlot = { lastActivityAt: Date; startedAt: Date | null };

const MINUTE = 60_000;

/** When a running slot stops if nothing happens; null when its plan never stops it. */
export function autoStopDeadline(slot: RunningSlot, limits: Timing): AutoStopDeadline | null {
  const candidates: AutoStopDeadline[] = [];
  if (limits.idleTimeoutMinutes > 0) candidates.push({ at: new Date(slot.lastActivityAt.getTime() + limits.idleTimeoutMinutes * MINUTE), reason: "idle" });
  if (limits.maxUptimeMinutes && limits.maxUptimeMinutes > 0 && slot.startedAt) {
    candidates.push({ at: new Date(slot.startedAt.getTime() + limits.maxUptimeMinutes * MINUTE), reason: "max-uptime" });
  }
  candidates.sort((a, b) => a.at.getTime() - b.at.getTime());
  return candidates[0] ?? null;
}

/** The warning window before a deadline: the configured minutes, but never more than half the timeout. */
export function warningWindowMs(reason: AutoStopReason, limits: Timing, warningMinutes: number): number {
  const timeout = reason === "idle" ? limits.idleTimeoutMinutes : (limits.maxUptimeMinutes ?? 0);
  return Math.min(warningMinutes, timeout / 2) * MINUTE;
}

export type AutoStopDecision = { kind: "none" } | { kind: "warn"; deadline: AutoStopDeadline } | { kind: "stop"; deadline: AutoStopDeadline };

/** What the job does with one running slot now. One warning per deadline: a heartbeat that moves the
 * idle deadline opens a new window, which warns again. */
export function decideAutoStop(slot: RunningSlot & { autostopWarnedAt: Date | null }, limits: Timing, now: Date, warningMinutes: number): AutoStopDecision {
  const deadline = autoStopDeadline(slot, limits);
  if (!deadline) return { kind: "none" };
  if (now.getTime() >= deadline.at.getTime()) return { kind: "stop", deadline };
  const windowStart = deadline.at.getTime() - warningWindowMs(deadline.reason, limits, warningMinutes);
  if (now.getTime() >= windowStart && !(slot.autostopWarnedAt && slot.autostopWarnedAt.getTime() >= windowStart)) return { kind: "warn", deadline };
  return { kind: "none" };
}

function describe(d: AutoStopDeadline, limits: Timing): string {
  return d.reason === "idle"
    ? `no activity for ${limits.idleTimeoutMinutes} minutes (the plan's idle timeout)`
    : `running for ${limits.maxUptimeMinutes} minutes (the plan's maximum uptime)`;
}

export type AutoStopResult = { warned: string[]; stopped: string[] };

/**
 * One pass over every running slot. Stops are requested in a transaction that re-checks the row (a
 * heartbeat or a user's own stop that landed meanwhile wins), then run like any other stop.
 */
export async function autoStopPass(now = new Date()): Promise<AutoStopResult> {
  const warningMinutes = env().BERTH_AUTOSTOP_WARNING_MINUTES;
  const running = await db()
    .select({ id: slots.id, ownerId: slots.ownerId, lastActivityAt: slots.lastActivityAt, startedAt: slots.startedAt, autostopWarnedAt: slots.autostopWarnedAt })
    .from(slots)
    .where(eq(slots.status, "running"));
  const limitsByOwner = new Map<string, EffectiveLimits | null>();
  for (const ownerId of new Set(running.map((s) => s.ownerId))) {
    limitsByOwner.set(ownerId, await effectiveLimits(db(), ownerId).catch(() => null));
  }
  const result: AutoStopResult = { warned: [], stopped: [] };
  // With the engine down a stop would fail and leave the slot in error: wait for the next pass.
  let engineUp: boolean | undefined;
  for (const slot of running) {
    const limits = limitsByOwner.get(slot.ownerId);
    if (!limits) continue;
    const decision = decideAutoStop(slot, limits, now, warningMinutes);
    if (decision.kind === "none") continue;
    if (decision.kind === "stop") {
      engineUp ??= (await runtime().ping()).ok;
      if (!engineUp) continue;
    }
    try {
      if (decision.kind === "warn") {
        const warned = await db().transaction(async (tx) => {
          const [row] = await tx.select().from(slots).where(and(eq(slots.id, slot.id), eq(slots.status, "running"))).for("update");
          if (!row || decideAutoStop(row, limits, now, warningMinutes).kind !== "warn") return false;
          await tx.update(slots).set({ autostopWarnedAt: now }).where(eq(slots.id, slot.id));
          await recordEvent(tx, {
            slotId: slot.id,
            type: "slot.autostop_warning",
            details: { reason: decision.deadline.reason, stopsAt: decision.deadline.at.toISOString(), message: `Stops at ${decision.deadline.at.toISOString()} after ${describe(decision.deadline, limits)}.` },
          });
          return true;
        });
        if (warned) result.warned.push(slot.id);
      } else {
        const stopped = await db().transaction(async (tx) => {
          const [row] = await tx.select().from(slots).where(and(eq(slots.id, slot.id), eq(slots.status, "running"))).for("update");
          if (!row || decideAutoStop(row, limits, now, warningMinutes).kind !== "stop") return false;
          await transition(tx, {
            slotId: slot.id,
            from: ["running"],
            to: "stopping",
            event: "slot.autostop",
            details: { reason: decision.deadline.reason, message: `Stopped after ${describe(decision.deadline, limits)}.` },
          });
          return true;
        });
        if (stopped) {
          result.stopped.push(slot.id);
          await runSlotAction(slot.id, "stop", null);
        }
      }
    } catch (err) {
      if (err instanceof BerthError && (err.code === "CONFLICT" || err.code === "NOT_FOUND")) continue;
      logger().error({ err, slotId: slot.id }, "auto-stop failed for a slot");
    }
  }
  if (result.warned.length || result.stopped.length) logger().info(result, "auto-stop pass");
  return result;
}

/** The deadlines of many slots of one owner, for reads (the slot page shows when a slot stops). */
export async function deadlinesFor(ownerId: string, rows: { id: string; status: string; lastActivityAt: Date; startedAt: Date | null }[]): Promise<Map<string, AutoStopDeadline>> {
  const out = new Map<string, AutoStopDeadline>();
  const running = rows.filter((r) => r.status === "running");
  if (!running.length) return out;
  const limits = await effectiveLimits(db(), ownerId).catch(() => null);
  if (!limits) return out;
  for (const r of running) {
    const d = autoStopDeadline(r, limits);
    if (d) out.set(r.id, d);
  }
  return out;
}
