// The terminal WebSocket against the real engine (berth/workspace: bash + tmux) and a real database:
// a plain http server hands upgrades to the broker, a `ws` client plays the browser.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { anonymousContext, callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { slots, templates, terminalAttachments, terminalTickets, users } from "@/server/db/schema";
import { env } from "@/server/env";
import { sha256 } from "@/server/ids";
import { runtime } from "@/server/runtime";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import type { Actor } from "@/server/services/context";
import { createWebSession } from "@/server/services/sessions/web-sessions";
import { createSlot } from "@/server/services/slots/create-slot";
import { runSlotAction } from "@/server/services/slots/slot-actions";
import { createTerminalBroker, type TerminalBroker } from "./terminal-broker";
import { createTerminalTicket } from "./terminal-tickets";

setupTestDatabase();

const IMAGE = "berth/workspace:latest";
const TEMPLATE = "tpl_terminal_test";
const ORIGIN = "http://berth.test";
/** Open/close cycles of the leftover test; BERTH_TEST_TERMINAL_CYCLES=1000 for the figure. */
const CYCLES = Number(process.env.BERTH_TEST_TERMINAL_CYCLES ?? 200);
const created: string[] = [];
let owner: Actor;
let stranger: Actor;
let slotId: string;
let containerId: string;
let stoppedSlotId: string;

type Harness = { server: Server; broker: TerminalBroker; base: string };
let harness: Harness;

async function startHarness(): Promise<Harness> {
  const broker = createTerminalBroker({ berthOrigin: ORIGIN });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (!broker.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, broker, base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stopHarness(h: Harness): Promise<void> {
  await h.broker.close();
  await new Promise<void>((resolve) => h.server.close(() => resolve()));
}

const as = (actor: Actor) => ({ ...anonymousContext(), actor });

type Client = {
  ws: WebSocket;
  /** Everything the terminal has shown since the last reset(). */
  text(): string;
  bytes(): number;
  reset(): void;
  controls: Array<Record<string, unknown>>;
  type(s: string): void;
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
};

function connect(path: string, headers: Record<string, string> = {}): Client {
  const ws = new WebSocket(`${harness.base}${path}`, { headers });
  let out = "";
  let count = 0;
  const controls: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) {
      out += data.toString("latin1");
      count += data.length;
      if (out.length > 4_000_000) out = out.slice(-1_000_000);
    } else controls.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("error", () => undefined);
  return {
    ws,
    controls,
    closed,
    text: () => out,
    bytes: () => count,
    reset: () => {
      out = "";
    },
    type: (s) => ws.send(Buffer.from(s), { binary: true }),
    waitFor(pattern, timeoutMs = 10_000) {
      const test = () => (typeof pattern === "string" ? out.includes(pattern) : pattern.test(out));
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          if (test()) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(out);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(pattern)}; the terminal showed: ${JSON.stringify(out.slice(-600))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

async function ticketPath(id = slotId, actor = owner, query = "cols=100&rows=30"): Promise<string> {
  const { url } = await createTerminalTicket(as(actor), id);
  return `${url}&${query}`;
}

async function open(query?: string): Promise<Client> {
  const client = connect(await ticketPath(slotId, owner, query));
  await client.waitFor(/\$ |> /); // a prompt (bash's, or one set by a test)
  return client;
}

async function close(client: Client): Promise<void> {
  client.ws.close();
  await client.closed;
}

async function sessionCookie(actor: Actor): Promise<string> {
  const session = await createWebSession(as(actor), actor, "test");
  const name = "authjs.session-token";
  const token = await encode({ token: { sid: session.id, sub: actor.id }, secret: env().BERTH_SECRET, salt: name });
  return `${name}=${token}`;
}

/** Processes in the slot, without the `ps` that counts them and its shell. */
async function processes(): Promise<string[]> {
  const { output } = await execAsSlotUser(containerId, "ps -e -o pid=,args=");
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/\bps -e -o\b/.test(l) && !/sh -c ps -e/.test(l));
}

/** Processes carrying a terminal's exec marker (left-behind tmux clients). */
async function markedProcesses(): Promise<number> {
  const { output } = await execAsSlotUser(containerId, "n=0; for d in /proc/[0-9]*; do tr '\\000' '\\n' < $d/environ 2>/dev/null | grep -q '^BERTH_EXEC=term_' && n=$((n+1)); done; echo $n");
  return Number(output.trim());
}

async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  if (!(await runtime().hasImage(IMAGE))) throw new Error(`${IMAGE} is not built on this engine: run \`npm run images\`.`);
  await db().insert(templates).values({ id: TEMPLATE, slug: "terminal-test", name: "Workspace (terminal tests)", image: IMAGE, cpuMillicores: 1000, memoryMiB: 256, diskMiB: 256 });
  owner = await makeUser();
  stranger = await makeUser();
  await db().update(users).set({ plan: "team", limits: { slots: 5 } }).where(eq(users.id, owner.id));
  const slot = await createSlot(as(owner), { name: "terminal", templateId: TEMPLATE, resources: { cpuMillicores: 1000, memoryMiB: 256, diskMiB: 256 } });
  const stopped = await createSlot(as(owner), { name: "terminal-stopped", templateId: TEMPLATE, resources: { cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 } });
  created.push(slot.id, stopped.id);
  await Promise.all([runSlotAction(slot.id, "provision", owner.id), runSlotAction(stopped.id, "provision", owner.id)]);
  await runSlotAction(stopped.id, "stop", owner.id);
  slotId = slot.id;
  stoppedSlotId = stopped.id;
  const [row] = await db().select().from(slots).where(eq(slots.id, slotId));
  expect(row?.status).toBe("running");
  containerId = row!.containerId!;
  harness = await startHarness();
}, 180_000);

afterAll(async () => {
  if (harness) await stopHarness(harness);
  for (const id of created) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => undefined);
}, 60_000);

describe("terminal tickets (REST)", () => {
  it("answers a single-use ticket and the socket path for the owner; NOT_FOUND for anyone else", async () => {
    const { caller } = await callerFor(owner);
    const t = await caller.slots.terminalTicket({ id: slotId });
    expect(t.url).toBe(`/ws/slots/${slotId}/terminal?ticket=${encodeURIComponent(t.ticket)}`);
    const ttl = new Date(t.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    const { caller: other } = await callerFor(stranger);
    await expect(other.slots.terminalTicket({ id: slotId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("terminal socket on the real engine", () => {
  it("echoes a typed command's output; typing counts as activity", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    await db().update(slots).set({ lastActivityAt: hourAgo }).where(eq(slots.id, slotId));
    const c = await open();
    c.type("echo hello-$((6*7))\r");
    await c.waitFor("hello-42");
    await until(async () => {
      const [row] = await db().select({ at: slots.lastActivityAt }).from(slots).where(eq(slots.id, slotId));
      return row!.at.getTime() > Date.now() - 60_000;
    }, 5_000);
    await close(c);
  });

  it("resizes the exec and tmux: stty size shows the new size", async () => {
    const c = await open("cols=100&rows=30");
    c.ws.send(JSON.stringify({ type: "resize", cols: 120, rows: 40 }));
    await until(async () => {
      c.reset();
      c.type("stty size\r");
      // The answer may follow an escape sequence (bracketed paste off) with no space: \D, not \b.
      return c.waitFor(/\D40 120\r\n/, 1_000).then(() => true, () => false);
    }, 10_000);
    await close(c);
  });

  it("takes a large paste whole", async () => {
    const c = await open();
    c.type("stty raw -echo; head -c $((2*100000)) | wc -c; stty sane\r");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const chunk = Buffer.alloc(50_000, 0x61);
    for (let i = 0; i < 4; i++) c.ws.send(chunk, { binary: true });
    await c.waitFor(/\D200000\D/, 20_000);
    await close(c);
  }, 30_000);

  it("answers a bad control frame with an error message and keeps the terminal", async () => {
    const c = await open();
    c.ws.send("not json");
    c.ws.send(JSON.stringify({ type: "ping" }));
    await until(() => c.controls.length >= 2, 5_000);
    expect(c.controls[0]).toMatchObject({ type: "error", code: "VALIDATION_ERROR" });
    expect(c.controls[1]).toEqual({ type: "pong" });
    c.type("echo still-$((1+1))\r");
    await c.waitFor("still-2");
    await close(c);
  });

  it("restores the screen on reconnect (tmux keeps it)", async () => {
    const first = await open();
    first.type("echo screen-$((1000+337))\r");
    await first.waitFor("screen-1337");
    await close(first);
    const second = connect(await ticketPath());
    await second.waitFor("screen-1337"); // tmux redraws the screen on attach: no command typed
    await close(second);
  });

  it("keeps the shell across a broker restart (shell variable still set)", async () => {
    const c = await open();
    c.type("export BERTH_KEEP=kept-$((20+3))\r");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stopHarness(harness);
    expect((await c.closed).code).toBe(1001);
    harness = await startHarness();
    const again = await open();
    again.type("echo value=$BERTH_KEEP\r");
    await again.waitFor("value=kept-23");
    await close(again);
  });

  it("attaches to another tmux session when asked (several terminals per slot); refuses a bad session name (4400)", async () => {
    const c = await open("cols=80&rows=24&session=second");
    c.type("tmux display-message -p 'S=#{session_name}'\r");
    await c.waitFor("S=second");
    await close(c);
    const bad = connect(await ticketPath(slotId, owner, "session=../x"));
    expect((await bad.closed).code).toBe(4400);
  });

  it("sends an exit message when the attachment ends (tmux detach)", async () => {
    const c = await open();
    c.type("tmux detach-client\r");
    const { code } = await c.closed;
    expect(code).toBe(1000);
    expect(c.controls).toContainEqual({ type: "exit", code: 0 });
  });

  it("delivers Ctrl-C under `yes` quickly (flow control keeps the socket's queue short)", async () => {
    const c = await open();
    c.type("PS1='P_$((40+2))> '\r");
    await c.waitFor("P_42> ");
    c.type("yes\r");
    await until(() => c.bytes() > 1_000_000, 20_000);
    const flood = c.bytes();
    await new Promise((resolve) => setTimeout(resolve, 500));
    console.log(`[terminal] yes through tmux: ${Math.round((c.bytes() - flood) / 500)} KB/s reaching the client`);
    c.reset();
    const t0 = performance.now();
    c.type("\x03");
    await c.waitFor(/\^C[^]*P_42> /, 10_000); // the interrupt echoed, then a fresh prompt
    const ms = Math.round(performance.now() - t0);
    console.log(`[terminal] Ctrl-C under yes: prompt back after ${ms} ms`);
    expect(ms).toBeLessThan(3_000);
    c.type("PS1='\\$ '\r");
    await close(c);
  }, 60_000);

  it(`leaves no process behind after ${CYCLES} open/close cycles`, async () => {
    await close(await open());
    await until(() => harness.broker.size === 0, 10_000);
    const before = await processes();
    const t0 = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      const c = connect(await ticketPath());
      await c.waitFor(/\$ |> /);
      c.ws.close();
      await c.closed;
    }
    const cycleMs = Math.round((performance.now() - t0) / CYCLES);
    await until(() => harness.broker.size === 0, 30_000);
    const after = await processes();
    const marked = await markedProcesses();
    console.log(`[terminal] ${CYCLES} cycles (${cycleMs} ms each): ${before.length} processes before, ${after.length} after, ${marked} marked left`);
    expect(marked).toBe(0);
    expect(after.length).toBe(before.length);
    // And every attachment the sockets recorded is forgotten again.
    await until(async () => (await db().select().from(terminalAttachments).where(eq(terminalAttachments.slotId, slotId))).length === 0, 10_000);
  }, 180_000 + CYCLES * 500);
});

describe("terminal socket refusals", () => {
  it("accepts the session cookie from Berth's own origin, and refuses it cross-site (4401)", async () => {
    const cookie = await sessionCookie(owner);
    const path = `/ws/slots/${slotId}/terminal`;
    const ok = connect(path, { cookie, origin: ORIGIN });
    await ok.waitFor(/\$ |> /);
    await close(ok);
    for (const origin of ["http://evil.example", ""]) {
      const c = connect(path, origin ? { cookie, origin } : { cookie });
      expect((await c.closed).code).toBe(4401);
      expect(c.bytes()).toBe(0);
    }
    expect((await connect(path, { origin: ORIGIN }).closed).code).toBe(4401); // no cookie at all
  });

  it("refuses a ticket used twice (4401)", async () => {
    const path = await ticketPath();
    const first = connect(path);
    await first.waitFor(/\$ |> /);
    const second = connect(path);
    expect((await second.closed).code).toBe(4401);
    await close(first);
  });

  it("refuses an expired ticket (4401)", async () => {
    const { ticket } = await createTerminalTicket(as(owner), slotId);
    await db().update(terminalTickets).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(terminalTickets.hash, sha256(ticket)));
    const c = connect(`/ws/slots/${slotId}/terminal?ticket=${encodeURIComponent(ticket)}`);
    expect((await c.closed).code).toBe(4401);
  });

  it("refuses a ticket for another slot (4401), and spends it", async () => {
    const { ticket } = await createTerminalTicket(as(owner), stoppedSlotId);
    const c = connect(`/ws/slots/${slotId}/terminal?ticket=${encodeURIComponent(ticket)}`);
    expect((await c.closed).code).toBe(4401);
    const again = connect(`/ws/slots/${stoppedSlotId}/terminal?ticket=${encodeURIComponent(ticket)}`);
    expect((await again.closed).code).toBe(4401);
  });

  it("answers 4404 for another user's slot and for no such slot", async () => {
    const cookie = await sessionCookie(stranger);
    const foreign = connect(`/ws/slots/${slotId}/terminal`, { cookie, origin: ORIGIN });
    expect((await foreign.closed).code).toBe(4404);
    expect(foreign.controls[0]).toMatchObject({ type: "error", code: "NOT_FOUND" });
    const missing = connect(`/ws/slots/slt_doesnotexist/terminal`, { cookie: await sessionCookie(owner), origin: ORIGIN });
    expect((await missing.closed).code).toBe(4404);
  });

  it("refuses a read-only account even on its own slot (FORBIDDEN, 4404 like every hidden slot)", async () => {
    const cookie = await sessionCookie(owner);
    await db().update(users).set({ role: "readonly" }).where(eq(users.id, owner.id));
    try {
      const c = connect(`/ws/slots/${slotId}/terminal`, { cookie, origin: ORIGIN });
      expect((await c.closed).code).toBe(4404);
      expect(c.controls[0]).toMatchObject({ type: "error", code: "FORBIDDEN" });
    } finally {
      await db().update(users).set({ role: "user" }).where(eq(users.id, owner.id));
    }
  });

  it("answers 4409 for a stopped slot", async () => {
    const c = connect(await ticketPath(stoppedSlotId));
    expect((await c.closed).code).toBe(4409);
  });

  it("leaves other /ws/ paths to the server (404 there)", async () => {
    const ws = new WebSocket(`${harness.base}/ws/other`);
    const failed = await new Promise<boolean>((resolve) => {
      ws.on("open", () => resolve(false));
      ws.on("error", () => resolve(true));
    });
    expect(failed).toBe(true);
  });
});
