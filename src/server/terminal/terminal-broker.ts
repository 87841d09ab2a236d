// The terminal WebSocket endpoint, /ws/slots/{id}/terminal (API.md "Terminal WebSocket"): takes an
// HTTP upgrade from any Node http server, authorizes it, and bridges it to the slot's terminal.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import { TERMINAL_CLOSE, TerminalQuery, type TerminalServerMessage } from "@/lib/schemas/terminal";
import { env } from "@/server/env";
import { wsCloseCode } from "@/server/errors";
import { logger } from "@/server/logger";
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER, acceptRequestId } from "@/server/request-meta";
import { runtime as defaultRuntime, type WorkspaceRuntime } from "@/server/runtime";
import { touchSlot } from "@/server/services/slots/slot-queries";
import { attachmentLedger } from "./terminal-ledger";
import { authorizeTerminal, terminalSlotId, type TerminalRefusal, type TerminalTarget } from "./terminal-auth";
import { TerminalSession } from "./terminal-session";

/** Dead peers (no pong) are dropped after one interval. */
const KEEPALIVE_MS = 30_000;
/** Shutdown waits this long for closed sockets' attachments to be killed. */
const CLOSE_GRACE_MS = 5_000;
/** A close reason may be at most 123 bytes. */
const MAX_REASON_BYTES = 123;

export type TerminalBrokerOptions = {
  runtime?: () => WorkspaceRuntime;
  log?: Logger;
  /** The origin a cookie-authenticated socket must come from; default BERTH_URL's. */
  berthOrigin?: string;
};

export type TerminalBroker = {
  /** Takes the upgrade when its path is a terminal's and answers true; false leaves it to the caller. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Open terminal sockets. */
  readonly size: number;
  /** Closes every terminal socket with 1001 and kills their attachments; the shells stay in tmux. */
  close(): Promise<void>;
};

function shortReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > MAX_REASON_BYTES) out = out.slice(0, -1);
  return out;
}

export function createTerminalBroker(opts: TerminalBrokerOptions = {}): TerminalBroker {
  const log = (opts.log ?? logger()).child({ component: "terminal" });
  const runtime = opts.runtime ?? defaultRuntime;
  const berthOrigin = () => opts.berthOrigin ?? new URL(env().BERTH_URL).origin;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
  const sessions = new Set<TerminalSession>();
  const alive = new WeakMap<WebSocket, boolean>();
  let closing = false;

  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, KEEPALIVE_MS);
  keepalive.unref();

  // Ownership was checked when the socket was authorized: a plain activity mark is enough.
  const touch = (target: TerminalTarget) => touchSlot(target.slotId);

  function refuse(ws: WebSocket, refusal: TerminalRefusal): void {
    const message: TerminalServerMessage = { type: "error", code: refusal.code, message: refusal.reason };
    ws.send(JSON.stringify(message));
    ws.close(refusal.closeCode, shortReason(refusal.reason));
  }

  function accept(req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void): void {
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on("pong", () => alive.set(ws, true));
      then(ws);
    });
  }

  async function authorize(req: IncomingMessage, socket: Duplex, head: Buffer, slotId: string, url: URL): Promise<void> {
    const parsed = TerminalQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? "Invalid query.";
      return accept(req, socket, head, (ws) => refuse(ws, { code: "VALIDATION_ERROR", closeCode: wsCloseCode("VALIDATION_ERROR"), reason }));
    }
    const query = parsed.data;
    const meta = {
      ip: (req.headers[CLIENT_IP_HEADER] as string | undefined) ?? req.socket.remoteAddress ?? null,
      requestId: acceptRequestId(req.headers[REQUEST_ID_HEADER]),
      userAgent: req.headers["user-agent"] ?? null,
    };
    const result = await authorizeTerminal(req, { slotId, ticket: query.ticket, berthOrigin: berthOrigin(), meta });
    if ("closeCode" in result) {
      log.info({ slotId, requestId: meta.requestId, code: result.closeCode, reason: result.reason }, "terminal: refused");
      return accept(req, socket, head, (ws) => refuse(ws, result));
    }
    accept(req, socket, head, (ws) => {
      if (closing) return refuse(ws, { code: "RUNTIME_UNAVAILABLE", closeCode: TERMINAL_CLOSE.goingAway, reason: "Berth is shutting down; reconnect in a moment." });
      const session = new TerminalSession(ws, result, { session: query.session, cols: query.cols, rows: query.rows }, { runtime, log, touch, ledger: attachmentLedger });
      sessions.add(session);
      ws.once("close", () => void session.end(TERMINAL_CLOSE.normal, "").finally(() => sessions.delete(session)));
    });
  }

  return {
    handleUpgrade(req, socket, head) {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://berth.invalid");
      } catch {
        return false; // not a URL we serve: the caller answers it
      }
      const slotId = terminalSlotId(url.pathname);
      if (!slotId) return false;
      socket.on("error", () => socket.destroy()); // a peer vanishing mid-handshake is not our error
      authorize(req, socket, head, slotId, url).catch((err: unknown) => {
        log.error({ err, slotId }, "terminal: could not authorize the socket");
        accept(req, socket, head, (ws) => ws.close(TERMINAL_CLOSE.internal, "Something went wrong on our side."));
      });
      return true;
    },
    get size() {
      return sessions.size;
    },
    async close() {
      closing = true;
      clearInterval(keepalive);
      const ends = [...sessions].map((s) => s.end(TERMINAL_CLOSE.goingAway, "Berth is restarting; reconnect in a moment."));
      await Promise.race([Promise.allSettled(ends), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
