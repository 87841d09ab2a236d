// bench/slots-profile.ts — where Berth's time goes between "create a slot" and `running` (and for a
// stop), in one process with no HTTP and no polling: the real services (createSlot, then the
// provision action, as POST /api/v1/slots does; requestSlotAction + the stop action) on a fresh
// PostgreSQL database, with every Docker Engine API call timed (at docker-modem's dial) and every
// SQL statement counted. Raw dockerode with the same options runs alternately in the same run.
//   npm run images; npx tsx bench/slots-profile.ts      (BENCH_ROUNDS, BENCH_POSTGRES_URL as bench/slots.ts)
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { closeDb, db, openPostgres, schema, setSharedDb, type Db } from "@/server/db";
import { templates, users } from "@/server/db/schema";
import { setEnvForTests } from "@/server/env";
import { setRuntime } from "@/server/runtime";
import { DockerRuntime } from "@/server/runtime/docker/docker-runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { createSlot } from "@/server/services/slots/create-slot";
import { instanceId } from "@/server/services/slots/instance";
import { requestSlotAction, runSlotAction } from "@/server/services/slots/slot-actions";
import { anonymousContext, makeUser } from "@/test/factories";
import { BENCH_LABEL, fmt, median, rawRemove, rawStart, rawStop, removeByLabel, slotNetwork, type RawSlot } from "./raw-docker";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 3;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RESOURCES = { cpuMillicores: 250, memoryMiB: 64, diskMiB: 64 };
const runId = randomBytes(4).toString("hex");

/** Per phase of one round: engine calls by endpoint (ms each), SQL statements, and a timeline. */
type Phase = { engine: Map<string, number[]>; sql: number; t0: number; timeline: string[] };
let current: Phase | null = null;

function engineKey(method: string, path: string): string {
  const p = path
    .split("?")[0]!
    .replace(/\/containers\/(?!create\b)[^/]+/, "/containers/{id}")
    .replace(/\/images\/.+\/json$/, "/images/{name}/json")
    .replace(/\/volumes\/(?!create\b)[^/]+$/, "/volumes/{name}");
  return `${method} ${p}`;
}

function mark(phase: Phase | null, what: string): void {
  if (phase) phase.timeline.push(`${(performance.now() - phase.t0).toFixed(1).padStart(6)} ms  ${what}`);
}

/** Times every engine request of the process's DockerRuntime (all of them go through modem.dial). */
function instrumentEngine(rt: DockerRuntime): void {
  type Dial = (options: { method: string; path: string }, callback: (err: unknown, data: unknown) => void) => void;
  const modem = (rt as unknown as { docker: { modem: { dial: Dial } } }).docker.modem;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const key = engineKey(options.method, options.path);
    const t0 = performance.now();
    const phase = current;
    mark(phase, `→ ${key}`);
    dial(options, (err, data) => {
      mark(phase, `← ${key}`);
      if (phase) {
        const list = phase.engine.get(key) ?? [];
        list.push(performance.now() - t0);
        phase.engine.set(key, list);
      }
      callback(err, data);
    });
  };
}

/**
 * Times the slot home's disk work on the host (ext4 image, loop mount: home-disk.ts), when this
 * tree's runtime has it. Reaches into private fields: a profiler's licence; missing ones are skipped.
 */
function instrumentHomeDisks(rt: DockerRuntime): void {
  const disks = (rt as unknown as { homes?: { disks?: Record<string, unknown> } }).homes?.disks;
  if (!disks) return;
  for (const name of ["create", "attach", "hasImage", "detach", "remove"]) {
    const fn = disks[name];
    if (typeof fn !== "function") continue;
    disks[name] = async (...args: unknown[]) => {
      const key = `disk ${name}`;
      const phase = current;
      const t0 = performance.now();
      mark(phase, `→ ${key}`);
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>).apply(disks, args);
      } finally {
        mark(phase, `← ${key}`);
        if (phase) phase.engine.set(key, [...(phase.engine.get(key) ?? []), performance.now() - t0]);
      }
    };
  }
}

async function measure<T>(phases: Phase[], fn: () => Promise<T>): Promise<{ ms: number; value: T; phase: Phase }> {
  const t0 = performance.now();
  const phase: Phase = { engine: new Map(), sql: 0, t0, timeline: [] };
  current = phase;
  const value = await fn();
  const ms = performance.now() - t0;
  mark(phase, "done");
  current = null;
  phases.push(phase);
  return { ms, value, phase };
}

async function main() {
  // Its own data dir: the slots' home disks (ext4 images, loop mounts) live below it.
  const dataDir = mkdtempSync(path.join(tmpdir(), "berth-bench-profile-"));
  setEnvForTests({ BERTH_SECRET: "bench-secret-bench-secret-bench-secret-0", BERTH_DATA_DIR: dataDir, LOG_LEVEL: "warn" });
  const image = await ensureTinyImage();
  const dbName = `berth_bench_${runId}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  await (await openPostgres(url.toString(), { max: 1 })).close(); // migrations
  // The shared client, as openPostgres makes it, plus a hook that counts statements.
  const client = postgres(url.toString(), { max: 10, onnotice: () => {}, debug: (_connection: number, query: string) => {
      if (!current) return;
      current.sql++;
      mark(current, `SQL ${query.replace(/\s+/g, " ").slice(0, 70)}`);
    },
  });
  setSharedDb({ db: drizzle(client, { schema }) as unknown as Db, kind: "postgres", close: () => client.end({ timeout: 5 }), url: url.toString() });
  const rt = new DockerRuntime({});
  instrumentEngine(rt);
  instrumentHomeDisks(rt);
  setRuntime(rt);
  const me = await instanceId();
  const raws: RawSlot[] = [];
  try {
    await db().insert(templates).values({ id: "tpl_profile", slug: "profile-tiny", name: "Tiny (profile)", image, ...RESOURCES });
    const owner = await makeUser();
    await db().update(users).set({ plan: "team", limits: { slots: ROUNDS + WARMUP + 5 } }).where(eq(users.id, owner.id));
    const ctx = { ...anonymousContext(), actor: owner };
    const networkId = await slotNetwork();

    const phases = { create: [] as Phase[], provision: [] as Phase[], stopRequest: [] as Phase[], stop: [] as Phase[] };
    const ms = { create: [] as number[], provision: [] as number[], stopRequest: [] as number[], stop: [] as number[], rawStart: [] as number[], rawStop: [] as number[] };
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const keep = i >= WARMUP;
      const sink = <K extends keyof typeof phases>(k: K) => (keep ? phases[k] : []);
      const created = await measure(sink("create"), () => createSlot(ctx, { name: `p-${i}`, templateId: "tpl_profile", resources: RESOURCES }));
      const provisioned = await measure(sink("provision"), () => runSlotAction(created.value.id, "provision", owner.id));
      const raw = await rawStart({ runId, i, image, networkId, resources: { ...RESOURCES, pids: 2048 } });
      raws.push(raw);
      const stopRequested = await measure(sink("stopRequest"), () => requestSlotAction(ctx, created.value.id, "stop"));
      const stopped = await measure(sink("stop"), () => runSlotAction(created.value.id, "stop", owner.id));
      const rawStopMs = await rawStop(raw);
      if (!keep) continue;
      ms.create.push(created.ms);
      ms.provision.push(provisioned.ms);
      ms.stopRequest.push(stopRequested.ms);
      ms.stop.push(stopped.ms);
      ms.rawStart.push(raw.ms);
      ms.rawStop.push(rawStopMs);
    }

    const show = (title: string, total: number[], list: Phase[]) => {
      const sum = (p: Phase, disk: boolean) => [...p.engine.entries()].filter(([k]) => k.startsWith("disk ") === disk).flatMap(([, v]) => v).reduce((a, b) => a + b, 0);
      const others = list.map((p, i) => total[i]! - sum(p, false) - sum(p, true));
      console.log(
        `${title.padEnd(44)} ${fmt(median(total))} ms   engine ${fmt(median(list.map((p) => sum(p, false))))} ms   home disk ${fmt(median(list.map((p) => sum(p, true))))} ms   ` +
          `other (SQL + JS) ${fmt(median(others))} ms   ${median(list.map((p) => p.sql))} SQL statements`,
      );
      const keys = new Set(list.flatMap((p) => [...p.engine.keys()]));
      for (const key of keys) {
        const each = list.map((p) => (p.engine.get(key) ?? []).reduce((a, b) => a + b, 0));
        const calls = median(list.map((p) => p.engine.get(key)?.length ?? 0));
        console.log(`    ${key.padEnd(40)} ${fmt(median(each))} ms  (${calls}×)`);
      }
    };
    console.log(`\nBerth slot profile — in-process services on PostgreSQL, ${ROUNDS} rounds (+${WARMUP} warm-up), medians\n`);
    show("createSlot (the request's service call)", ms.create, phases.create);
    show("provision (background: create + start)", ms.provision, phases.provision);
    console.log(`${"raw volume + create + start".padEnd(44)} ${fmt(median(ms.rawStart))} ms`);
    show("requestSlotAction stop (the request)", ms.stopRequest, phases.stopRequest);
    show("stop action (background)", ms.stop, phases.stop);
    console.log(`${"raw stop".padEnd(44)} ${fmt(median(ms.rawStop))} ms`);
    if (process.env.BENCH_TIMELINE) {
      for (const [name, list] of Object.entries(phases)) console.log(`\ntimeline of the last ${name} (SQL: when sent; engine: → sent, ← answered)\n${list.at(-1)!.timeline.join("\n")}`);
    }
  } finally {
    for (const r of raws) await rawRemove(r);
    await removeByLabel(`${BENCH_LABEL}=${runId}`);
    // Through the runtime, so each slot's home disk is unmounted and detached with it.
    for (const c of (await rt.list()).filter((c) => c.instanceId === me)) await rt.remove(c.containerId, { slotId: c.slotId, withHome: true });
    await removeByLabel(`berth.instance=${me}`);
    setRuntime(undefined);
    rmSync(dataDir, { recursive: true, force: true });
    await closeDb();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
