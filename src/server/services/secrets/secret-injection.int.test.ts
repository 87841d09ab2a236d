// Secrets reach a running slot on the real engine (berth/workspace: bash + tmux): its main process at
// each start (through its stdin) and the Env of its exec and terminal sessions. User + slot variables
// and credentials (slot wins), the caller's own env on top, a restart giving the main process and new
// terminals new values, and nothing in the container's config (which Docker keeps in clear on the
// host and shows in `docker inspect`).
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { db } from "@/server/db";
import { slots, slotExecs, templates, users } from "@/server/db/schema";
import { runtime } from "@/server/runtime";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import { createTerminalBroker, type TerminalBroker } from "@/server/terminal/terminal-broker";
import { createTerminalTicket } from "@/server/terminal/terminal-tickets";
import { anonymousContext, callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import type { Actor } from "../context";
import { createSlot } from "../slots/create-slot";
import { requestSlotAction, runSlotAction } from "../slots/slot-actions";

setupTestDatabase();

const IMAGE = "berth/workspace:latest";
const TEMPLATE = "tpl_secret_injection";
const ORIGIN = "http://berth.test";
const SECRET = "inj-Secret-Value-4d1f9c";
const ANTHROPIC = `sk-ant-api03-${"Q".repeat(40)}`;
const as = (actor: Actor) => ({ ...anonymousContext(), actor });

let owner: Actor;
let slotId: string;
let broker: TerminalBroker;
let server: Server;
let base: string;
const created: string[] = [];

async function containerOf(id: string): Promise<string> {
  const [row] = await db().select().from(slots).where(eq(slots.id, id));
  expect(row?.status).toBe("running");
  return row!.containerId!;
}

/** What the slot's main process saw at its start (its command wrote it to /tmp, which each start empties). */
async function bootEnv(): Promise<string> {
  const containerId = await containerOf(slotId);
  for (let i = 0; ; i++) {
    const r = await execAsSlotUser(containerId, "cat /tmp/boot-env 2>/dev/null");
    if (r.code === 0 || i === 100) return r.output;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The terminal as a browser has it: a ticket, a socket, what the screen shows. */
async function terminalShows(command: string, until: RegExp): Promise<string> {
  const { url } = await createTerminalTicket(as(owner), slotId);
  const ws = new WebSocket(`${base}${url}&cols=120&rows=40`);
  let out = "";
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) out += data.toString("utf8");
  });
  ws.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
  try {
    const wait = (pattern: RegExp, ms: number) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const tick = () => (pattern.test(out) ? resolve() : Date.now() - started > ms ? reject(new Error(`terminal showed: ${JSON.stringify(out.slice(-800))}`)) : setTimeout(tick, 50));
        tick();
      });
    await wait(/\$ /, 30_000);
    ws.send(Buffer.from(`${command}\r`), { binary: true });
    await wait(until, 30_000);
    return out;
  } finally {
    ws.close();
    await closed;
  }
}

beforeAll(async () => {
  if (!(await runtime().hasImage(IMAGE))) throw new Error(`${IMAGE} is not built on this engine: run \`npm run images\`.`);
  await db().insert(templates).values({ id: TEMPLATE, slug: "secret-injection", name: "Workspace (secrets)", image: IMAGE, cpuMillicores: 1000, memoryMiB: 256, diskMiB: 256, startCommand: ["sh", "-c", 'printf "%s|" "$SHARED" "$USER_ONLY" "$SLOT_ONLY" "$ANTHROPIC_API_KEY" > /tmp/boot-env; exec sleep infinity'] });
  owner = await makeUser();
  await db().update(users).set({ plan: "team", limits: { slots: 5 } }).where(eq(users.id, owner.id));
  const slot = await createSlot(as(owner), { name: "secrets", templateId: TEMPLATE, resources: { cpuMillicores: 1000, memoryMiB: 256, diskMiB: 256 } });
  created.push(slot.id);
  slotId = slot.id;
  await runSlotAction(slot.id, "provision", owner.id);
  await containerOf(slotId);
  broker = createTerminalBroker({ berthOrigin: ORIGIN });
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (!broker.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  if (broker) await broker.close();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const id of created) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => undefined);
}, 60_000);

describe("secrets in a running slot", () => {
  it("after a restart, printenv through exec and in a terminal shows user and slot variables (slot wins) and credentials; never in the container's config", async () => {
    const { caller } = await callerFor(owner);
    await caller.me.env.set({ name: "SHARED", value: "from-user" });
    await caller.me.env.set({ name: "USER_ONLY", value: SECRET });
    await caller.slots.env.set({ id: slotId, name: "SHARED", value: "from-slot" });
    await caller.slots.env.set({ id: slotId, name: "SLOT_ONLY", value: "slot value with spaces & $dollar" });
    await caller.slots.credentials.set({ id: slotId, provider: "anthropic", value: ANTHROPIC });

    await requestSlotAction(as(owner), slotId, "restart");
    await runSlotAction(slotId, "restart", owner.id);
    const containerId = await containerOf(slotId);

    const run = await caller.slots.exec({ id: slotId, command: ["printenv", "SHARED", "USER_ONLY", "SLOT_ONLY", "ANTHROPIC_API_KEY"] });
    expect(run).toMatchObject({ exitCode: 0, stdout: `from-slot\n${SECRET}\nslot value with spaces & $dollar\n${ANTHROPIC}\n` });
    // The caller's own env wins, and only its names are recorded.
    const mine = await caller.slots.exec({ id: slotId, command: "echo $SHARED $USER_ONLY", env: { SHARED: "from-caller" } });
    expect(mine.stdout).toBe(`from-caller ${SECRET}\n`);
    const [row] = await db().select().from(slotExecs).where(eq(slotExecs.id, mine.id));
    expect(row!.envNames).toEqual(["SHARED"]);
    // (The output holds what the command printed, of course; the record keeps no secret's name.)
    const [first] = await db().select().from(slotExecs).where(eq(slotExecs.id, run.id));
    expect(first!.envNames).toEqual([]);

    const screen = await terminalShows("printenv SHARED USER_ONLY ANTHROPIC_API_KEY; echo DONE-$((40+2))", /DONE-42/);
    expect(screen).toContain("from-slot");
    expect(screen).toContain(SECRET);
    expect(screen).toContain(ANTHROPIC);

    // The slot's main process (the template's start command) had them from its start.
    expect(await bootEnv()).toBe(`from-slot|${SECRET}|slot value with spaces & $dollar|${ANTHROPIC}|`);

    const { stdout } = await promisify(execFile)("docker", ["inspect", containerId]);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain(ANTHROPIC);
    expect(stdout).not.toContain("from-slot");
  });

  it("a new value reaches new commands at once, and new terminals after a restart", async () => {
    const { caller } = await callerFor(owner);
    await caller.slots.env.set({ id: slotId, name: "SHARED", value: "changed" });
    await caller.slots.env.delete({ id: slotId, name: "SLOT_ONLY" });
    expect((await caller.slots.exec({ id: slotId, command: "echo ${SHARED}-${SLOT_ONLY:-gone}" })).stdout).toBe("changed-gone\n");

    await requestSlotAction(as(owner), slotId, "restart");
    await runSlotAction(slotId, "restart", owner.id);
    await containerOf(slotId);
    const screen = await terminalShows("echo V=${SHARED}-${SLOT_ONLY:-gone}", /V=changed-gone/);
    expect(screen).toMatch(/V=changed-gone/);
    expect(await bootEnv()).toBe(`changed|${SECRET}||${ANTHROPIC}|`);
  });
});
