// GET /api/health: is the database answering (and, once slots exist, the container runtime)?
import { dbHandle, pingDb } from "@/server/db";

export type CheckResult = { status: "ok" | "error" | "unconfigured"; latencyMs?: number; message?: string; kind?: string };
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

export async function checkHealth(): Promise<Health> {
  const db: CheckResult = { ...(await timed(pingDb)), kind: dbHandle().kind };
  // The container runtime arrives with slots (issue 4); until then it is reported, not checked.
  const runtime: CheckResult = { status: "unconfigured", message: "No container runtime is connected yet" };
  return { status: db.status === "ok" ? "ok" : "degraded", checks: { db, runtime } };
}
