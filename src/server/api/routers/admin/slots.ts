// Admin: every user's slots; stop or delete any of them.
import { AdminSlot, AdminSlotList, AdminSlotListInput } from "@/lib/schemas/admin-catalog";
import { SlotId } from "@/lib/schemas/slots";
import { logger } from "@/server/logger";
import { getAdminSlot, listAdminSlots, requestAdminSlotAction, type AdminSlotAction } from "@/server/services/admin/slots";
import { runSlotAction } from "@/server/services/slots/slot-actions";
import { adminProcedure, createTRPCRouter, serviceContext, type Context } from "../../trpc";

const tags = ["admin"];

/** The intent is recorded; the runtime work runs after the response (as for the owner's actions). */
function runInBackground(ctx: Context, slotId: string, action: AdminSlotAction) {
  void runSlotAction(slotId, action, ctx.actor?.id ?? null).catch((err: unknown) => logger().error({ err, slotId, action }, "background admin slot action failed"));
}

export const adminSlotsRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/slots", tags, summary: "Every user's slots, newest first, with their owner" } })
    .input(AdminSlotListInput)
    .output(AdminSlotList)
    .query(({ input }) => listAdminSlots(input)),

  get: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/slots/{id}", tags, summary: "Any user's slot" } })
    .input(SlotId)
    .output(AdminSlot)
    .query(({ input }) => getAdminSlot(input.id)),

  stop: adminProcedure
    .meta({ openapi: { method: "POST", path: "/admin/slots/{id}/stop", tags, summary: "Stop any user's running slot", successDescription: "202: accepted; poll the slot for its status" } })
    .input(SlotId)
    .output(AdminSlot)
    .mutation(async ({ ctx, input }) => {
      const slot = await requestAdminSlotAction(serviceContext(ctx), input.id, "stop");
      runInBackground(ctx, slot.id, "stop");
      ctx.response.status = 202;
      return slot;
    }),

  delete: adminProcedure
    .meta({ openapi: { method: "DELETE", path: "/admin/slots/{id}", tags, summary: "Delete any user's slot and its home (in the background)", successDescription: "202: accepted, status deleting" } })
    .input(SlotId)
    .output(AdminSlot)
    .mutation(async ({ ctx, input }) => {
      const slot = await requestAdminSlotAction(serviceContext(ctx), input.id, "delete");
      runInBackground(ctx, slot.id, "delete");
      ctx.response.status = 202;
      return slot;
    }),
});
