// bench/slots.ts — slot lifecycle through Berth's REST API against raw dockerode calls with the same
// container options, measured in the same run, then 200 running slots of the tiny image.
//   1. start: POST /api/v1/slots with wait: true (answers once running; BENCH_WAIT=0: GET the slot
//      every BENCH_POLL_MS until `running` instead),
//      against createVolume + createContainer + start with the HostConfig Berth builds
//      (slotContainerOptions: init, no caps, no-new-privileges, memory, NanoCpus, pids, network, home).
//   2. stop: POST /api/v1/slots/{id}/stop until `stopped`, against container.stop (same timeout).
//   3. scale: BENCH_SLOTS (200) raw volume+create+start, BENCH_CONCURRENCY in flight (removed again),
//      then as many creates through the API until all run: slots per second for both; the server's
//      RSS (VmRSS, sampled every 100 ms) with none, at 200, and over a minute after, per slot; its CPU.
// Prints every figure with its ratio against the raw baseline; asserts nothing. Rounds of Berth and
// raw alternate so both see the same machine. Slot events (their timestamps) split Berth's time
// into request, provision (volume + container create) and start, to show where it goes.
//   npm run build && npm run bench:slots     (needs Docker and a PostgreSQL server; makes a fresh database)
// The API code runs from the production build: rebuild after changing services, or the bench
// measures the old code. bench/slots-profile.ts shows where the time goes, call by call.
//   BENCH_POSTGRES_URL=postgres://user@host:5432/postgres   the server to make the database on
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type postgres from "postgres";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { benchApi, rssKiB, sleep, startBenchServer } from "./bench-server";
import { BENCH_LABEL, docker, fmt as f, median, p90, rawRemove, rawStart, rawStop, removeByLabel, slotNetwork, type RawSlot } from "./raw-docker";

const PORT = Number(process.env.BENCH_PORT ?? 3401);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 3;
const SCALE = Number(process.env.BENCH_SLOTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10);
/** With wait (the default), the POST itself answers once the slot has settled: no polling. BENCH_WAIT=0 polls instead. */
const WAIT = process.env.BENCH_WAIT !== "0";
const RESOURCES = { cpuMillicores: 250, memoryMiB: 64, diskMiB: 64 };
const base = `http://127.0.0.1:${PORT}`;
const runId = randomBytes(4).toString("hex");
const PIDS = 2048; // the team plan's, which Berth gives each slot

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────

const { api, must } = benchApi(base);
type SlotView = { id: string; status: string; lastError: string | null };

/** How long each status GET took: with POLL_MS, what bounds how late Berth's `running` is seen. */
const pollGets: number[] = [];

/** Polls one slot until it has `status` (or fails on error); resolution is POLL_MS + one GET. */
async function waitForStatus(token: string, id: string, status: string, timeoutMs = 60_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(POLL_MS)) {
    const t0 = performance.now();
    const slot = await must<SlotView>(token, "GET", `/slots/${id}`);
    pollGets.push(performance.now() - t0);
    if (slot.status === status) return;
    if (slot.status === "error") throw new Error(`slot ${id} went to error: ${slot.lastError}`);
  }
  throw new Error(`slot ${id} did not become ${status} within ${timeoutMs / 1000} s`);
}

// ── The server and its set-up ──────────────────────────────────────────────────────────────

/** CPU time (user + system) the process has used so far, in seconds (/proc/<pid>/stat, 100 ticks/s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS sampled every 100 ms for `ms`: one reading is at the mercy of the garbage collector. */
async function rssWindow(pid: number, ms: number): Promise<{ median: number; max: number }> {
  const xs: number[] = [];
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) xs.push(rssKiB(pid));
  return { median: median(xs), max: Math.max(...xs) };
}

/** A user whose limits allow SCALE running slots, and a template of the tiny image. Admin API first; SQL on an older tree. */
async function prepareCatalog(adminToken: string, userId: string, image: string, sql: postgres.Sql): Promise<string> {
  const tpl = await api<{ id: string }>(adminToken, "POST", "/admin/templates", { slug: `bench-tiny-${runId}`, name: "Tiny (bench)", image, resources: RESOURCES });
  const limits = await api(adminToken, "PATCH", `/admin/users/${userId}`, { plan: "team", limits: { slots: SCALE + 50, maxRunning: SCALE + 50 } });
  if (tpl.status < 300 && limits.status < 300) return tpl.body.id;
  console.log(`(admin catalog API not available: templates ${tpl.status}, limits ${limits.status}; setting up through SQL)`);
  const id = `tpl_bench_${runId}`;
  await sql`insert into templates (id, slug, name, image, cpu_millicores, memory_mib, disk_mib) values (${id}, ${`bench-tiny-${runId}`}, 'Tiny (bench)', ${image}, ${RESOURCES.cpuMillicores}, ${RESOURCES.memoryMiB}, ${RESOURCES.diskMiB}) on conflict do nothing`;
  await sql`insert into plans (id, name, description, max_slots, max_running, cpu_millicores, memory_mib, disk_mib, pids, idle_timeout_minutes, price_per_hour_cents, is_default)
            values ('bench', 'Bench', '', ${SCALE + 50}, ${SCALE + 50}, 4000, 8192, 51200, 2048, 240, 0, false) on conflict do nothing`;
  await sql`update users set plan = 'bench' where id = ${userId}`;
  return id;
}

// ── Measurements ───────────────────────────────────────────────────────────────────────────

type Event = { type: string; createdAt: string };

/** Berth: the API call until the slot is running. Also the split read from the slot's events. */
async function berthStart(token: string, templateId: string, name: string) {
  const t0 = performance.now();
  const created = await must<{ slot: SlotView }>(token, "POST", "/slots", { name, templateId, resources: RESOURCES, ...(WAIT ? { wait: true } : {}) });
  const answered = performance.now();
  if (created.slot.status !== "running") await waitForStatus(token, created.slot.id, "running");
  const ms = performance.now() - t0;
  const { data } = await must<{ data: Event[] }>(token, "GET", `/slots/${created.slot.id}/events?limit=20`);
  const at = (type: string) => new Date(data.find((e) => e.type === type)!.createdAt).getTime();
  return {
    id: created.slot.id,
    ms,
    request: answered - t0,
    provision: at("slot.starting") - at("slot.created"), // load + image check + volume + container create + DB
    start: at("slot.started") - at("slot.starting"), // engine start + DB transition
  };
}

async function berthStop(token: string, id: string) {
  const t0 = performance.now();
  const stopped = await must<SlotView>(token, "POST", `/slots/${id}/stop`, WAIT ? { wait: true } : undefined);
  if (stopped.status !== "stopped") await waitForStatus(token, id, "stopped");
  const ms = performance.now() - t0;
  const { data } = await must<{ data: Event[] }>(token, "GET", `/slots/${id}/events?limit=5`);
  const at = (type: string) => new Date(data.find((e) => e.type === type)!.createdAt).getTime();
  return { ms, engine: at("slot.stopped") - at("slot.stopping") };
}

async function main() {
  const image = await ensureTinyImage();
  const server = await startBenchServer({ name: "slots", port: PORT, runId, admin: true });
  const { sql, adminEmail, password, instanceId } = server;
  const raws: RawSlot[] = [];
  let token = "";
  const slotIds: string[] = [];
  try {
    const adminToken = (await must<{ accessToken: string }>(null, "POST", "/auth/token", { email: adminEmail, password })).accessToken;
    const email = `bench-${runId}@example.com`;
    const registered = await must<{ user: { id: string } }>(null, "POST", "/auth/register", { email, password });
    token = (await must<{ accessToken: string }>(null, "POST", "/auth/token", { email, password })).accessToken;
    const templateId = await prepareCatalog(adminToken, registered.user.id, image, sql);
    const networkId = await slotNetwork();
    const rawSpec = (i: number) => ({ runId, i, image, networkId, resources: { ...RESOURCES, pids: PIDS } });
    // Tokens last BERTH_ACCESS_TOKEN_TTL (15 min by default): enough for one run.

    // 1 + 2. Start and stop, Berth and raw alternating; the first WARMUP rounds are not counted.
    const berth = { start: [] as number[], stop: [] as number[], request: [] as number[], provision: [] as number[], engineStart: [] as number[], engineStop: [] as number[] };
    const raw = { start: [] as number[], stop: [] as number[], create: [] as number[], engineStart: [] as number[] };
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const b = await berthStart(token, templateId, `bench-${i}`);
      slotIds.push(b.id);
      const r = await rawStart(rawSpec(i));
      raws.push(r);
      const bs = await berthStop(token, b.id);
      const rawStopMs = await rawStop(r);
      if (i < WARMUP) continue;
      berth.start.push(b.ms);
      berth.request.push(b.request);
      berth.provision.push(b.provision);
      berth.engineStart.push(b.start);
      berth.stop.push(bs.ms);
      berth.engineStop.push(bs.engine);
      raw.start.push(r.ms);
      raw.create.push(r.create);
      raw.engineStart.push(r.start);
      raw.stop.push(rawStopMs);
    }
    for (const id of slotIds.splice(0)) await must(token, "DELETE", `/slots/${id}`);
    for (const r of raws.splice(0)) await rawRemove(r);

    // 3a. The engine alone: SCALE raw slots, CONCURRENCY in flight, then removed again.
    const rawT0 = performance.now();
    let rawNext = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (rawNext < SCALE) raws.push(await rawStart(rawSpec(1000 + rawNext++)));
      }),
    );
    const rawScaleMs = performance.now() - rawT0;
    for (let i = 0; i < raws.length; i += CONCURRENCY) await Promise.all(raws.slice(i, i + CONCURRENCY).map(rawRemove));
    raws.length = 0;

    // 3b. SCALE slots through the API, CONCURRENCY creates in flight, until every one runs.
    await sleep(3_000); // let the removals above settle before the baseline
    const rssBefore = await rssWindow(server.pid, 5_000);
    // Meanwhile, how fast the engine answers a version call (what Berth's per-request ping does).
    const pings: number[] = [];
    let scaling = true;
    const pinger = (async () => {
      while (scaling) {
        const p0 = performance.now();
        await docker.version();
        pings.push(performance.now() - p0);
        await sleep(200);
      }
    })();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SCALE) {
          const i = next++;
          const { slot } = await must<{ slot: SlotView }>(token, "POST", "/slots", { name: `scale-${i}`, templateId, resources: RESOURCES });
          slotIds.push(slot.id);
        }
      }),
    );
    const requested = performance.now() - t0;
    scaling = false;
    await pinger;
    let running = 0;
    let failed = 0;
    for (const until = Date.now() + 600_000; Date.now() < until; await sleep(250)) {
      const all = await listAll(token);
      running = all.filter((s) => s.status === "running").length;
      failed = all.filter((s) => s.status === "error").length;
      if (running + failed >= SCALE) break;
    }
    const scaleMs = performance.now() - t0;
    const rssAtScale = await rssWindow(server.pid, 5_000);
    // Then a minute with all of them running: the periodic jobs (metrics samples, reconcile, auto-stop) included.
    const cpuBefore = cpuSeconds(server.pid);
    const rssSteady = await rssWindow(server.pid, 60_000);
    const steadyCpu = (cpuSeconds(server.pid) - cpuBefore) / 60;
    const engineRunning = (await docker.listContainers({ filters: { label: [`berth.instance=${instanceId}`], status: ["running"] } })).length;

    // Report.
    const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
    console.log(`\nBerth slot benchmark — tiny image ${image}, ${RESOURCES.cpuMillicores} mCPU / ${RESOURCES.memoryMiB} MiB, database PostgreSQL`);
    console.log(`${ROUNDS} rounds (+${WARMUP} warm-up), Berth and raw alternating; ${WAIT ? "Berth's POSTs with wait: true (answer when settled)" : `Berth polled every ${POLL_MS} ms + one GET (median ${median(pollGets).toFixed(1)} ms, p90 ${p90(pollGets).toFixed(1)} ms)`}\n`);
    console.log("                                        median      p90   (ms)");
    console.log(`start  Berth (POST → running)          ${f(median(berth.start))}  ${f(p90(berth.start))}`);
    console.log(`         request answered (202)         ${f(median(berth.request))}  ${f(p90(berth.request))}`);
    console.log(`         created → starting (provision) ${f(median(berth.provision))}  ${f(p90(berth.provision))}   events`);
    console.log(`         starting → started (start)     ${f(median(berth.engineStart))}  ${f(p90(berth.engineStart))}   events`);
    console.log(`       raw (volume+create+start)       ${f(median(raw.start))}  ${f(p90(raw.start))}`);
    console.log(`         volume + create                ${f(median(raw.create))}  ${f(p90(raw.create))}`);
    console.log(`         start                          ${f(median(raw.engineStart))}  ${f(p90(raw.engineStart))}`);
    console.log(`stop   Berth (POST → stopped)          ${f(median(berth.stop))}  ${f(p90(berth.stop))}`);
    console.log(`         stopping → stopped             ${f(median(berth.engineStop))}  ${f(p90(berth.engineStop))}   events`);
    console.log(`       raw (container.stop)            ${f(median(raw.stop))}  ${f(p90(raw.stop))}`);
    console.log("");
    console.log(`start: Berth/raw = ${ratio(berth.start, raw.start)}×   (target ≤ 1.3×)`);
    console.log(`stop:  Berth/raw = ${ratio(berth.stop, raw.stop)}×   (target ≤ 1.5×)`);
    console.log("");
    const perSecond = (n: number, ms: number) => ((n / ms) * 1000).toFixed(1);
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    const perSlot = (kib: number) => ((kib * 1024) / 1e6 / SCALE).toFixed(3);
    console.log(`scale: ${running}/${SCALE} running (${failed} error; engine: ${engineRunning} running) in ${(scaleMs / 1000).toFixed(1)} s = ${perSecond(SCALE, scaleMs)} slots/s; creates answered in ${(requested / 1000).toFixed(1)} s (${CONCURRENCY} in flight)   (target ≥ ${SCALE} running)`);
    console.log(`       engine GET /version while the creates ran (Berth trusts a good ping for 2 s): median ${median(pings).toFixed(1)} ms, p90 ${p90(pings).toFixed(1)} ms`);
    console.log(`       raw: ${SCALE} volume+create+start in ${(rawScaleMs / 1000).toFixed(1)} s = ${perSecond(SCALE, rawScaleMs)} slots/s (${CONCURRENCY} in flight); Berth/raw time = ${(scaleMs / rawScaleMs).toFixed(2)}×`);
    console.log(
      `memory: server RSS (median of 100 ms samples) ${mib(rssBefore.median)} MiB with none (5 s) → ${mib(rssAtScale.median)} MiB at ${SCALE} running (5 s) → ` +
        `${mib(rssSteady.median)} MiB over the next minute (max ${mib(rssSteady.max)})`,
    );
    console.log(
      `        per slot: ${perSlot(rssAtScale.median - rssBefore.median)} MB at once, ${perSlot(rssSteady.median - rssBefore.median)} MB steady, ` +
        `${perSlot(rssSteady.max - rssBefore.median)} MB at the steady peak   (target ≤ 10 MB/slot)`,
    );
    console.log(`cpu:    the server used ${(steadyCpu * 100).toFixed(1)}% of one core over that minute with ${SCALE} running and no requests (periodic jobs)`);
  } finally {
    // Delete through the API (what a user would do), then make sure nothing of this run is left.
    if (token && slotIds.length) {
      for (let i = 0; i < slotIds.length; i += CONCURRENCY) {
        await Promise.all(slotIds.slice(i, i + CONCURRENCY).map((id) => api(token, "DELETE", `/slots/${id}`).catch(() => undefined)));
      }
      for (const until = Date.now() + 120_000; Date.now() < until && (await countLive(token).catch(() => 0)) > 0; ) await sleep(500);
    }
    for (const r of raws) await rawRemove(r);
    await removeByLabel(`${BENCH_LABEL}=${runId}`);
    await server.stop();
  }
}

async function listAll(token: string, status?: string): Promise<SlotView[]> {
  const out: SlotView[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: "100", ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    const page: { data: SlotView[]; nextCursor: string | null } = await must(token, "GET", `/slots?${q}`);
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

const countLive = async (token: string) => (await listAll(token)).filter((s) => s.status !== "deleted").length;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
