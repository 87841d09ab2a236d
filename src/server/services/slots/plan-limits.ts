// The limits that apply to a user: their plan (or the default plan), with per-user overrides.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { plans, users, type LimitOverrides } from "@/server/db/schema";
import { BerthError } from "@/server/errors";

/**
 * What an administrator may override per user. `maxRunning` lives in the same jsonb column as the
 * others; the column's declared type (db/schema/users.ts) predates it.
 */
export type UserLimitOverrides = LimitOverrides & { maxRunning?: number };

export type EffectiveLimits = {
  planId: string;
  /** Limits an administrator set for this account, instead of the plan's. */
  overridden?: readonly (keyof EffectiveLimits)[];
  maxSlots: number;
  maxRunning: number;
  cpuMillicores: number;
  memoryMiB: number;
  diskMiB: number;
  pids: number;
  idleTimeoutMinutes: number;
  maxUptimeMinutes: number | null;
  /** Largest file one upload may write, in MiB. */
  maxFileMiB: number;
  /** What all of the user's homes together may hold before uploads are refused, in MiB. */
  filesQuotaMiB: number;
  /** API requests a minute for all of the user's tokens, keys and sessions together (server/rate-limit). */
  requestsPerMinute: number;
};

export async function effectiveLimits(tx: DbOrTx, userId: string): Promise<EffectiveLimits> {
  const [user] = await tx.select({ plan: users.plan, limits: users.limits }).from(users).where(eq(users.id, userId));
  if (!user) throw new BerthError("UNAUTHORIZED", "This account no longer exists.");
  return limitsFor(tx, user);
}

/** The limits of a user whose row is already at hand: one query (their plan, or the default plan). */
export async function limitsFor(tx: DbOrTx, user: { plan: string | null; limits: UserLimitOverrides | null }): Promise<EffectiveLimits> {
  const [plan] = user.plan
    ? await tx.select().from(plans).where(eq(plans.id, user.plan))
    : await tx.select().from(plans).where(eq(plans.isDefault, true)).limit(1);
  if (!plan) throw new BerthError("CONFLICT", "No plan applies to this account; an administrator must assign one.");
  const o: UserLimitOverrides = user.limits ?? {};
  return {
    planId: plan.id,
    maxSlots: o.slots ?? plan.maxSlots,
    maxRunning: o.maxRunning ?? plan.maxRunning,
    cpuMillicores: o.cpuMillicores ?? plan.cpuMillicores,
    memoryMiB: o.memoryMiB ?? plan.memoryMiB,
    diskMiB: o.diskMiB ?? plan.diskMiB,
    pids: o.pids ?? plan.pids,
    idleTimeoutMinutes: plan.idleTimeoutMinutes,
    maxUptimeMinutes: plan.maxUptimeMinutes,
    maxFileMiB: o.maxFileMiB ?? plan.maxFileMiB,
    filesQuotaMiB: o.filesQuotaMiB ?? plan.filesQuotaMiB,
    requestsPerMinute: plan.requestsPerMinute,
    overridden: (
      [
        ["maxSlots", o.slots],
        ["maxRunning", o.maxRunning],
        ["cpuMillicores", o.cpuMillicores],
        ["memoryMiB", o.memoryMiB],
        ["diskMiB", o.diskMiB],
        ["pids", o.pids],
        ["maxFileMiB", o.maxFileMiB],
        ["filesQuotaMiB", o.filesQuotaMiB],
      ] as const
    )
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k]) => k),
  };
}

/** Who set a limit, for messages: "your account" when an administrator overrode it, else the plan. */
export function limitOwner(limits: EffectiveLimits, key: keyof EffectiveLimits): string {
  return limits.overridden?.includes(key) ? "Your account" : `Your ${limits.planId} plan`;
}

/** Throws VALIDATION_ERROR naming every resource above the plan's per-slot ceiling. */
export function assertWithinPlan(limits: EffectiveLimits, r: { cpuMillicores: number; memoryMiB: number; diskMiB: number }): void {
  const over: Record<string, string[]> = {};
  for (const key of ["cpuMillicores", "memoryMiB", "diskMiB"] as const) {
    if (r[key] > limits[key]) over[`resources.${key}`] = [`at most ${limits[key]} on the ${limits.planId} plan`];
  }
  if (Object.keys(over).length) {
    throw new BerthError("QUOTA_EXCEEDED", `These resources are above what your plan allows: ${Object.entries(over).map(([k, v]) => `${k} ${v[0]}`).join("; ")}.`, {
      details: { fields: over, plan: limits.planId },
    });
  }
}
