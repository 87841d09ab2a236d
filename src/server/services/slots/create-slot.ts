// Creating a slot: check the plan under a per-user lock (quotas hold under concurrency), write the
// row in `creating` with its event and audit row; provisioning runs after (see slot-actions.ts).
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Slot } from "@/lib/schemas/slots";
import { slots, templates, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { audited } from "../audit/audited";
import { requireWriter, type ServiceContext } from "../context";
import { assertWithinPlan, effectiveLimits, limitOwner } from "./plan-limits";
import { assertRuntimeReachable } from "./runtime-errors";
import { toSlot } from "./slot-view";
import { recordEvent } from "./transitions";

export type CreateSlotArgs = {
  name: string;
  templateId?: string;
  resources?: Partial<{ cpuMillicores: number; memoryMiB: number; diskMiB: number }>;
};

export async function createSlot(ctx: ServiceContext, args: CreateSlotArgs): Promise<Slot> {
  const actor = requireWriter(ctx);
  await assertRuntimeReachable();
  const id = newId("slt");
  return audited(ctx, { action: "slot.create", targetType: "slot", targetId: id, details: { name: args.name } }, async (tx, record) => {
    // Serialize this user's creates: the count below cannot be raced past the quota.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.id)).for("update");
    const limits = await effectiveLimits(tx, actor.id);
    const [{ count }] = (await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(slots)
      .where(and(eq(slots.ownerId, actor.id), ne(slots.status, "deleted")))) as [{ count: number }];
    if (count >= limits.maxSlots) {
      throw new BerthError("QUOTA_EXCEEDED", `${limitOwner(limits, "maxSlots")} allows ${limits.maxSlots} slots and you have ${count}. Delete one or change plan.`, {
        details: { limit: limits.maxSlots, current: count, plan: limits.planId, quota: "slots" },
      });
    }
    const [template] = args.templateId
      ? await tx.select().from(templates).where(and(eq(templates.id, args.templateId), eq(templates.enabled, true)))
      : await tx.select().from(templates).where(and(eq(templates.isDefault, true), eq(templates.enabled, true))).limit(1);
    if (!template) {
      throw new BerthError(args.templateId ? "VALIDATION_ERROR" : "CONFLICT", args.templateId ? "No such template." : "There is no default template; an administrator must create one.", {
        details: args.templateId ? { fields: { templateId: ["Unknown template"] } } : undefined,
      });
    }
    const resources = {
      cpuMillicores: args.resources?.cpuMillicores ?? Math.min(template.cpuMillicores, limits.cpuMillicores),
      memoryMiB: args.resources?.memoryMiB ?? Math.min(template.memoryMiB, limits.memoryMiB),
      diskMiB: args.resources?.diskMiB ?? Math.min(template.diskMiB, limits.diskMiB),
    };
    assertWithinPlan(limits, resources);
    const [clash] = await tx
      .select({ id: slots.id })
      .from(slots)
      .where(and(eq(slots.ownerId, actor.id), ne(slots.status, "deleted"), sql`lower(${slots.name}) = lower(${args.name})`));
    if (clash) throw new BerthError("CONFLICT", `You already have a slot named "${args.name}".`, { details: { fields: { name: ["Already used"] } } });
    const [row] = await tx
      .insert(slots)
      .values({ id, ownerId: actor.id, templateId: template.id, name: args.name, status: "creating", ...resources, pids: limits.pids })
      .returning();
    await recordEvent(tx, { slotId: id, type: "slot.created", toStatus: "creating", actorId: actor.id, details: { template: template.slug, ...resources }, slot: row! });
    record.details = { name: args.name, template: template.slug, ...resources };
    return toSlot(row!);
  });
}

/** How many of the user's slots hold a running allowance (starting or running). */
export async function runningCount(tx: Parameters<Parameters<typeof audited>[2]>[0], ownerId: string): Promise<number> {
  const [{ count }] = (await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(slots)
    .where(and(eq(slots.ownerId, ownerId), inArray(slots.status, ["starting", "running"])))) as [{ count: number }];
  return count;
}
