// Admin: plans, the quotas and prices users get. Exactly one plan is the default (the plan of every
// user without one); a plan that users are on cannot be deleted.
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { AdminPlan, PlanChanges, PlanCreateInput } from "@/lib/schemas/admin-catalog";
import { db, type Tx } from "@/server/db";
import { plans, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";

type PlanRow = typeof plans.$inferSelect;

/** Plan changes run one at a time, so "exactly one default" and "id unique" hold under concurrency. */
async function lockPlans(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(727276)`);
}

async function userCounts(planId?: string): Promise<Map<string, number>> {
  const rows = await db()
    .select({ plan: users.plan, count: sql<number>`count(*)::int` })
    .from(users)
    .where(and(isNotNull(users.plan), planId ? eq(users.plan, planId) : undefined))
    .groupBy(users.plan);
  return new Map(rows.map((r) => [r.plan!, r.count]));
}

function toAdminPlan(row: PlanRow, userCount: number): AdminPlan {
  const { createdAt, updatedAt, ...rest } = row;
  return { ...rest, users: userCount, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

async function describePlan(row: PlanRow): Promise<AdminPlan> {
  return toAdminPlan(row, (await userCounts(row.id)).get(row.id) ?? 0);
}

export async function listAdminPlans(): Promise<{ data: AdminPlan[]; nextCursor: null }> {
  const [rows, counts] = await Promise.all([db().select().from(plans).orderBy(asc(plans.pricePerHourCents), asc(plans.id)), userCounts()]);
  return { data: rows.map((r) => toAdminPlan(r, counts.get(r.id) ?? 0)), nextCursor: null };
}

export async function getAdminPlan(id: string): Promise<AdminPlan> {
  const [row] = await db().select().from(plans).where(eq(plans.id, id));
  if (!row) throw new BerthError("NOT_FOUND", "No such plan.");
  return describePlan(row);
}

function assertRunningWithinSlots(maxSlots: number, maxRunning: number): void {
  if (maxRunning > maxSlots) {
    throw new BerthError("VALIDATION_ERROR", `maxRunning (${maxRunning}) cannot be more than maxSlots (${maxSlots}).`, {
      details: { fields: { maxRunning: [`At most maxSlots (${maxSlots})`] } },
    });
  }
}

export async function createPlan(ctx: ServiceContext, input: PlanCreateInput): Promise<AdminPlan> {
  assertRunningWithinSlots(input.maxSlots, input.maxRunning);
  const row = await audited(ctx, { action: "admin.plan.create", targetType: "plan", targetId: input.id, details: { ...input } }, async (tx) => {
    await lockPlans(tx);
    const [clash] = await tx.select({ id: plans.id }).from(plans).where(eq(plans.id, input.id));
    if (clash) throw new BerthError("CONFLICT", `A plan with the id "${input.id}" already exists.`, { details: { fields: { id: ["Already used"] } } });
    if (input.isDefault) await tx.update(plans).set({ isDefault: false, updatedAt: new Date() }).where(eq(plans.isDefault, true));
    const [created] = await tx.insert(plans).values(input).returning();
    return created!;
  });
  return toAdminPlan(row, 0);
}

export async function updatePlan(ctx: ServiceContext, id: string, changes: PlanChanges): Promise<AdminPlan> {
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as PlanChanges;
  if (!Object.keys(given).length) throw new BerthError("VALIDATION_ERROR", "Nothing to change: send at least one field.");
  const row = await audited(ctx, { action: "admin.plan.update", targetType: "plan", targetId: id, details: { ...given } }, async (tx) => {
    await lockPlans(tx);
    const [current] = await tx.select().from(plans).where(eq(plans.id, id)).for("update");
    if (!current) throw new BerthError("NOT_FOUND", "No such plan.");
    if (given.isDefault === false && current.isDefault) {
      throw new BerthError("CONFLICT", "This is the default plan and there must always be one: make another plan the default instead.");
    }
    assertRunningWithinSlots(given.maxSlots ?? current.maxSlots, given.maxRunning ?? current.maxRunning);
    const makeDefault = given.isDefault === true && !current.isDefault;
    if (makeDefault) await tx.update(plans).set({ isDefault: false, updatedAt: new Date() }).where(eq(plans.isDefault, true));
    const { isDefault: _isDefault, ...fields } = given;
    const [updated] = await tx
      .update(plans)
      .set({ ...fields, ...(makeDefault ? { isDefault: true } : {}), updatedAt: new Date() })
      .where(eq(plans.id, id))
      .returning();
    return updated!;
  });
  return describePlan(row);
}

export async function deletePlan(ctx: ServiceContext, id: string): Promise<void> {
  await audited(ctx, { action: "admin.plan.delete", targetType: "plan", targetId: id }, async (tx) => {
    await lockPlans(tx);
    // FOR UPDATE waits for any user assignment holding this plan row (FOR SHARE, see admin/users.ts).
    const [current] = await tx.select().from(plans).where(eq(plans.id, id)).for("update");
    if (!current) throw new BerthError("NOT_FOUND", "No such plan.");
    if (current.isDefault) {
      throw new BerthError("CONFLICT", "This is the default plan: make another plan the default before deleting it.");
    }
    const [{ count }] = (await tx.select({ count: sql<number>`count(*)::int` }).from(users).where(eq(users.plan, id))) as [{ count: number }];
    if (count > 0) {
      throw new BerthError("CONFLICT", `${count} user${count === 1 ? " is" : "s are"} on this plan, so it cannot be deleted. Move them to another plan first.`, {
        details: { users: count },
      });
    }
    await tx.delete(plans).where(eq(plans.id, id));
  });
}
