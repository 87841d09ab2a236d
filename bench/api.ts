// bench/api.ts — authenticated GET /api/v1/me (REST) and the tRPC `me.get` query, against a bare
// Next route handler and a bare tRPC procedure served by the same production build in the same run.
// Loopback only, bounded: 10 connections, a fixed duration per target. Prints req/s, p50/p99, ratios.
// Rate limits stay on: an administrator raises the default plan's requestsPerMinute so the measured
// calls are counted (one upsert each) but not refused; a 429 would show as an error.
//   npm run build && npm run bench:api            (embedded PGlite in a temp dir)
//   DATABASE_URL=postgres://… npm run bench:api   (a PostgreSQL server)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";

const PORT = Number(process.env.BENCH_PORT ?? 3400);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const base = `http://127.0.0.1:${PORT}`;
const ADMIN = { email: "bench-admin@example.com", password: "bench-admin-password" };

async function waitFor(url: string, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up`);
}

async function run(title: string, url: string, headers: Record<string, string> = {}) {
  // A short warm-up so JIT and connection pools are settled before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  const errors = r.errors + r.non2xx;
  return { title, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors };
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "berth-bench-"));
  const server = spawn("npx", ["tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      BERTH_DATA_DIR: dataDir,
      BERTH_BENCH: "1",
      LOG_LEVEL: "warn",
      BERTH_ADMIN_EMAIL: ADMIN.email,
      BERTH_ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so stopping it stops npx, tsx and the server together.
    detached: true,
  });
  try {
    await waitFor(`${base}/api/health`);
    const email = `bench-${Date.now()}@example.com`;
    const password = "bench-password-123";
    const json = { "content-type": "application/json" };
    // Every plan's budget up to the most a plan may have, so the bench measures counting, not refusals.
    const adminToken = (await (await fetch(`${base}/api/v1/auth/token`, { method: "POST", headers: json, body: JSON.stringify(ADMIN) })).json()) as { accessToken: string };
    const adminAuth = { ...json, authorization: `Bearer ${adminToken.accessToken}` };
    const plans = (await (await fetch(`${base}/api/v1/admin/plans`, { headers: adminAuth })).json()) as { data: { id: string }[] };
    for (const p of plans.data) {
      const res = await fetch(`${base}/api/v1/admin/plans/${p.id}`, { method: "PATCH", headers: adminAuth, body: JSON.stringify({ requestsPerMinute: 1_000_000 }) });
      if (!res.ok) console.warn(`could not raise plan ${p.id}'s requestsPerMinute (${res.status}; a build without rate limits?)`);
    }
    await fetch(`${base}/api/v1/auth/register`, { method: "POST", headers: json, body: JSON.stringify({ email, password }) });
    const tokenRes = await fetch(`${base}/api/v1/auth/token`, { method: "POST", headers: json, body: JSON.stringify({ email, password }) });
    const { accessToken } = (await tokenRes.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const check = await fetch(`${base}/api/v1/me`, { headers: auth });
    if (!check.ok) throw new Error(`GET /api/v1/me answered ${check.status}`);

    const results = [
      await run("bare Next route handler", `${base}/api/bench/bare`),
      await run("bare tRPC procedure", `${base}/api/bench/trpc/ping`),
      await run("REST GET /api/v1/me (bearer)", `${base}/api/v1/me`, auth),
      await run("tRPC me.get (bearer)", `${base}/api/trpc/me.get`, auth),
    ];
    const [bareNext, bareTrpc, rest, trpc] = results as [typeof results[0], typeof results[0], typeof results[0], typeof results[0]];
    console.log(`\nBerth API benchmark — ${CONNECTIONS} connections, ${DURATION}s each, database: ${process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite"}\n`);
    console.log("target                           req/s     p50 ms   p99 ms   errors");
    for (const r of results) console.log(`${r.title.padEnd(32)} ${r.rps.toFixed(0).padStart(6)}   ${String(r.p50).padStart(6)}   ${String(r.p99).padStart(6)}   ${r.errors}`);
    console.log("");
    console.log(`REST /me vs bare Next route:   ${((rest.rps / bareNext.rps) * 100).toFixed(1)}% of req/s   (target ≥ 50%), p99 ${rest.p99} ms (target ≤ 50 ms)`);
    console.log(`tRPC me vs bare tRPC:          ${((trpc.rps / bareTrpc.rps) * 100).toFixed(1)}% of req/s   (target ≥ 50%), p99 ${trpc.p99} ms (target ≤ 50 ms)`);
  } finally {
    const exited = new Promise((r) => server.once("exit", r));
    process.kill(-server.pid!, "SIGTERM");
    await exited;
    // Give the server a moment to finish its drain before its data dir goes.
    await new Promise((r) => setTimeout(r, 1_500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
