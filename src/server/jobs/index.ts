// Berth's background work, on pg-boss: every job is a queue with a worker here and a schedule.
//   slots-reconcile      every minute (and once at boot, directly): engine and rows agree again;
//                        terminals and commands left by a dead Berth process are ended
//   slots-autostop       every minute: idle timeout and max uptime, with a warning before
//   slots-metrics        every BERTH_METRICS_INTERVAL seconds: one sample of every running slot
//   slots-metrics-prune  hourly: samples older than the retention window go
//   history-prune        hourly: old events and settled deliveries, expired credentials
//                        (services/retention/prune-history.ts)
//   webhooks-deliver     every 2 s (a chain like metrics), and at once when this process queues an
//                        event: sends due webhook deliveries (services/webhooks/deliver.ts)
// pg-boss cron has minute resolution, so the metrics job re-queues itself `intervalSeconds` later
// (a "stately" queue holds at most one waiting job, so the chain never doubles); the minute cron
// restarts the chain if a process died holding it.
import type { DbHandle } from "@/server/db";
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { autoStopPass } from "@/server/services/slots/auto-stop";
import { sweepDeadProcesses } from "@/server/services/slots/process-sweep";
import { pruneHistory } from "@/server/services/retention/prune-history";
import { pruneMetrics, sampleMetrics } from "@/server/services/slots/metrics";
import { reconcileSlots } from "@/server/services/slots/reconcile";
import { onDeliveriesQueued } from "@/server/services/events/emit";
import { DELIVERY_BATCH, deliveryPass } from "@/server/services/webhooks/deliver";
import { openQueue, type PgBoss } from "./queue";

/** A transitional row younger than this may still be worked on by a live process's own action. */
const STALE_AFTER_MS = 120_000;

export const QUEUES = {
  reconcile: "slots-reconcile",
  autostop: "slots-autostop",
  metrics: "slots-metrics",
  metricsPrune: "slots-metrics-prune",
  historyPrune: "history-prune",
  webhooks: "webhooks-deliver",
} as const;

const WEBHOOK_PASS_SECONDS = 2;

type Handler = () => Promise<unknown>;

export type Jobs = { boss: PgBoss; stop: () => Promise<void> };

export async function startJobs(handle: DbHandle, opts: { pollingIntervalSeconds?: number } = {}): Promise<Jobs> {
  const log = logger().child({ component: "jobs" });
  const boss = await openQueue(handle, (err) => log.error({ err }, "job queue error"));
  const interval = env().BERTH_METRICS_INTERVAL;
  const work = { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 };

  const handlers: Record<string, Handler> = {
    [QUEUES.reconcile]: async () => ({ ...(await reconcileSlots({ staleAfterMs: STALE_AFTER_MS })), leftovers: await sweepDeadProcesses() }),
    [QUEUES.autostop]: () => autoStopPass(),
    [QUEUES.metrics]: async () => {
      try {
        return await sampleMetrics();
      } finally {
        await boss.send(QUEUES.metrics, {}, { startAfter: interval, singletonKey: "chain" }).catch((err: unknown) => log.warn({ err }, "could not queue the next metrics sample"));
      }
    },
    [QUEUES.metricsPrune]: async () => ({ deleted: await pruneMetrics() }),
    [QUEUES.historyPrune]: () => pruneHistory(),
    [QUEUES.webhooks]: async () => {
      try {
        // A full batch: more may be due at once.
        for (;;) {
          const pass = await deliveryPass();
          if (pass.sent < DELIVERY_BATCH) return pass;
        }
      } finally {
        await boss.send(QUEUES.webhooks, {}, { startAfter: WEBHOOK_PASS_SECONDS, singletonKey: "chain" }).catch((err: unknown) => log.warn({ err }, "could not queue the next webhook pass"));
      }
    },
  };

  const workers: Record<string, string> = {};
  for (const name of Object.values(QUEUES)) {
    // Periodic passes: one waiting and one running at most; a failed pass is simply the next one.
    await boss.createQueue(name, { name, policy: "stately", retryLimit: 0, expireInSeconds: 600 });
    workers[name] = await boss.work(name, work, async () => {
      const started = performance.now();
      const result = await handlers[name]!();
      log.debug({ job: name, ms: Math.round(performance.now() - started), result }, "job done");
      return result;
    });
  }
  await boss.schedule(QUEUES.reconcile, "* * * * *");
  await boss.schedule(QUEUES.autostop, "* * * * *");
  await boss.schedule(QUEUES.metrics, "* * * * *", {}, { singletonKey: "chain" });
  await boss.schedule(QUEUES.metricsPrune, "17 * * * *");
  await boss.schedule(QUEUES.historyPrune, "41 * * * *");
  await boss.send(QUEUES.metrics, {}, { singletonKey: "chain" });
  await boss.schedule(QUEUES.webhooks, "* * * * *", {}, { singletonKey: "chain" });
  await boss.send(QUEUES.webhooks, {}, { singletonKey: "chain" });
  // An event queued here: a pass now (a "stately" queue keeps one waiting, so this never piles up).
  const stopWaking = onDeliveriesQueued(() => {
    boss
      .send(QUEUES.webhooks, {}, { singletonKey: "now" })
      .then(() => boss.notifyWorker(workers[QUEUES.webhooks]!))
      .catch(() => {});
  });

  return {
    boss,
    stop: async () => {
      stopWaking();
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    },
  };
}

/** The boot pass of the reconciler: at start nothing of this process is in flight, so no row is young. */
export async function reconcileAtBoot(): Promise<void> {
  await reconcileSlots({ staleAfterMs: 0 }).catch((err: unknown) => logger().error({ err }, "boot reconcile failed"));
  await sweepDeadProcesses().catch((err: unknown) => logger().error({ err }, "boot sweep of dead processes failed"));
}
