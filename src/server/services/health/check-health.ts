// GET /api/health: is the database answering, and is the container engine reachable?
import { dbHandle, pingDb } from "@/server/db";
import { runtime } from "@/server/runtime";

export type CheckResult = { status: "ok" | "error"; latencyMs?: number; message?: string; kind?: string; diskLimitEnforced?: boolean };
export type Health = { status: "ok" | "degraded"; checks: { db: CheckResult; runtime: CheckResult } };

async function timed(fn: () => Promise<void>, timeoutMs = 2_000): Promise<CheckResult> {
  const started = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: "error", latencyMs: Math.round(performance.now() - started), message: err instanceof Error ? err.message.split("\n")[0] : "failed" };
  }
}

async function checkRuntime(): Promise<CheckResult> {
  const started = performance.now();
  const ping = await runtime().ping();
  const latencyMs = Math.round(performance.now() - started);
  if (!ping.ok) return { status: "error", latencyMs, kind: runtime().name, message: ping.message };
  // Whether slot homes get a real size limit here (a loop-mounted disk each); the reason is logged at start.
  const caps = await runtime().capabilities?.().catch(() => null);
  return { status: "ok", latencyMs, kind: `${runtime().name} ${ping.version}`, ...(caps ? { diskLimitEnforced: caps.diskLimitEnforced } : {}) };
}

export async function checkHealth(): Promise<Health> {
  const [db, rt] = await Promise.all([timed(pingDb).then((r) => ({ ...r, kind: dbHandle().kind })), checkRuntime()]);
  // Without a container engine Berth still serves accounts and the API: degraded, not down.
  return { status: db.status === "ok" && rt.status === "ok" ? "ok" : "degraded", checks: { db, runtime: rt } };
}
