// bench/files.ts — a 100 MB file up and down through Berth's REST (PUT/GET …/files/content) against
// the raw baseline measured in the same run on the same slot: the Docker archive API (putArchive /
// getArchive of a one-file tar), straight through dockerode, nothing in between. Rounds alternate
// Berth and raw; medians are printed with the ratio (target ≥ 50 % of raw both ways). Berth's RSS
// is sampled before, during (max) and after a 10 MB and a 100 MB transfer: it must not grow with
// the file's size (uploads and downloads stream). Each timed transfer starts after a short pause,
// and a sync, so that what the previous one left running in the background (the engine's cleanup,
// the script Berth starts for the next file operation, the disk's writeback) is not timed against
// the next. Prints; asserts nothing.
//   npm run build && npx tsx bench/files.ts   (Docker, a PostgreSQL server)
//   BENCH_POSTGRES_URL=postgres://user@host:5432/postgres   the server to make the database on
//   BENCH_MB (100), BENCH_ROUNDS (3), BENCH_MEMORY_MIB (256: the slot's memory)
//   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   extra node flags for the server (profiling;
//   BENCH_SERVER_STDOUT=1 shows its stdout, e.g. with --trace-gc)
import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request as httpRequestRaw, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { rssMiB, sleep, startBenchServer } from "./bench-server";
import { docker, median } from "./raw-docker";

const PORT = Number(process.env.BENCH_PORT ?? 3403);
const MB = Number(process.env.BENCH_MB ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The slot's memory: its page cache is charged to it, so a small slot writes back sooner. */
const MEMORY_MIB = Number(process.env.BENCH_MEMORY_MIB ?? 256);
const base = `http://127.0.0.1:${PORT}`;
const MiB = 1024 * 1024;
const SETTLE_MS = 500;
const agent = new Agent({ keepAlive: true });
/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ: 100 on every architecture Node runs on). */
const CLK_TCK = 100;

/** CPU seconds used so far by a process (utime + stime of /proc/<pid>/stat); 0 when it is gone. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The engine's own processes on this host: dockerd, containerd and the shims. */
function enginePids(): number[] {
  const out = execFileSync("pgrep", ["-f", "^(/usr/bin/|/usr/sbin/)?(dockerd|containerd|containerd-shim)"], { encoding: "utf8" }).trim();
  return out ? out.split("\n").map(Number) : [];
}

/** Where the CPU of one transfer went, in seconds: the bench's own process, Berth, the engine, the slot's cgroup. */
type CpuSplit = { client: number; berth: number; engine: number; slot: number };

function cpuNow(serverPid: number, containerId: string): CpuSplit {
  const u = process.cpuUsage();
  let slot = 0;
  try {
    slot = Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${containerId}/cpuacct.usage`, "utf8")) / 1e9;
  } catch {
    slot = Number.NaN; // cgroup v2 or another layout: not shown
  }
  return { client: (u.user + u.system) / 1e6, berth: cpuOf(serverPid), engine: enginePids().reduce((sum, p) => sum + cpuOf(p), 0), slot };
}

const cpuDelta = (a: CpuSplit, b: CpuSplit): CpuSplit => ({ client: b.client - a.client, berth: b.berth - a.berth, engine: b.engine - a.engine, slot: b.slot - a.slot });

/** Runs `work` while sampling the server's RSS every 50 ms; answers its duration, the highest RSS seen and where the CPU went. */
async function measured(pid: number, work: () => Promise<void>, containerId = ""): Promise<{ ms: number; maxRss: number; cpu: CpuSplit }> {
  // The previous transfer's dirty pages written back first (both ways write the same disk): the
  // kernel would otherwise throttle whichever write comes next for the one before.
  execFileSync("sync");
  await sleep(SETTLE_MS);
  const cpu0 = cpuNow(pid, containerId);
  let maxRss = rssMiB(pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      maxRss = Math.max(maxRss, rssMiB(pid));
      await sleep(50);
    }
  })();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  running = false;
  const cpu = cpuDelta(cpu0, cpuNow(pid, containerId));
  await sampler;
  return { ms, maxRss, cpu };
}

/** A ustar header for one regular file (the raw baseline streams the content after it). */
function tarHeader(name: string, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, "utf8");
  const octal = (off: number, len: number, v: number) => b.write(`${v.toString(8).padStart(len - 1, "0")}\0`, off, len, "ascii");
  octal(100, 8, 0o644);
  octal(108, 8, 1000);
  octal(116, 8, 1000);
  octal(124, 12, size);
  octal(136, 12, Math.floor(Date.now() / 1000));
  b.write("0", 156, 1, "ascii");
  b.write("ustar\0", 257, 6, "ascii");
  b.write("00", 263, 2, "ascii");
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return b;
}

async function* tarOf(file: string, name: string, size: number): AsyncGenerator<Buffer> {
  yield tarHeader(name, size);
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) yield chunk as Buffer;
  const pad = (512 - (size % 512)) % 512;
  yield Buffer.alloc(pad + 1024);
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of stream) n += c.byteLength;
  return n;
}

/**
 * Berth's client is Node's own http module, as dockerode's is for the raw baseline: the same client
 * stack on both sides (fetch's web streams cost the client about twice the CPU, on the same two
 * cores the server and the engine need). BENCH_CLIENT=fetch uses fetch instead.
 */
const FETCH_CLIENT = process.env.BENCH_CLIENT === "fetch";

function httpRequest(method: string, url: string, headers: Record<string, string>, body?: NodeJS.ReadableStream): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequestRaw(url, { method, headers, agent }, resolve);
    req.on("error", reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function berthUpload(token: string, slotId: string, file: string, size: number, name: string): Promise<void> {
  const url = `${base}/api/v1/slots/${slotId}/files/content?path=/${name}`;
  const headers = { authorization: `Bearer ${token}`, "content-length": String(size), "content-type": "application/octet-stream" };
  if (!FETCH_CLIENT) {
    const res = await httpRequest("PUT", url, headers, createReadStream(file, { highWaterMark: MiB }));
    const text = await drainText(res);
    if (res.statusCode !== 201) throw new Error(`upload answered ${res.statusCode}: ${text}`);
    return;
  }
  const init: RequestInit & { duplex: "half" } = {
    method: "PUT",
    headers,
    body: Readable.toWeb(createReadStream(file, { highWaterMark: MiB })) as ReadableStream<Uint8Array>,
    duplex: "half",
  };
  const res = await fetch(url, init);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
}

async function berthDownload(token: string, slotId: string, name: string, size: number): Promise<void> {
  const url = `${base}/api/v1/slots/${slotId}/files/content?path=/${name}`;
  const headers = { authorization: `Bearer ${token}` };
  if (!FETCH_CLIENT) {
    const res = await httpRequest("GET", url, headers);
    if (res.statusCode !== 200) throw new Error(`download answered ${res.statusCode}: ${await drainText(res)}`);
    const n = await drain(res);
    if (n !== size) throw new Error(`download gave ${n} of ${size} bytes`);
    return;
  }
  const res = await fetch(url, { headers });
  if (res.status !== 200 || !res.body) throw new Error(`download answered ${res.status}`);
  const n = await drain(res.body as unknown as AsyncIterable<Uint8Array>);
  if (n !== size) throw new Error(`download gave ${n} of ${size} bytes`);
}

async function drainText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function rawUpload(containerId: string, file: string, size: number, name: string): Promise<void> {
  await docker.getContainer(containerId).putArchive(Readable.from(tarOf(file, name, size)) as unknown as NodeJS.ReadableStream, { path: "/home/berth" });
}

async function rawDownload(containerId: string, name: string, size: number): Promise<void> {
  const stream = await docker.getContainer(containerId).getArchive({ path: `/home/berth/${name}` });
  const n = await drain(stream as unknown as AsyncIterable<Uint8Array>);
  if (n < size) throw new Error(`getArchive gave ${n} bytes for a ${size}-byte file`);
}

async function main() {
  const image = await ensureTinyImage();
  const server = await startBenchServer({ name: "files", port: PORT, nodeArgs: (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean) });
  const { runId, sql, password, must } = server;
  const work = mkdtempSync(path.join(tmpdir(), "berth-bench-files-data-"));
  let token = "";
  let slotId = "";
  try {
    const email = `bench-${runId}@example.com`;
    const { user } = await must<{ user: { id: string } }>(null, "POST", "/auth/register", { email, password });
    token = (await must<{ accessToken: string }>(null, "POST", "/auth/token", { email, password })).accessToken;
    const tpl = `tpl_bench_files_${runId}`;
    await sql`insert into templates (id, slug, name, image, cpu_millicores, memory_mib, disk_mib) values (${tpl}, ${`bench-files-${runId}`}, 'Tiny (files bench)', ${image}, 1000, ${MEMORY_MIB}, 2048)`;
    await sql`insert into plans (id, name, description, max_slots, max_running, cpu_millicores, memory_mib, disk_mib, pids, idle_timeout_minutes, max_file_mib, files_quota_mib, is_default)
              values ('bench-files', 'Bench files', '', 5, 5, 2000, 1024, 4096, 512, 240, ${MB * 2}, ${MB * 8}, false) on conflict do nothing`;
    await sql`update users set plan = 'bench-files' where id = ${user.id}`;
    const created = await must<{ slot: { id: string } }>(token, "POST", "/slots", { name: "files-bench", templateId: tpl, resources: { cpuMillicores: 1000, memoryMiB: MEMORY_MIB, diskMiB: 2048 }, wait: true });
    slotId = created.slot.id;
    const [row] = (await sql`select container_id, status from slots where id = ${slotId}`) as unknown as { container_id: string; status: string }[];
    if (row?.status !== "running") throw new Error(`the slot is ${row?.status}`);
    const containerId = row.container_id;

    const files: Record<number, string> = {};
    for (const size of [10, MB]) {
      files[size] = path.join(work, `f${size}.bin`);
      writeFileSync(files[size], randomBytes(size * MiB));
    }
    console.log(`files bench: ${MB} MB, ${ROUNDS} rounds (Berth and raw alternating), slot ${slotId} (berth/tiny, running), Berth's client: ${FETCH_CLIENT ? "fetch" : "node:http (as dockerode's)"}`);
    await sleep(2_000);
    const rssIdle = rssMiB(server.pid);

    const rssBySize: Record<number, { up: number; down: number }> = {};
    const times = { berthUp: [] as number[], rawUp: [] as number[], berthDown: [] as number[], rawDown: [] as number[] };
    const cpus = { berthUp: [] as CpuSplit[], rawUp: [] as CpuSplit[], berthDown: [] as CpuSplit[], rawDown: [] as CpuSplit[] };
    for (const size of [10, MB]) {
      const bytes = size * MiB;
      const rounds = size === MB ? ROUNDS : 1;
      for (let i = 0; i < rounds; i++) {
        const up = await measured(server.pid, () => berthUpload(token, slotId, files[size]!, bytes, `b${size}.bin`), containerId);
        const rawUp = await measured(server.pid, () => rawUpload(containerId, files[size]!, bytes, `r${size}.bin`), containerId);
        const down = await measured(server.pid, () => berthDownload(token, slotId, `b${size}.bin`, bytes), containerId);
        const rawDown = await measured(server.pid, () => rawDownload(containerId, `r${size}.bin`, bytes), containerId);
        rssBySize[size] = { up: Math.max(rssBySize[size]?.up ?? 0, up.maxRss), down: Math.max(rssBySize[size]?.down ?? 0, down.maxRss) };
        if (size !== MB) continue;
        times.berthUp.push(up.ms);
        times.rawUp.push(rawUp.ms);
        times.berthDown.push(down.ms);
        times.rawDown.push(rawDown.ms);
        cpus.berthUp.push(up.cpu);
        cpus.rawUp.push(rawUp.cpu);
        cpus.berthDown.push(down.cpu);
        cpus.rawDown.push(rawDown.cpu);
      }
    }
    // Byte-identical round trip of the big one.
    const res = await fetch(`${base}/api/v1/slots/${slotId}/files/content?path=/b${MB}.bin`, { headers: { authorization: `Bearer ${token}` } });
    const hash = createHash("sha256");
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(c);
    const same = hash.digest("hex") === createHash("sha256").update(readFileSync(files[MB]!)).digest("hex");
    await sleep(2_000);
    const rssAfter = rssMiB(server.pid);

    const mbps = (ms: number) => (MB / (ms / 1000)).toFixed(1).padStart(7);
    const row2 = (label: string, berth: number[], raw: number[]) => {
      const b = median(berth);
      const r = median(raw);
      console.log(`${label.padEnd(10)} Berth ${mbps(b)} MB/s (${b.toFixed(0)} ms)   raw archive API ${mbps(r)} MB/s (${r.toFixed(0)} ms)   Berth/raw ${((r / b) * 100).toFixed(0)} %`);
      console.log(`${"".padEnd(10)} rounds (ms): Berth ${berth.map((x) => x.toFixed(0)).join(", ")}; raw ${raw.map((x) => x.toFixed(0)).join(", ")}`);
    };
    const cpuRow = (label: string, split: CpuSplit[]) => {
      const m = (k: keyof CpuSplit) => median(split.map((c) => c[k]));
      const part = (k: keyof CpuSplit) => (Number.isNaN(m(k)) ? "–" : m(k).toFixed(2));
      const total = m("client") + m("berth") + m("engine") + (Number.isNaN(m("slot")) ? 0 : m("slot"));
      console.log(`${"".padEnd(10)} CPU s, ${label.padEnd(5)} client ${part("client")}  Berth ${part("berth")}  engine ${part("engine")}  slot ${part("slot")}  (sum ${total.toFixed(2)})`);
    };
    row2("upload", times.berthUp, times.rawUp);
    cpuRow("Berth", cpus.berthUp);
    cpuRow("raw", cpus.rawUp);
    row2("download", times.berthDown, times.rawDown);
    cpuRow("Berth", cpus.berthDown);
    cpuRow("raw", cpus.rawDown);
    console.log(`round trip of ${MB} MB byte-identical: ${same ? "yes" : "NO"}`);
    console.log(`Berth RSS: idle ${rssIdle.toFixed(0)} MiB; max during 10 MB up/down ${rssBySize[10]!.up.toFixed(0)}/${rssBySize[10]!.down.toFixed(0)} MiB; during ${MB} MB up/down ${rssBySize[MB]!.up.toFixed(0)}/${rssBySize[MB]!.down.toFixed(0)} MiB; after ${rssAfter.toFixed(0)} MiB`);
  } finally {
    if (slotId) {
      // Deleted in the background: wait until it is gone (container, home volume and disk) before stopping the server.
      await must(token, "DELETE", `/slots/${slotId}`).catch(() => {});
      for (let i = 0; i < 240; i++) {
        const res = await fetch(`${base}/api/v1/slots/${slotId}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
        if (!res || res.status === 404) break;
        await sleep(250);
      }
    }
    rmSync(work, { recursive: true, force: true });
    agent.destroy();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
