// Admin: every user's slots — list, read, and stop or delete any of them. The owner's own path
// (slots/slot-actions.ts) checks ownership; this one does not, and audits as admin.slot.*. The
// runtime work afterwards is the same runSlotAction the owner's actions use.
import { and, desc, eq, ilike, ne, or, type SQL } from "drizzle-orm";
import type { AdminSlot } from "@/lib/schemas/admin-catalog";
import { db } from "@/server/db";
import { slots, templates, users, type SlotStatus } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";
import { assertRuntimeReachable } from "../slots/runtime-errors";
import { toSlot, type SlotRow } from "../slots/slot-view";
import { transition } from "../slots/transitions";

export type AdminSlotAction = "stop" | "delete";

/** The same intents as the owner's actions (slots/slot-actions.ts), from the same states. */
const REQUEST = {
  stop: { from: ["running"], to: "stopping", event: "slot.stopping" },
  delete: { from: ["stopped", "running", "error"], to: "deleting", event: "slot.deleting" },
} as const;

const columns = { slot: slots, ownerEmail: users.email, templateName: templates.name };

function toAdminSlot(row: { slot: SlotRow; ownerEmail: string; templateName: string }): AdminSlot {
  return { ...toSlot(row.slot), ownerEmail: row.ownerEmail, templateName: row.templateName };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listAdminSlots(args: { status?: SlotStatus; ownerId?: string; q?: string; limit: number; cursor?: string }): Promise<{ data: AdminSlot[]; nextCursor: string | null }> {
  const where: (SQL | undefined)[] = [afterCursor(args.cursor, slots.createdAt, slots.id)];
  where.push(args.status ? eq(slots.status, args.status) : ne(slots.status, "deleted"));
  if (args.ownerId) where.push(eq(slots.ownerId, args.ownerId));
  if (args.q) {
    const pattern = `%${escapeLike(args.q)}%`;
    where.push(or(ilike(slots.name, pattern), eq(slots.id, args.q), ilike(users.email, pattern)));
  }
  const rows = await db()
    .select(columns)
    .from(slots)
    .innerJoin(users, eq(users.id, slots.ownerId))
    .innerJoin(templates, eq(templates.id, slots.templateId))
    .where(and(...where))
    .orderBy(desc(slots.createdAt), desc(slots.id))
    .limit(args.limit + 1);
  const page = pageFrom(
    rows.map((r) => ({ ...r, createdAt: r.slot.createdAt, id: r.slot.id })),
    args.limit,
  );
  return { data: page.rows.map(toAdminSlot), nextCursor: page.nextCursor };
}

/** Any user's slot, deleted ones included (an admin may look at what happened). */
export async function getAdminSlot(id: string): Promise<AdminSlot> {
  const [row] = await db()
    .select(columns)
    .from(slots)
    .innerJoin(users, eq(users.id, slots.ownerId))
    .innerJoin(templates, eq(templates.id, slots.templateId))
    .where(eq(slots.id, id));
  if (!row) throw new BerthError("NOT_FOUND", "No such slot.");
  return toAdminSlot(row);
}

/**
 * Records an administrator's intent to stop or delete any user's slot (status, event, audit row in
 * one transaction). The caller then runs `runSlotAction(slot.id, action)` to do the runtime work.
 */
export async function requestAdminSlotAction(ctx: ServiceContext, slotId: string, action: AdminSlotAction): Promise<AdminSlot> {
  if (!ctx.actor) throw new BerthError("UNAUTHORIZED", "Sign in first.");
  const actorId = ctx.actor.id;
  // NOT_FOUND before asking the engine anything.
  const [existing] = await db()
    .select({ ownerId: slots.ownerId, name: slots.name })
    .from(slots)
    .where(and(eq(slots.id, slotId), ne(slots.status, "deleted")));
  if (!existing) throw new BerthError("NOT_FOUND", "No such slot.");
  await assertRuntimeReachable();
  const r = REQUEST[action];
  await audited(ctx, { action: `admin.slot.${action}`, targetType: "slot", targetId: slotId, details: { ownerId: existing.ownerId, name: existing.name } }, (tx) =>
    transition(tx, { slotId, from: r.from, to: r.to, event: r.event, actorId, details: { byAdmin: true } }),
  );
  return getAdminSlot(slotId);
}
