// Slots: create, list, read, rename/resize, delete, lifecycle actions, events, heartbeat.
import { Heartbeat, Slot, SlotActionInput, SlotCreated, SlotCreateInput, SlotEventList, SlotEventListInput, SlotId, SlotList, SlotListInput, SlotUpdated, SlotUpdateInput } from "@/lib/schemas/slots";
import { SlotMetrics, SlotMetricsInput } from "@/lib/schemas/metrics";
import { logger } from "@/server/logger";
import { liveMetrics, slotMetricsFor } from "@/server/services/slots/metrics";
import { createSlot } from "@/server/services/slots/create-slot";
import { requestSlotAction, runSlotAction, type SlotAction } from "@/server/services/slots/slot-actions";
import { getSlot, heartbeat, listSlotEvents, listSlots } from "@/server/services/slots/slot-queries";
import { waitUntilSettled } from "@/server/services/slots/slot-waits";
import { updateSlot } from "@/server/services/slots/update-slot";
import { createTRPCRouter, protectedProcedure, serviceContext, whileSignedIn, writerProcedure, type Context } from "../trpc";
import { slotExecProcedures } from "./slot-exec";
import { slotFilesProcedures } from "./slot-files";
import { slotSecretsProcedures } from "./slot-secrets";
import { terminalTicket } from "./terminal";

const tags = ["slots"];

/** Starts the runtime work after the response: the row already says what is intended. */
function runInBackground(ctx: Context, slotId: string, action: SlotAction | "provision") {
  void runSlotAction(slotId, action, ctx.actor?.id ?? null).catch((err: unknown) => logger().error({ err, slotId, action }, "background slot action failed"));
}

function lifecycle(action: Exclude<SlotAction, "delete">, summary: string) {
  return writerProcedure
    .meta({ openapi: { method: "POST", path: `/slots/{id}/${action}`, tags, summary, successDescription: "202: accepted, poll the slot for its status; with wait, 200 once it has settled" } })
    .input(SlotActionInput)
    .output(Slot)
    .mutation(async ({ ctx, input }) => {
      const slot = await requestSlotAction(serviceContext(ctx), input.id, action);
      runInBackground(ctx, slot.id, action);
      if (input.wait) {
        const waited = await waitUntilSettled(serviceContext(ctx), slot.id);
        ctx.response.status = waited.settled ? 200 : 202;
        return waited.slot;
      }
      ctx.response.status = 202;
      return slot;
    });
}

export const slotsRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/slots", tags, summary: "Your slots, newest first" } })
    .input(SlotListInput)
    .output(SlotList)
    .query(({ ctx, input }) => listSlots(serviceContext(ctx), input)),

  create: writerProcedure
    .meta({ openapi: { method: "POST", path: "/slots", tags, summary: "Create a slot (it is provisioned and started in the background)", successDescription: "202: accepted, status creating; with wait, 201 once it has settled (running, or stopped when the plan's running limit is reached)" } })
    .input(SlotCreateInput)
    .output(SlotCreated)
    .mutation(async ({ ctx, input: { wait, ...input } }) => {
      const slot = await createSlot(serviceContext(ctx), input);
      runInBackground(ctx, slot.id, "provision");
      ctx.response.headers.Location = `/api/v1/slots/${slot.id}`;
      if (wait) {
        const waited = await waitUntilSettled(serviceContext(ctx), slot.id);
        ctx.response.status = waited.settled ? 201 : 202;
        return { slot: waited.slot };
      }
      ctx.response.status = 202;
      return { slot };
    }),

  get: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/slots/{id}", tags, summary: "One slot" } })
    .input(SlotId)
    .output(Slot)
    .query(({ ctx, input }) => getSlot(serviceContext(ctx), input.id)),

  update: writerProcedure
    .meta({ openapi: { method: "PATCH", path: "/slots/{id}", tags, summary: "Rename, or change limits (live where the engine allows, else at the next start)" } })
    .input(SlotUpdateInput)
    .output(SlotUpdated)
    .mutation(({ ctx, input: { id, ...changes } }) => updateSlot(serviceContext(ctx), id, changes)),

  delete: writerProcedure
    .meta({ openapi: { method: "DELETE", path: "/slots/{id}", tags, summary: "Delete a slot and its home (in the background)", successDescription: "202: accepted, status deleting" } })
    .input(SlotId)
    .output(Slot)
    .mutation(async ({ ctx, input }) => {
      const slot = await requestSlotAction(serviceContext(ctx), input.id, "delete");
      runInBackground(ctx, slot.id, "delete");
      ctx.response.status = 202;
      return slot;
    }),

  start: lifecycle("start", "Start a stopped slot"),
  stop: lifecycle("stop", "Stop a running slot"),
  restart: lifecycle("restart", "Restart a running slot"),

  events: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/slots/{id}/events", tags, summary: "The slot's state transitions and incidents, newest first" } })
    .input(SlotEventListInput)
    .output(SlotEventList)
    .query(({ ctx, input }) => listSlotEvents(serviceContext(ctx), input)),

  heartbeat: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/slots/{id}/heartbeat", tags, summary: "Mark activity (defers idle auto-stop)" } })
    .input(SlotId)
    .output(Heartbeat)
    .mutation(({ ctx, input }) => heartbeat(serviceContext(ctx), input.id)),

  metrics: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/slots/{id}/metrics", tags, summary: "Latest and recent CPU, memory, disk, network and pids samples" } })
    .input(SlotMetricsInput)
    .output(SlotMetrics)
    .query(({ ctx, input }) => slotMetricsFor(serviceContext(ctx), input)),

  /** Live samples of one slot (tRPC subscription over SSE; the dashboard's charts). */
  metricsLive: protectedProcedure.input(SlotId).subscription(({ ctx, input, signal }) => liveMetrics(serviceContext(ctx), input.id, whileSignedIn(ctx, signal))),

  ...slotExecProcedures,
  ...slotFilesProcedures,
  ...slotSecretsProcedures,

  terminalTicket,
});
