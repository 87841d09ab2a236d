// bench/raw-terminal.ts — the two kinds of terminal bench/terminal.ts times side by side: a Berth terminal WebSocket (what
// the dashboard opens) and the raw baseline, a dockerode TTY exec attached to tmux in the same
// container with nothing in between. Both expose the same small surface: type bytes, count what
// arrives, wait until a pattern shows up in what arrived after a given offset.
import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import type { docker } from "./raw-docker";

type Container = ReturnType<(typeof docker)["getContainer"]>;
type Exec = Awaited<ReturnType<Container["exec"]>>;

export type Term = {
  /** Bytes received so far (terminal output only; control frames are not counted). */
  readonly received: number;
  /** When the first output byte arrived (performance.now()), 0 before. */
  readonly firstAt: number;
  send(s: string | Buffer): void;
  /** Resolves with the time (performance.now()) the first chunk containing `pattern` in the output after `from` arrived. */
  waitFor(pattern: RegExp | string, from?: number, timeoutMs?: number): Promise<number>;
  /** The output since offset `from` (kept as latin1 text, the last 4 MB at most). */
  since(from: number): string;
  close(): void;
};

/** How far back a scan reaches into output already scanned: longer than any pattern waited for. */
const OVERLAP = 64;

/** Output kept for matching: the tail of what arrived, with the absolute offset of its first byte. */
class OutputLog {
  received = 0;
  /** When the first output byte arrived (performance.now()). */
  firstAt = 0;
  /** Chunks as latin1 text with the absolute offset of their first byte; the last ~4 MB. */
  private chunks: { at: number; text: string }[] = [];
  private kept = 0;
  private readonly waiters = new Set<() => void>();

  push(chunk: Buffer): void {
    if (!this.received) this.firstAt = performance.now();
    this.chunks.push({ at: this.received, text: chunk.toString("latin1") });
    this.received += chunk.length;
    this.kept += chunk.length;
    while (this.kept > 4_000_000 && this.chunks.length > 1) this.kept -= this.chunks.shift()!.text.length;
    for (const w of this.waiters) w();
  }

  since(from: number): string {
    let i = this.chunks.length;
    while (i > 0 && this.chunks[i - 1]!.at + this.chunks[i - 1]!.text.length > from) i--;
    const parts = this.chunks.slice(i).map((c) => c.text);
    const first = this.chunks[i];
    if (first && parts.length) parts[0] = parts[0]!.slice(Math.max(0, from - first.at));
    return parts.join("");
  }

  /**
   * Scans only what arrived since the last look (plus a short overlap for a pattern split across
   * chunks): rescanning all the output on every chunk made the client, not the terminal, the
   * bottleneck of the throughput run.
   */
  waitFor(pattern: RegExp | string, from = 0, timeoutMs = 30_000): Promise<number> {
    let scanned = from;
    const test = () => {
      const start = Math.max(from, scanned - OVERLAP);
      scanned = this.received;
      const s = this.since(start);
      return typeof pattern === "string" ? s.includes(pattern) : pattern.test(s);
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        const at = performance.now();
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(at);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(this.since(from).slice(-300))}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

function asTerm(log: OutputLog, send: (b: Buffer) => void, close: () => void): Term {
  return {
    get received() {
      return log.received;
    },
    get firstAt() {
      return log.firstAt;
    },
    send: (s) => send(Buffer.isBuffer(s) ? s : Buffer.from(s)),
    waitFor: (p, from, t) => log.waitFor(p, from, t),
    since: (from) => log.since(from),
    close,
  };
}

export type BerthTerm = Term & {
  ws: WebSocket;
  openedAt: Promise<number>;
  closed: Promise<{ code: number; reason: string }>;
  controls: unknown[];
  /** Round trip of a {"type":"ping"} control frame: the socket and the broker's event loop, no engine. */
  ping(): Promise<number>;
};

/** Opens the Berth terminal socket at `url` (a ticket's path, with query) on `base` (ws://host:port). */
export function openBerthTerm(base: string, url: string): BerthTerm {
  const ws = new WebSocket(`${base}${url}`, { perMessageDeflate: false });
  const log = new OutputLog();
  const controls: unknown[] = [];
  let pong: (() => void) | undefined;
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) return log.push(data);
    const message = JSON.parse(data.toString()) as { type?: string };
    if (message.type === "pong" && pong) return pong();
    controls.push(message);
  });
  const ping = () =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      pong = () => {
        pong = undefined;
        resolve(performance.now() - t0);
      };
      ws.send(JSON.stringify({ type: "ping" }));
    });
  ws.on("error", () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const pending: Buffer[] = [];
  const openedAt = new Promise<number>((resolve) => ws.once("open", () => resolve(performance.now())));
  ws.once("open", () => {
    // No Nagle on the client either: a keystroke is one small frame.
    (ws as unknown as { _socket?: { setNoDelay(v: boolean): void } })._socket?.setNoDelay(true);
    for (const b of pending.splice(0)) ws.send(b, { binary: true });
  });
  const term = asTerm(
    log,
    (b) => (ws.readyState === ws.OPEN ? ws.send(b, { binary: true }) : pending.push(b)),
    () => ws.close(),
  );
  return Object.assign(term, { ws, openedAt, closed, controls, ping });
}

export type RawTerm = Term & { exec: Exec; stream: Duplex; startedAt: number };

/**
 * The raw baseline: what Berth's docker-tty.ts asks of the engine (TTY exec as uid 1000, TERM,
 * start hijacked, resize), running `tmux new-session -A -s <session>` straight, or any `cmd`.
 */
export async function openRawTerm(container: Container, opts: { cmd: string[]; cols?: number; rows?: number; env?: string[] }): Promise<RawTerm> {
  const exec = await container.exec({
    Cmd: opts.cmd,
    Env: ["TERM=xterm-256color", ...(opts.env ?? [])],
    User: "1000:1000",
    Tty: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const startedAt = performance.now();
  const log = new OutputLog();
  stream.on("data", (chunk: Buffer) => log.push(chunk));
  stream.on("error", () => undefined);
  await exec.resize({ h: opts.rows ?? 24, w: opts.cols ?? 80 }).catch(() => undefined);
  const term = asTerm(
    log,
    (b) => stream.write(b),
    () => stream.destroy(),
  );
  return Object.assign(term, { exec, stream, startedAt });
}

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((s.length * p) / 100) - 1))]!;
};
