// Admin view of accounts: search and page through users; change role, status, plan and limits.
import { and, desc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import type { User } from "@/lib/schemas/users";
import { db } from "@/server/db";
import { plans, users, type UserRole, type UserStatus } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";
import { revokeUserWebSessions } from "../sessions/web-sessions";
import { revokeUserTokens } from "../tokens/token-pairs";
import { toUser, userColumns } from "../accounts/user-view";
import type { UserLimitOverrides } from "../slots/plan-limits";

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listUsers(args: { q?: string; role?: UserRole; status?: UserStatus; limit: number; cursor?: string }): Promise<{ data: User[]; nextCursor: string | null }> {
  const where: (SQL | undefined)[] = [afterCursor(args.cursor, users.createdAt, users.id)];
  if (args.q) {
    const pattern = `%${escapeLike(args.q)}%`;
    where.push(or(ilike(users.email, pattern), ilike(users.name, pattern)));
  }
  if (args.role) where.push(eq(users.role, args.role));
  if (args.status) where.push(eq(users.status, args.status));
  const rows = await db()
    .select(userColumns)
    .from(users)
    .where(and(...where))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(args.limit + 1);
  const page = pageFrom(rows, args.limit);
  return { data: page.rows.map(toUser), nextCursor: page.nextCursor };
}

export type UserChanges = { role?: UserRole; status?: UserStatus; plan?: string | null; limits?: UserLimitOverrides };

export async function updateUser(ctx: ServiceContext, id: string, changes: UserChanges): Promise<User> {
  if (Object.values(changes).every((v) => v === undefined)) {
    throw new BerthError("VALIDATION_ERROR", "Nothing to change: send at least one of role, status, plan, limits.");
  }
  if (ctx.actor?.id === id && ((changes.role && changes.role !== "admin") || changes.status === "suspended")) {
    throw new BerthError("CONFLICT", "You cannot demote or suspend yourself; ask another administrator.");
  }
  return audited(ctx, { action: "admin.user.update", targetType: "user", targetId: id, details: { ...changes } }, async (tx) => {
    const [current] = await tx.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, id)).for("update");
    if (!current) throw new BerthError("NOT_FOUND", "No such user.");
    if (current.role === "admin" && ((changes.role && changes.role !== "admin") || changes.status === "suspended")) {
      // Never leave Berth without an active administrator.
      const [{ count }] = (await tx
        .select({ count: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.role, "admin"), eq(users.status, "active")))) as [{ count: number }];
      if (count <= 1) throw new BerthError("CONFLICT", "This is the last active administrator; promote another one first.");
    }
    if (changes.plan) {
      // FOR SHARE: a concurrent delete of this plan (admin/plans.ts, FOR UPDATE) waits, then sees this user on it.
      const [plan] = await tx.select({ id: plans.id }).from(plans).where(eq(plans.id, changes.plan)).for("share");
      if (!plan) throw new BerthError("VALIDATION_ERROR", `There is no plan "${changes.plan}".`, { details: { fields: { plan: ["Unknown plan"] } } });
    }
    const suspending = changes.status === "suspended" && current.status !== "suspended";
    const [row] = await tx
      .update(users)
      .set({
        ...(changes.role ? { role: changes.role } : {}),
        ...(changes.status ? { status: changes.status, suspendedAt: changes.status === "suspended" ? (suspending ? new Date() : undefined) : null } : {}),
        ...(changes.plan !== undefined ? { plan: changes.plan } : {}),
        ...(changes.limits ? { limits: changes.limits } : {}),
        updatedAt: new Date(),
      })
      .where(eq(users.id, id))
      .returning(userColumns);
    if (suspending) {
      // Suspension is immediate: every session and token stops working in this same transaction.
      await revokeUserWebSessions(tx, id);
      await revokeUserTokens(tx, id);
    }
    return toUser(row!);
  });
}

export async function getUser(id: string): Promise<User> {
  const [row] = await db().select(userColumns).from(users).where(eq(users.id, id));
  if (!row) throw new BerthError("NOT_FOUND", "No such user.");
  return toUser(row);
}
