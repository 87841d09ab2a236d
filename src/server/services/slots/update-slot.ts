// Rename a slot or change its limits (live when the engine allows, else at the next start).
import { and, eq, ne, sql } from "drizzle-orm";
import type { Slot } from "@/lib/schemas/slots";
import { slots } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { runtime } from "@/server/runtime";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";
import { requireWriter } from "../context";
import { assertWithinPlan, effectiveLimits } from "./plan-limits";
import { toBerthError } from "./runtime-errors";
import { toSlot } from "./slot-view";
import { recordEvent } from "./transitions";

export type SlotChanges = { name?: string; resources?: Partial<{ cpuMillicores: number; memoryMiB: number; diskMiB: number }> };

export async function updateSlot(ctx: ServiceContext, slotId: string, changes: SlotChanges): Promise<{ slot: Slot; applied: "live" | "next-start" | "none" }> {
  const actor = requireWriter(ctx);
  if (changes.name === undefined && !changes.resources) throw new BerthError("VALIDATION_ERROR", "Nothing to change: send name or resources.");
  return audited(ctx, { action: "slot.update", targetType: "slot", targetId: slotId, details: { ...changes } }, async (tx) => {
    const [slot] = await tx.select().from(slots).where(and(eq(slots.id, slotId), eq(slots.ownerId, actor.id), ne(slots.status, "deleted"))).for("update");
    if (!slot) throw new BerthError("NOT_FOUND", "No such slot.");
    let applied: "live" | "next-start" | "none" = "none";
    const set: Partial<typeof slots.$inferInsert> = { updatedAt: new Date() };
    if (changes.name !== undefined && changes.name !== slot.name) {
      const [clash] = await tx
        .select({ id: slots.id })
        .from(slots)
        .where(and(eq(slots.ownerId, actor.id), ne(slots.status, "deleted"), ne(slots.id, slotId), sql`lower(${slots.name}) = lower(${changes.name})`));
      if (clash) throw new BerthError("CONFLICT", `You already have a slot named "${changes.name}".`, { details: { fields: { name: ["Already used"] } } });
      set.name = changes.name;
      await recordEvent(tx, { slotId, type: "slot.renamed", actorId: actor.id, details: { from: slot.name, to: changes.name } });
    }
    if (changes.resources) {
      const next = {
        cpuMillicores: changes.resources.cpuMillicores ?? slot.cpuMillicores,
        memoryMiB: changes.resources.memoryMiB ?? slot.memoryMiB,
        diskMiB: changes.resources.diskMiB ?? slot.diskMiB,
      };
      assertWithinPlan(await effectiveLimits(tx, actor.id), next);
      Object.assign(set, next);
      applied = "next-start";
      if (slot.containerId && slot.status === "running") {
        try {
          applied = (await runtime().updateResources(slot.containerId, { ...next, pids: slot.pids })).applied;
        } catch (err) {
          throw toBerthError(err) ?? err;
        }
      }
      set.resourcesPending = applied === "next-start" && slot.containerId !== null;
      await recordEvent(tx, { slotId, type: "slot.resources.changed", actorId: actor.id, details: { ...next, applied } });
    }
    const [row] = await tx.update(slots).set(set).where(eq(slots.id, slotId)).returning();
    return { slot: toSlot(row!), applied };
  });
}
