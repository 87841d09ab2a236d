// Crash safety (issue 4, point 8): kill -9 a Berth process in the middle of 20 concurrent slot
// creates, boot Berth again, and the engine and the database agree: no container of this
// installation without a live row, no row left in a transitional state, every repair explained by
// an event. Both Berth processes are real children (src/test/crash-worker.ts) on this file's database.
import { spawn } from "node:child_process";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRASH_WORKER_TAG } from "@/test/crash-worker";
import { makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { slotEvents, slots, templates, users, type SlotStatus } from "@/server/db/schema";
import { env } from "@/server/env";
import { LABELS, runtime } from "@/server/runtime";
import { createDockerClient, resolveDockerEndpoint } from "@/server/runtime/docker/docker-client";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { instanceId } from "./instance";

const SECRET = "crash-test-secret-crash-test-secret-0123";
const database = setupTestDatabase({ BERTH_SECRET: SECRET });

const TEMPLATE = "tpl_crash_tiny";
const SLOTS = 20;
const TRANSITIONAL: readonly SlotStatus[] = ["creating", "starting", "stopping", "deleting"];
const SETTLED: readonly SlotStatus[] = ["running", "stopped", "error"];
const WORKER = path.resolve(process.cwd(), "src/test/crash-worker.ts");

type Snapshot = Awaited<ReturnType<typeof look>>;
/**
 * When to SIGKILL, read from the engine and the database every ~15 ms. Seen here with 20 creates on
 * 2 cores: the rows appear over ~0.3 s, the containers are created in one burst, then the starts
 * complete over ~2 s. Each moment leaves the crash in a different phase of the work.
 */
const KILL_MOMENTS: { name: string; when: (s: Snapshot) => boolean }[] = [
  {
    // Rows in `creating`, some with a container already in the engine, some without one yet.
    name: "while containers are being created",
    when: (s) => s.containers.length >= 1 && count(s.rows, ["creating"]) >= 4,
  },
  {
    // Some slots running, others `starting` with a container that may or may not run yet.
    name: "while containers are being started",
    when: (s) => count(s.rows, ["running"]) >= 3 && count(s.rows, ["starting"]) >= 4,
  },
];

let me: string;
const workers = new Set<Child>();
const docker = () => createDockerClient(resolveDockerEndpoint({ host: env().DOCKER_HOST }));

type Child = {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  kill: () => void;
  stop: () => void;
  lines: () => Record<string, unknown>[];
};

/** Starts the worker as its own node process, configured like a Berth server on this database. */
function startWorker(args: string[], extraEnv: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: database.url(), BERTH_SECRET: SECRET, BERTH_DATA_DIR: "/tmp/berth-test-data", LOG_LEVEL: "info", ...extraEnv },
    stdio: ["pipe", "pipe", "pipe"], // the worker exits when its stdin closes (this process died)
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const handle: Child = {
    exited,
    output: () => out,
    kill: () => child.kill("SIGKILL"),
    stop: () => child.kill("SIGTERM"),
    // Complete lines only (the last piece may still be arriving); JSON ones are Berth's log or the worker's own.
    lines: () =>
      out
        .split("\n")
        .slice(0, -1)
        .flatMap((l) => {
          try {
            return [JSON.parse(l.startsWith(CRASH_WORKER_TAG) ? l.slice(CRASH_WORKER_TAG.length) : l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
  };
  workers.add(handle);
  void exited.then(() => workers.delete(handle));
  return handle;
}

/** The first JSON line (Berth's log or the worker's own) that matches, once the child prints it. */
async function waitForLine(child: Child, match: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const line = child.lines().find(match);
    if (line) return line;
    if (exited) break;
  }
  throw new Error(`the worker ${exited ? "exited" : "ran for " + timeoutMs / 1000 + " s"} without the expected line:\n${child.output()}`);
}

/** What the engine and the database hold for this installation (or one owner in it) right now. */
async function look(ownerId?: string) {
  const labels = [`${LABELS.instance}=${me}`, ...(ownerId ? [`${LABELS.owner}=${ownerId}`] : [])];
  const [containers, volumes, rows] = await Promise.all([
    docker().listContainers({ all: true, filters: { label: labels } }),
    docker().listVolumes({ filters: { label: labels } }),
    db()
      .select({ id: slots.id, status: slots.status, containerId: slots.containerId })
      .from(slots)
      .where(ownerId ? eq(slots.ownerId, ownerId) : undefined),
  ]);
  return {
    containers: containers.map((c) => ({ id: c.Id, slotId: c.Labels[LABELS.slot] ?? "", state: c.State })),
    volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, slotId: v.Labels?.[LABELS.slot] ?? "" })),
    rows,
  };
}

const count = (rows: { status: SlotStatus }[], statuses: readonly SlotStatus[]) => rows.filter((r) => statuses.includes(r.status)).length;

beforeAll(async () => {
  const image = await ensureTinyImage();
  await db().insert(templates).values({ id: TEMPLATE, slug: "crash-tiny", name: "Tiny (crash test)", image, cpuMillicores: 250, memoryMiB: 64, diskMiB: 64 });
  me = await instanceId();
}, 120_000);

afterAll(async () => {
  for (const w of workers) {
    w.kill();
    await w.exited;
  }
  if (!me) return;
  for (const c of (await runtime().list()).filter((c) => c.instanceId === me)) {
    await runtime().remove(c.containerId, { slotId: c.slotId, withHome: true }).catch(() => undefined);
  }
  const { Volumes } = await docker().listVolumes({ filters: { label: [`${LABELS.instance}=${me}`] } });
  for (const v of Volumes ?? []) await docker().getVolume(v.Name).remove().catch(() => undefined);
}, 120_000);

describe("crash safety", () => {
  it.each(KILL_MOMENTS)(`kill -9 $name (${SLOTS} concurrent creates), boot again: 0 orphan containers, 0 stuck rows, every repair has an event`, async ({ when }) => {
    const owner = await makeUser();
    // The team plan: 50 slots, 20 running, so all 20 creates start right away.
    await db().update(users).set({ plan: "team" }).where(eq(users.id, owner.id));

    const worker = startWorker(["create", String(SLOTS), TEMPLATE], { CRASH_ACTOR: JSON.stringify({ id: owner.id, email: owner.email, role: owner.role }) });
    let exitedEarly = false;
    void worker.exited.then(() => (exitedEarly = true));

    // Poll the engine and the database until the chosen moment, then SIGKILL.
    const deadline = Date.now() + 90_000;
    let polls = 0;
    for (;;) {
      if (exitedEarly) throw new Error(`the worker exited before it could be killed:\n${worker.output()}`);
      if (Date.now() > deadline) throw new Error(`no kill moment within 90 s:\n${worker.output()}`);
      const s = await look(owner.id);
      polls++;
      if (when(s)) break;
      if (count(s.rows, ["running"]) === SLOTS) throw new Error(`all ${SLOTS} slots were running before the kill moment came (${polls} polls)`);
      await new Promise((r) => setTimeout(r, 10));
    }
    worker.kill();
    expect((await worker.exited).signal).toBe("SIGKILL");

    // The state the dead process left behind (its open transactions are rolled back by now).
    const atKill = await look(owner.id);
    const unsettledAtKill = atKill.rows.filter((r) => TRANSITIONAL.includes(r.status));
    const runningAtKill = count(atKill.rows, ["running"]);
    console.info(
      `crash test: killed after ${polls} polls with ${atKill.rows.length}/${SLOTS} rows (${runningAtKill} running, ` +
        `${count(atKill.rows, ["creating"])} creating, ${count(atKill.rows, ["starting"])} starting) and ${atKill.containers.length} containers ` +
        `(${atKill.containers.filter((c) => c.state === "running").length} running)`,
    );
    // Really mid-way: rows cut short in a transitional state, containers already in the engine.
    expect(unsettledAtKill.length).toBeGreaterThanOrEqual(1);
    expect(atKill.containers.length).toBeGreaterThanOrEqual(1);
    expect(runningAtKill).toBeLessThan(SLOTS);

    // Restart: Berth's boot path, whose reconcile pass repairs what the crash left; then a graceful stop.
    const rebooted = startWorker(["boot"]);
    const report = await waitForLine(rebooted, (l) => l.msg === "reconciled slots with the engine" || l.msg === "boot reconcile failed", 120_000);
    rebooted.stop();
    const { code } = await rebooted.exited;
    expect(report.msg, rebooted.output()).toBe("reconciled slots with the engine");
    expect(code, rebooted.output()).toBe(0);
    expect(report.resumed).toBe(unsettledAtKill.length);

    // The whole installation: nothing in the engine without a live row, no row left mid-way.
    const all = await look();
    const live = new Set(all.rows.filter((r) => r.status !== "deleted").map((r) => r.id));
    expect(all.containers.filter((c) => !live.has(c.slotId))).toEqual([]); // no orphan container
    expect(all.volumes.filter((v) => !live.has(v.slotId))).toEqual([]); // no orphan home
    expect(all.rows.filter((r) => !SETTLED.includes(r.status))).toEqual([]); // no stuck row

    // This run's slots: each one the engine agrees with, and each repair explained by events.
    const after = await look(owner.id);
    expect(after.rows.map((r) => r.id).sort()).toEqual(atKill.rows.map((r) => r.id).sort());
    for (const row of after.rows) {
      const containers = after.containers.filter((c) => c.slotId === row.id);
      expect(containers.length, `containers of ${row.id}`).toBeLessThanOrEqual(1);
      if (row.status === "running") {
        expect(containers[0]?.id, `container of running slot ${row.id}`).toBe(row.containerId);
        expect(containers[0]?.state).toBe("running");
      }
    }
    const events = unsettledAtKill.length
      ? await db().select().from(slotEvents).where(inArray(slotEvents.slotId, unsettledAtKill.map((r) => r.id)))
      : [];
    for (const row of unsettledAtKill) {
      const types = events.filter((e) => e.slotId === row.id).map((e) => e.type);
      expect(types, `events of ${row.id}`).toContain("slot.reconciled");
      const final = after.rows.find((r) => r.id === row.id)!.status;
      expect(types, `events of ${row.id}`).toContain(final === "running" ? "slot.started" : final === "error" ? "slot.error" : "slot.provisioned");
    }
    console.info(
      `crash test: after boot ${after.rows.length} rows (${count(after.rows, ["running"])} running, ${count(after.rows, ["stopped"])} stopped, ` +
        `${count(after.rows, ["error"])} error), ${after.containers.length} containers; the reconciler resumed ${String(report?.resumed)}`,
    );
  }, 240_000);
});
