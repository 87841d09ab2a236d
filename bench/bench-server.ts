// The scaffolding the server benches share (bench/slots.ts, bench/terminal.ts, bench/files.ts): a
// fresh database on a PostgreSQL server, a temp data dir, the production server on its own port,
// a JSON client for /api/v1, and the teardown that leaves nothing behind.
//   BENCH_POSTGRES_URL=postgres://user@host:5432/postgres   the server to make the database on
//   BENCH_SERVER_STDOUT=1   the server's stdout to this terminal (it is dropped otherwise)
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { removeByLabel } from "./raw-docker";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "bench-password-123";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's resident memory (VmRSS of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

export const rssMiB = (pid: number): number => rssKiB(pid) / 1024;

type Json = Record<string, unknown>;

/** A JSON client for `${base}/api/v1`: `api` answers status and body, `must` the body or throws on ≥ 300. */
export function benchApi(base: string) {
  const request = (token: string | null, method: string, route: string, body?: unknown) =>
    fetch(`${base}/api/v1${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  async function api<T = Json>(token: string | null, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await request(token, method, route, body);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }
  async function must<T = Json>(token: string | null, method: string, route: string, body?: unknown): Promise<T> {
    const res = await request(token, method, route, body);
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
  return { api, must };
}

export type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;

/**
 * Makes database `berth_bench_<name>_<runId>` and a data dir `berth-bench-<name>-*`, starts the
 * production build on `port` against them and waits for /api/health. With `admin`, the server
 * creates an administrator (`adminEmail`, `password`) at start. `stop()` stops the server, removes
 * this installation's containers and volumes, drops the database and the data dir; slots should be
 * deleted through the API before it (what a user would do). If the start fails, it cleans up itself.
 */
export async function startBenchServer(opts: { name: string; port: number; runId?: string; admin?: boolean; env?: NodeJS.ProcessEnv; nodeArgs?: string[] }) {
  if (!existsSync(".next/BUILD_ID")) throw new Error("no production build: run `npm run build` first");
  const runId = opts.runId ?? randomBytes(4).toString("hex");
  const base = `http://127.0.0.1:${opts.port}`;
  const wsBase = `ws://127.0.0.1:${opts.port}`;
  const dbName = `berth_bench_${opts.name}_${runId}`;
  const adminEmail = `admin-${runId}@example.com`;
  const password = PASSWORD;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const dataDir = mkdtempSync(path.join(tmpdir(), `berth-bench-${opts.name}-`));
  // Straight `node`, no npx: its pid is the server's own, for VmRSS. Its own process group, to stop it whole.
  const server = spawn(process.execPath, [...(opts.nodeArgs ?? []), "--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(opts.port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      BERTH_DATA_DIR: dataDir,
      ...(opts.admin ? { BERTH_ADMIN_EMAIL: adminEmail, BERTH_ADMIN_PASSWORD: password } : {}),
      LOG_LEVEL: "warn",
      ...opts.env,
    },
    stdio: ["ignore", process.env.BENCH_SERVER_STDOUT ? "inherit" : "ignore", "inherit"],
    detached: true,
  });
  const exited = new Promise((r) => server.once("exit", r));
  const gone = () => server.exitCode !== null || server.signalCode !== null;
  let instanceId: string | null = null;

  /** Each step runs even if one before it failed; the first failure is thrown at the end. */
  async function stop(): Promise<void> {
    const errors: unknown[] = [];
    const step = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await step(async () => {
      if (!gone()) process.kill(-server.pid!, "SIGTERM");
      await exited;
    });
    if (instanceId) await step(() => removeByLabel(`berth.instance=${instanceId}`));
    await step(() => sql.end({ timeout: 5 }));
    await step(() => admin.unsafe(`drop database if exists ${dbName} with (force)`));
    await step(() => admin.end());
    await step(() => rmSync(dataDir, { recursive: true, force: true }));
    if (errors.length) throw errors[0];
  }

  try {
    if (server.pid === undefined) throw new Error("the Berth server did not start");
    await waitForHealth(base, gone);
    instanceId = ((await sql`select id from berth_instance limit 1`) as unknown as { id: string }[])[0]?.id ?? null;
  } catch (err) {
    await stop().catch((e: unknown) => console.error(`cleaning up after a failed start: ${String(e)}`));
    throw err;
  }
  return { runId, base, wsBase, pid: server.pid, sql, adminEmail, password, instanceId, ...benchApi(base), stop };
}

async function waitForHealth(base: string, gone: () => boolean, ms = 120_000) {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(250)) {
    if (gone()) throw new Error("the Berth server exited before it came up");
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      /* not up yet */
    }
  }
  throw new Error("the Berth server did not come up");
}
