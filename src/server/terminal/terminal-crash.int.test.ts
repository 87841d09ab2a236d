// A Berth killed with kill -9 while a terminal is open leaves its tmux client running in the slot
// (Docker never ends an exec on its own). The terminal's attachment row names the dead process's
// lease; the sweep (run by the reconcile job and at boot) ends that client and keeps the shell.
// The Berth that dies is a real child process (src/test/crash-worker.ts) on this file's database.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { CRASH_WORKER_TAG } from "@/test/crash-worker";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { berthProcesses, slots, templates, terminalAttachments, users } from "@/server/db/schema";
import { runtime } from "@/server/runtime";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import type { Actor } from "@/server/services/context";
import { createSlot } from "@/server/services/slots/create-slot";
import { sweepDeadProcesses } from "@/server/services/slots/process-sweep";
import { runSlotAction } from "@/server/services/slots/slot-actions";
import { createTerminalBroker, type TerminalBroker } from "./terminal-broker";
import { createTerminalTicket } from "./terminal-tickets";

const SECRET = "terminal-crash-secret-terminal-crash-0123";
const database = setupTestDatabase({ BERTH_SECRET: SECRET });
const IMAGE = "berth/workspace:latest";
const TEMPLATE = "tpl_terminal_crash";
const WORKER = path.resolve(process.cwd(), "src/test/crash-worker.ts");

let owner: Actor;
let slotId: string;
let containerId: string;
let worker: ChildProcess | undefined;
let local: { server: Server; broker: TerminalBroker; base: string } | undefined;

const as = (actor: Actor) => ({ ...anonymousContext(), actor });

/** A terminal client: what the screen showed, and a wait for a pattern in it. */
function terminal(url: string) {
  const ws = new WebSocket(url);
  let out = "";
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) out += data.toString("latin1");
  });
  ws.on("error", () => undefined);
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  return {
    ws,
    closed,
    type: (s: string) => ws.send(Buffer.from(s), { binary: true }),
    async waitFor(pattern: RegExp, ms = 15_000) {
      for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) if (pattern.test(out)) return out;
      throw new Error(`timed out waiting for ${String(pattern)}; the terminal showed ${JSON.stringify(out.slice(-400))}`);
    },
  };
}

/** Processes of the slot that carry a terminal's marker (tmux clients of sockets). */
async function markedClients(): Promise<number> {
  const { output } = await execAsSlotUser(containerId, "n=0; for d in /proc/[0-9]*; do tr '\\000' '\\n' < $d/environ 2>/dev/null | grep -q '^BERTH_EXEC=term_' && n=$((n+1)); done; echo $n");
  return Number(output.trim());
}

function startWorker(): Promise<{ port: number; pid: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, "terminal"], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: database.url(), BERTH_SECRET: SECRET, BERTH_DATA_DIR: "/tmp/berth-test-data", LOG_LEVEL: "warn" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  worker = child;
  let out = "";
  child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const line = out.split("\n").find((l) => l.startsWith(CRASH_WORKER_TAG));
      if (line) resolve(JSON.parse(line.slice(CRASH_WORKER_TAG.length)) as { port: number; pid: number });
    });
    child.once("exit", () => reject(new Error(`the worker exited:\n${out}`)));
  });
}

beforeAll(async () => {
  if (!(await runtime().hasImage(IMAGE))) throw new Error(`${IMAGE} is not built on this engine: run \`npm run images\`.`);
  await db().insert(templates).values({ id: TEMPLATE, slug: "terminal-crash", name: "Workspace (terminal crash)", image: IMAGE, cpuMillicores: 500, memoryMiB: 256, diskMiB: 256 });
  owner = await makeUser();
  await db().update(users).set({ plan: "team" }).where(eq(users.id, owner.id));
  const slot = await createSlot(as(owner), { name: "terminal-crash", templateId: TEMPLATE });
  slotId = slot.id;
  await runSlotAction(slotId, "provision", owner.id);
  const [row] = await db().select().from(slots).where(eq(slots.id, slotId));
  expect(row?.status).toBe("running");
  containerId = row!.containerId!;
}, 180_000);

afterAll(async () => {
  worker?.kill("SIGKILL");
  if (local) {
    await local.broker.close();
    await new Promise<void>((resolve) => local!.server.close(() => resolve()));
  }
  if (slotId) await runtime().remove(`berth-${slotId}`, { slotId, withHome: true }).catch(() => undefined);
}, 60_000);

describe("a Berth killed with a terminal open", () => {
  it("leaves its tmux client behind; the sweep ends it, forgets the attachment and the lease, and keeps the shell", async () => {
    const { port, pid } = await startWorker();
    const { url } = await createTerminalTicket(as(owner), slotId);
    const term = terminal(`ws://127.0.0.1:${port}${url}&session=crash&cols=80&rows=24`);
    await term.waitFor(/\$ /);
    term.type("export CRASH_VAR=still-here\r");
    await term.waitFor(/export CRASH_VAR[\s\S]*\$ /);

    // The open attachment is recorded under the worker's lease.
    const [lease] = await db().select().from(berthProcesses).where(eq(berthProcesses.pid, pid));
    expect(lease).toBeDefined();
    expect(await db().select().from(terminalAttachments).where(eq(terminalAttachments.processId, lease!.id))).toHaveLength(1);

    worker!.kill("SIGKILL");
    await term.closed;
    // What Docker does on its own: nothing. The client is still there.
    expect(await markedClients()).toBe(1);

    // This process's view: same host, the worker's pid runs no more → its lease is dead at once.
    const swept = await sweepDeadProcesses();
    expect(swept.attachments).toBe(1);
    expect(await markedClients()).toBe(0);
    expect(await db().select().from(terminalAttachments)).toEqual([]);
    expect(await db().select().from(berthProcesses).where(eq(berthProcesses.id, lease!.id))).toEqual([]);

    // The shell lives on in tmux: a new Berth's terminal attaches to it.
    const broker = createTerminalBroker({ berthOrigin: "http://berth.test" });
    const server = createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => {
      if (!broker.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    local = { server, broker, base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
    const again = terminal(`${local.base}${(await createTerminalTicket(as(owner), slotId)).url}&session=crash&cols=80&rows=24`);
    await again.waitFor(/\$ /);
    again.type("echo got-$CRASH_VAR\r");
    await again.waitFor(/got-still-here/);
    // Open now under this process's lease; closed cleanly, its row goes with it.
    expect(await db().select().from(terminalAttachments)).toHaveLength(1);
    again.ws.close();
    await again.closed;
    for (const until = Date.now() + 10_000; broker.size > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(await db().select().from(terminalAttachments)).toEqual([]);
    expect(await markedClients()).toBe(0);
  }, 120_000);
});
