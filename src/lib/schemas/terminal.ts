// The terminal: its single-use tickets (REST) and the WebSocket's query and control messages (API.md).
import { z } from "zod";
import { IsoDate } from "./common";

export const TerminalTicket = z
  .object({
    ticket: z.string().describe("Single use, valid about 30 s, for this slot and this user only"),
    url: z.string().describe("Path of the WebSocket to open: /ws/slots/{id}/terminal?ticket=…"),
    expiresAt: IsoDate,
  })
  .meta({ id: "TerminalTicket" });
export type TerminalTicket = z.infer<typeof TerminalTicket>;

const Cols = z.coerce.number().int().min(1).max(1000);
const Rows = z.coerce.number().int().min(1).max(500);

/** The WebSocket URL's query. A size out of range falls back to the default rather than refusing the socket. */
export const TerminalQuery = z.object({
  ticket: z.string().max(200).optional(),
  session: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "session is 1–32 letters, digits, - or _")
    .default("main")
    .describe("The slot's tmux session to attach to (created when missing); several terminals may share one or use their own"),
  cols: Cols.catch(80).default(80),
  rows: Rows.catch(24).default(24),
});
export type TerminalQuery = z.infer<typeof TerminalQuery>;

/** Text frames from the client. Binary frames are terminal input. */
export const TerminalClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("resize"), cols: Cols, rows: Rows }),
  z.object({ type: z.literal("ping") }),
]);
export type TerminalClientMessage = z.infer<typeof TerminalClientMessage>;

/** Text frames from the server. Binary frames are terminal output. */
export type TerminalServerMessage =
  | { type: "exit"; code: number | null }
  | { type: "error"; code: string; message: string }
  | { type: "pong" };

/** WebSocket close codes (API.md): the 44xx mirror the HTTP statuses. */
export const TERMINAL_CLOSE = { normal: 1000, goingAway: 1001, internal: 1011, unauthorized: 4401, notFound: 4404, notRunning: 4409 } as const;
