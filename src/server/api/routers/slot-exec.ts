// Commands in a slot: run one (waiting, or in the background), its history, one record, cancel.
// Merged into the slots router: slots.exec, slots.execs.list/get/cancel. The streaming form is a
// plain route handler (src/app/api/v1/slots/[id]/exec/stream/route.ts).
import { ExecInput, ExecList, ExecListInput, ExecRecord, ExecRef } from "@/lib/schemas/exec";
import { logger } from "@/server/logger";
import { cancelSlotExec, getSlotExec, listSlotExecs, runSlotExec, startSlotExec } from "@/server/services/slots/exec";
import { createTRPCRouter, protectedProcedure, serviceContext, writerProcedure } from "../trpc";

const tags = ["exec"];

export const slotExecProcedures = {
  exec: writerProcedure
    .meta({ openapi: { method: "POST", path: "/slots/{id}/exec", tags, summary: "Run a command in a running slot (argv, or a string run by /bin/sh -c) and answer with its exit code and output", successDescription: "200 once it has ended or timed out; with async, 202 at once with the running record" } })
    .input(ExecInput)
    .output(ExecRecord)
    .mutation(async ({ ctx, input: { async, ...input } }) => {
      if (!async) return runSlotExec(serviceContext(ctx), input, ctx.signal);
      const started = await startSlotExec(serviceContext(ctx), input);
      void started.done.then((r) => logger().debug({ execId: r.id, status: r.status }, "background exec ended"));
      ctx.response.status = 202;
      ctx.response.headers.Location = `/api/v1/slots/${input.id}/execs/${started.record.id}`;
      return started.record;
    }),

  execs: createTRPCRouter({
    list: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/slots/{id}/execs", tags, summary: "Commands run in the slot, newest first (without their output)" } })
      .input(ExecListInput)
      .output(ExecList)
      .query(({ ctx, input }) => listSlotExecs(serviceContext(ctx), input)),

    get: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/slots/{id}/execs/{execId}", tags, summary: "One command: its status and output (so far, while it runs)" } })
      .input(ExecRef)
      .output(ExecRecord)
      .query(({ ctx, input }) => getSlotExec(serviceContext(ctx), input.id, input.execId)),

    cancel: writerProcedure
      .meta({ openapi: { method: "POST", path: "/slots/{id}/execs/{execId}/cancel", tags, summary: "Kill a running command and everything it started (status cancelled)" } })
      .input(ExecRef)
      .output(ExecRecord)
      .mutation(({ ctx, input }) => cancelSlotExec(serviceContext(ctx), input.id, input.execId)),
  }),
};
