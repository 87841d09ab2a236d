// The explicit columns a user response promises: a new column never reaches a client by accident.
import { sql } from "drizzle-orm";
import type { Me, User } from "@/lib/schemas/users";
import { users } from "@/server/db/schema";
import type { EffectiveLimits } from "../slots/plan-limits";

export const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  status: users.status,
  plan: users.plan,
  limits: users.limits,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
};

/** The columns of GET /me: the user's columns and whether a password exists (never the hash). */
export const meColumns = {
  ...userColumns,
  hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean),
  /**
   * The API budget of the user's plan (or the default plan's), read with the credential check that
   * selects these columns, so the rate limiter (server/rate-limit) needs no query of its own and a
   * plan change applies from the next request. Two primary-key/default lookups on a small table.
   */
  requestsPerMinute: sql<number>`coalesce(
    (select rp.requests_per_minute from plans rp where rp.id = ${users.plan}),
    (select rp.requests_per_minute from plans rp where rp.is_default limit 1),
    600)`.mapWith(Number),
};

type UserRow = {
  id: string;
  email: string;
  name: string | null;
  role: User["role"];
  status: User["status"];
  plan: string | null;
  limits: User["limits"];
  createdAt: Date;
  lastLoginAt: Date | null;
};

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    plan: row.plan,
    limits: row.limits ?? {},
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
  };
}

export type MeRow = UserRow & { hasPassword: boolean; requestsPerMinute: number };

/** GET /me: the account with the plan and limits that apply to it (see slots/plan-limits.ts). */
export function toMe(row: MeRow, applied: EffectiveLimits): Me {
  const { lastLoginAt: _ignored, plan: _assigned, limits: overrides, ...rest } = toUser(row);
  return {
    ...rest,
    plan: applied.planId,
    planAssigned: row.plan !== null,
    limits: {
      slots: applied.maxSlots,
      maxRunning: applied.maxRunning,
      cpuMillicores: applied.cpuMillicores,
      memoryMiB: applied.memoryMiB,
      diskMiB: applied.diskMiB,
      pids: applied.pids,
      idleTimeoutMinutes: applied.idleTimeoutMinutes,
      maxUptimeMinutes: applied.maxUptimeMinutes,
      maxFileMiB: applied.maxFileMiB,
      filesQuotaMiB: applied.filesQuotaMiB,
      requestsPerMinute: applied.requestsPerMinute,
    },
    limitOverrides: overrides,
    hasPassword: row.hasPassword,
  };
}
