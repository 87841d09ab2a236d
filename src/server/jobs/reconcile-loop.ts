// Runs the reconciler at boot and then every minute, one pass at a time. (Periodic work moves to
// pg-boss with auto-stop and metering; until then this loop is the only background job.)
import { logger } from "@/server/logger";
import { reconcileSlots } from "@/server/services/slots/reconcile";

const PERIOD_MS = 60_000;
/** A transitional row younger than this may still be worked on by this process's own action. */
const STALE_AFTER_MS = 120_000;

export function startReconcileLoop(): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = (staleAfterMs: number) => {
    running = reconcileSlots({ staleAfterMs }).catch((err: unknown) => logger().error({ err }, "reconcile pass failed"));
  };
  pass(0);
  const timer = setInterval(() => {
    if (!stopped) void running.then(() => pass(STALE_AFTER_MS));
  }, PERIOD_MS);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
