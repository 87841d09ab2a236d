// One terminal socket bridged to one TTY attachment of the slot's tmux session: bytes both ways,
// resize, exit; the exec's output paused while the socket is behind; the attachment killed when
// the socket goes (Docker leaves it running otherwise), while tmux keeps the shell for the next one.
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { TERMINAL_CLOSE, TerminalClientMessage, type TerminalServerMessage } from "@/lib/schemas/terminal";
import { BerthError, wsCloseCode } from "@/server/errors";
import { newId } from "@/server/ids";
import { secretEnvironment } from "@/server/services/secrets/slot-environment";
import { RuntimeOperationError, SLOT_EXEC_USER, type TerminalProcess, type WorkspaceRuntime } from "@/server/runtime/types";
import type { TerminalTarget } from "./terminal-auth";

/**
 * Flow control. Above HIGH bytes waiting in the socket the exec stream is paused (the engine, then
 * tmux, hold back; tmux drops what a slow client cannot take and redraws), below LOW it resumes.
 * Small on purpose: whatever sits here is screen the user must wait through after Ctrl-C.
 */
export const HIGH_WATER_BYTES = 64 * 1024;
export const LOW_WATER_BYTES = 16 * 1024;
/** Input typed while the exec is still opening is kept, up to this much. */
const EARLY_INPUT_LIMIT = 64 * 1024;
/** Terminal input marks the slot active (idle auto-stop) at most this often. */
export const ACTIVITY_INTERVAL_MS = 30_000;

export type TerminalSessionDeps = {
  runtime: () => WorkspaceRuntime;
  log: Logger;
  /** Marks the slot active (terminal input counts as activity). */
  touch: (target: TerminalTarget) => Promise<unknown>;
  /** Records each attachment while its socket is open, so one a dead Berth leaves is found and ended. */
  ledger?: AttachmentLedger;
  /** The slot's secrets as environment variables, read fresh at each open (default: from the database). */
  environment?: (target: TerminalTarget) => Promise<Record<string, string>>;
};

// The slot owner's secrets (stored under the owner), whoever opens the terminal.
const slotSecrets = (target: TerminalTarget) => secretEnvironment(target.ownerId, target.slotId);

export type AttachmentLedger = {
  opened(marker: string, slotId: string): Promise<unknown>;
  closed(marker: string): Promise<unknown>;
};

export class TerminalSession {
  private proc: TerminalProcess | undefined;
  private readonly marker = newId("term");
  private readonly opening: Promise<void>;
  private ended: Promise<void> | undefined;
  private exited = false;
  private paused = false;
  private early: Buffer[] = [];
  private earlyBytes = 0;
  private lastTouch = 0;
  private readonly log: Logger;

  constructor(
    private readonly ws: WebSocket,
    private readonly target: TerminalTarget,
    private readonly opts: { session: string; cols: number; rows: number },
    private readonly deps: TerminalSessionDeps,
  ) {
    this.log = deps.log.child({ slotId: target.slotId, userId: target.actor.id, terminal: this.marker });
    ws.on("message", (data, isBinary) => this.onMessage(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]), isBinary));
    ws.on("close", () => void this.end(TERMINAL_CLOSE.normal, ""));
    ws.on("error", (err) => this.log.warn({ err }, "terminal: socket error"));
    // Opened at once, so end() (which waits for it) can never miss an attachment still opening.
    this.opening = this.attach().catch((err: unknown) => this.failed(err));
  }

  /** Settles once the attachment is open, or has failed and the socket is closing. */
  get ready(): Promise<void> {
    return this.opening;
  }

  /** Closes the socket (if open) and kills the attachment; the shell stays in tmux. Idempotent. */
  end(code: number, reason: string): Promise<void> {
    if (this.ended) return this.ended;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    this.ended = this.opening.then(async () => {
      const proc = this.proc;
      if (proc) {
        proc.stream.destroy();
        if (!this.exited) {
          const killed = await this.deps
            .runtime()
            .killByMarker(this.target.containerId, this.marker)
            .then(() => true)
            .catch((err: unknown) => {
              this.log.warn({ err }, "terminal: could not kill the attachment of a closed socket");
              return false;
            });
          // Kept on record when it may still run: the sweep ends it once this process is gone.
          if (!killed) return;
        }
      }
      // Every way out forgets the row: a clean close, a tmux client that exited, an open that failed.
      await this.deps.ledger?.closed(this.marker).catch((err: unknown) => this.log.warn({ err }, "terminal: could not forget a closed attachment"));
    });
    return this.ended;
  }

  private async attach(): Promise<void> {
    // The secrets first: a refusal there leaves no attachment (and no ledger row) behind.
    const env = await (this.deps.environment ?? slotSecrets)(this.target);
    // Recorded alongside the open (a row is written long before the engine has made the exec).
    const recorded = this.deps.ledger?.opened(this.marker, this.target.slotId).catch((err: unknown) => this.log.warn({ err }, "terminal: could not record the attachment"));
    let proc: TerminalProcess;
    try {
      proc = await this.deps.runtime().openTerminal(this.target.containerId, { ...this.opts, env, user: SLOT_EXEC_USER, marker: this.marker });
    } finally {
      await recorded; // written before end() forgets it, whether the open worked or not
    }
    this.proc = proc;
    if (this.ended) return; // the socket went while the exec opened: end() kills it
    this.pipeOutput(proc.stream);
    for (const chunk of this.early) this.writeInput(proc.stream, chunk);
    this.early = [];
    void proc.wait().then((code) => {
      this.exited = true;
      if (this.ended) return;
      this.send({ type: "exit", code });
      void this.end(TERMINAL_CLOSE.normal, "exited");
    });
    this.log.info({ via: this.target.via, ...this.opts }, "terminal: opened");
  }

  private pipeOutput(stream: Duplex): void {
    const drained = () => {
      if (this.paused && this.ws.bufferedAmount < LOW_WATER_BYTES) {
        this.paused = false;
        stream.resume();
      }
    };
    stream.on("data", (chunk: Buffer) => {
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.ws.send(chunk, { binary: true }, drained);
      if (!this.paused && this.ws.bufferedAmount > HIGH_WATER_BYTES) {
        this.paused = true;
        stream.pause();
      }
    });
    stream.on("error", (err) => this.log.warn({ err }, "terminal: exec stream error"));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      this.markActive();
      if (this.proc) this.writeInput(this.proc.stream, data);
      else if (this.earlyBytes + data.length <= EARLY_INPUT_LIMIT) {
        this.early.push(data);
        this.earlyBytes += data.length;
      }
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    const message = TerminalClientMessage.safeParse(parsed);
    if (!message.success) {
      this.send({ type: "error", code: "VALIDATION_ERROR", message: 'Text frames are JSON control messages, e.g. {"type":"resize","cols":120,"rows":40}; send input as binary frames.' });
      return;
    }
    if (message.data.type === "ping") return this.send({ type: "pong" });
    this.opts.cols = message.data.cols;
    this.opts.rows = message.data.rows;
    // Before the exec exists the size is simply used at open.
    this.proc?.resize(this.opts.cols, this.opts.rows).catch((err: unknown) => this.log.warn({ err }, "terminal: resize failed"));
  }

  /** A big paste waits in the client's socket, not in our memory: stop reading until the exec drains. */
  private writeInput(stream: Duplex, data: Buffer): void {
    if (stream.write(data) || this.ws.isPaused) return;
    this.ws.pause();
    stream.once("drain", () => this.ws.resume());
  }

  private markActive(): void {
    const now = Date.now();
    if (now - this.lastTouch < ACTIVITY_INTERVAL_MS) return;
    this.lastTouch = now;
    this.deps.touch(this.target).catch((err: unknown) => this.log.warn({ err }, "terminal: could not record activity"));
  }

  private send(message: TerminalServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private failed(err: unknown): void {
    // A refusal with words for the person (e.g. a secret that cannot be decrypted).
    if (err instanceof BerthError) {
      this.send({ type: "error", code: err.code, message: err.message });
      // A close reason is at most 123 bytes.
      void this.end(wsCloseCode(err.code), err.message.replace(/[^\x20-\x7e]/g, "?").slice(0, 120));
      return;
    }
    // The engine refusing an exec on this container means it stopped after the status check.
    const notRunning = err instanceof RuntimeOperationError && (err.status === 409 || /not running|is paused|stopped/i.test(err.message));
    if (notRunning) {
      this.send({ type: "error", code: "CONFLICT", message: "The slot is not running." });
      void this.end(TERMINAL_CLOSE.notRunning, "The slot is not running.");
      return;
    }
    this.log.error({ err }, "terminal: could not open the exec");
    this.send({ type: "error", code: "RUNTIME_UNAVAILABLE", message: "The terminal could not be opened; try again." });
    void this.end(TERMINAL_CLOSE.internal, "The terminal could not be opened.");
  }
}
