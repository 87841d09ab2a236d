// Slot metrics: the `slots-metrics` job samples every running slot from the engine into
// slot_metrics (kept BERTH_METRICS_RETENTION_HOURS); reads return the latest sample and a recent
// window; the live view streams fresh samples of one slot straight from the engine.
import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, eq, gte, isNotNull, lt } from "drizzle-orm";
import type { MetricSample } from "@/lib/schemas/metrics";
import { db } from "@/server/db";
import { slotMetrics, slots } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { runtime, RuntimeUnavailableError, type WorkspaceStats } from "@/server/runtime";
import type { ServiceContext } from "../context";
import { ownedSlot } from "./slot-queries";

/** How many engine stats calls run at once: each takes ~1 s (the engine waits for a CPU delta). */
const SAMPLE_CONCURRENCY = 16;

type SlotLimits = { memoryMiB: number; diskMiB: number; cpuMillicores: number };

export function toSample(stats: WorkspaceStats, limits: SlotLimits): MetricSample {
  return {
    at: stats.at,
    cpuMillicores: stats.cpuMillicores,
    cpuLimitMillicores: limits.cpuMillicores,
    memoryBytes: stats.memoryBytes,
    memoryLimitBytes: stats.memoryLimitBytes || limits.memoryMiB * 1024 * 1024,
    diskBytes: stats.diskBytes,
    diskLimitBytes: limits.diskMiB * 1024 * 1024,
    networkRxBytes: stats.networkRxBytes,
    networkTxBytes: stats.networkTxBytes,
    pids: stats.pids,
  };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Samples every running slot once. Returns how many samples were stored. Engine down: nothing stored. */
export async function sampleMetrics(): Promise<{ sampled: number; failed: number }> {
  const running = await db()
    .select({ id: slots.id, containerId: slots.containerId })
    .from(slots)
    .where(and(eq(slots.status, "running"), isNotNull(slots.containerId)));
  if (!running.length) return { sampled: 0, failed: 0 };
  let failed = 0;
  let unavailable = false;
  const samples = await mapLimited(running, SAMPLE_CONCURRENCY, async (s) => {
    if (unavailable) return null;
    try {
      return { slotId: s.id, stats: await runtime().stats(s.containerId!) };
    } catch (err) {
      if (err instanceof RuntimeUnavailableError) unavailable = true;
      else failed++;
      return null;
    }
  });
  const rows = samples.flatMap((s) =>
    s
      ? [
          {
            slotId: s.slotId,
            at: new Date(s.stats.at),
            cpuMillicores: Math.round(s.stats.cpuMillicores),
            memoryBytes: s.stats.memoryBytes,
            memoryLimitBytes: s.stats.memoryLimitBytes,
            diskBytes: s.stats.diskBytes,
            networkRxBytes: s.stats.networkRxBytes,
            networkTxBytes: s.stats.networkTxBytes,
            pids: s.stats.pids,
          },
        ]
      : [],
  );
  // A slot deleted while it was sampled is skipped by the foreign key; insert one by one only then.
  if (rows.length) {
    await db()
      .insert(slotMetrics)
      .values(rows)
      .catch(async () => {
        for (const row of rows) await db().insert(slotMetrics).values(row).catch(() => undefined);
      });
  }
  if (unavailable) logger().warn("metrics: the container engine is not reachable; skipped this pass");
  return { sampled: rows.length, failed };
}

/** Drops samples older than the retention window. */
export async function pruneMetrics(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - env().BERTH_METRICS_RETENTION_HOURS * 3_600_000);
  const deleted = await db().delete(slotMetrics).where(lt(slotMetrics.at, cutoff)).returning({ at: slotMetrics.at });
  return deleted.length;
}

/** The owner's view: the latest sample and those of the last `minutes`, oldest first. */
export async function slotMetricsFor(ctx: ServiceContext, args: { id: string; minutes: number }) {
  const slot = await ownedSlot(ctx, args.id);
  const since = new Date(Date.now() - args.minutes * 60_000);
  const rows = await db()
    .select()
    .from(slotMetrics)
    .where(and(eq(slotMetrics.slotId, slot.id), gte(slotMetrics.at, since)))
    .orderBy(asc(slotMetrics.at))
    .limit(5_000);
  const limits = { cpuMillicores: slot.cpuMillicores, memoryMiB: slot.memoryMiB, diskMiB: slot.diskMiB };
  const samples = rows.map((r) => toSample({ ...r, at: r.at.toISOString() }, limits));
  return {
    slotId: slot.id,
    status: slot.status,
    intervalSeconds: env().BERTH_METRICS_INTERVAL,
    retentionHours: env().BERTH_METRICS_RETENTION_HOURS,
    latest: samples.at(-1) ?? null,
    samples,
  };
}

/**
 * Fresh samples of one of the caller's slots, straight from the engine, every `everyMs` until the
 * signal aborts. Ownership is checked before the first sample; a slot that is not running yields
 * nothing and is re-checked on the next tick.
 */
export async function* liveMetrics(ctx: ServiceContext, slotId: string, signal: AbortSignal | undefined, everyMs = 2_000): AsyncGenerator<MetricSample> {
  await ownedSlot(ctx, slotId);
  while (!signal?.aborted) {
    const slot = await ownedSlot(ctx, slotId).catch((err: unknown) => {
      if (err instanceof BerthError && err.code === "NOT_FOUND") return null;
      throw err;
    });
    if (!slot) return;
    if (slot.status === "running" && slot.containerId) {
      try {
        yield toSample(await runtime().stats(slot.containerId), slot);
      } catch (err) {
        if (!(err instanceof RuntimeUnavailableError)) logger().debug({ err, slotId }, "live metrics: a sample failed");
      }
    }
    await sleep(everyMs, undefined, { signal }).catch(() => undefined);
  }
}
