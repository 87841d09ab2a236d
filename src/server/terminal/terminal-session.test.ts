// The bridge without an engine: flow control against a socket whose queue we drive by hand, input,
// resize, exit and the kill of the attachment on close.
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { BerthError } from "@/server/errors";
import type { TerminalOptions, TerminalProcess, WorkspaceRuntime } from "@/server/runtime/types";
import { HIGH_WATER_BYTES, LOW_WATER_BYTES, TerminalSession } from "./terminal-session";

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 1;
  bufferedAmount = 0;
  sent: Array<Buffer | string> = [];
  private pending: Array<{ size: number; cb?: () => void }> = [];
  closedWith: number | undefined;

  send(data: Buffer | string, opts?: unknown, cb?: () => void): void {
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    this.sent.push(data);
    this.bufferedAmount += size;
    this.pending.push({ size, cb: typeof opts === "function" ? (opts as () => void) : cb });
  }

  /** The peer reads `bytes`: what was queued leaves, and each write's callback runs. */
  flush(bytes = Infinity): void {
    while (this.pending.length && bytes > 0) {
      const next = this.pending.shift()!;
      bytes -= next.size;
      this.bufferedAmount -= next.size;
      next.cb?.();
    }
  }

  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.emit("close", code, Buffer.alloc(0));
  }
}

function setup(environment: () => Promise<Record<string, string>> = async () => ({ API_TOKEN: "from-secrets" })) {
  const input: Buffer[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      input.push(chunk);
      cb();
    },
  });
  let exit: (code: number) => void = () => undefined;
  const proc: TerminalProcess = { stream, resize: vi.fn(async () => undefined), wait: () => new Promise<number | null>((resolve) => (exit = resolve)) };
  const opened: TerminalOptions[] = [];
  const rt = {
    openTerminal: vi.fn(async (_id: string, opts: TerminalOptions) => {
      opened.push(opts);
      return proc;
    }),
    killByMarker: vi.fn(async () => undefined),
  } as unknown as WorkspaceRuntime;
  const ws = new FakeSocket();
  const touch = vi.fn(async () => undefined);
  const target = { actor: { id: "usr_1", email: "a@example.com", role: "user" as const }, slotId: "slt_1", ownerId: "usr_1", containerId: "c1", via: "ticket" as const };
  const session = new TerminalSession(ws as unknown as WebSocket, target, { session: "main", cols: 100, rows: 30 }, { runtime: () => rt, log: pino({ level: "silent" }), touch, environment });
  return { session, ws, stream, input, proc, rt, opened, touch, exit: (code: number) => exit(code) };
}

describe("TerminalSession", () => {
  it("pauses the exec above the high-water mark and resumes below the low one", async () => {
    const { session, ws, stream } = setup();
    await session.ready;
    const chunk = Buffer.alloc(8 * 1024, 0x79);
    for (let i = 0; i < 64; i++) stream.push(chunk); // 512 KiB of `yes`
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.isPaused()).toBe(true);
    // Only what was in flight when the mark was crossed reached the socket; the rest waits in the exec.
    expect(ws.bufferedAmount).toBeLessThanOrEqual(HIGH_WATER_BYTES + chunk.length);
    ws.flush(ws.bufferedAmount - LOW_WATER_BYTES); // still at the low mark: stays paused
    expect(stream.isPaused()).toBe(true);
    ws.flush(); // the peer caught up
    expect(stream.isPaused()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ws.bufferedAmount).toBeLessThanOrEqual(HIGH_WATER_BYTES + chunk.length);
  });

  it("writes binary frames to the exec (also those sent while it opened), resizes on a control frame, counts input as activity once per interval", async () => {
    const { session, ws, input, proc, opened, touch } = setup();
    ws.emit("message", Buffer.from("early"), true);
    await session.ready;
    expect(opened[0]).toMatchObject({ session: "main", cols: 100, rows: 30, user: "1000:1000", env: { API_TOKEN: "from-secrets" } });
    ws.emit("message", Buffer.from("ls\r"), true);
    expect(Buffer.concat(input).toString()).toBe("earlyls\r");
    ws.emit("message", Buffer.from(JSON.stringify({ type: "resize", cols: 120, rows: 40 })), false);
    expect(proc.resize).toHaveBeenCalledWith(120, 40);
    expect(touch).toHaveBeenCalledTimes(1);
  });

  it("sends exit and closes normally when the attachment ends; kills the attachment when the socket goes first", async () => {
    const a = setup();
    await a.session.ready;
    a.exit(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.ws.sent).toContain(JSON.stringify({ type: "exit", code: 0 }));
    expect(a.ws.closedWith).toBe(1000);
    expect(a.rt.killByMarker).not.toHaveBeenCalled();

    const b = setup();
    await b.session.ready;
    b.ws.close(1000);
    await b.session.end(1000, "");
    expect(b.rt.killByMarker).toHaveBeenCalledWith("c1", expect.stringMatching(/^term_[a-z0-9]+$/));
  });

  it("refuses with the service's words, and opens nothing, when the slot's secrets cannot be read", async () => {
    const { session, ws, rt } = setup(async () => {
      throw new BerthError("CONFLICT", "The variable API_TOKEN could not be decrypted (the encryption key was changed without a rotation?). Set it again or delete it.");
    });
    await session.ready;
    await new Promise((resolve) => setImmediate(resolve));
    expect(rt.openTerminal).not.toHaveBeenCalled();
    expect(ws.sent).toContainEqual(expect.stringContaining('"code":"CONFLICT"'));
    expect(ws.closedWith).toBe(4409);
  });
});
