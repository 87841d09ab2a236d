// The terminal's REST side: single-use tickets for the WebSocket (the socket itself lives in server/terminal/).
import { SlotId } from "@/lib/schemas/slots";
import { TerminalTicket } from "@/lib/schemas/terminal";
import { createTerminalTicket } from "@/server/terminal/terminal-tickets";
import { serviceContext, writerProcedure } from "../trpc";

export const terminalTicket = writerProcedure
  .meta({ openapi: { method: "POST", path: "/slots/{id}/terminal/tickets", tags: ["terminal"], summary: "A single-use ticket (valid ~30 s) to open the slot's terminal WebSocket", successDescription: "201: the ticket and the WebSocket path to open with it" } })
  .input(SlotId)
  .output(TerminalTicket)
  .mutation(async ({ ctx, input }) => {
    const ticket = await createTerminalTicket(serviceContext(ctx), input.id);
    ctx.response.status = 201;
    return ticket;
  });
