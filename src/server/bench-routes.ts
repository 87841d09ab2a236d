// Baselines for bench/api.ts: the cheapest Next route handler and the cheapest tRPC procedure,
// served by the same build. They answer only when BERTH_BENCH=1, so production exposes nothing.
import { initTRPC } from "@trpc/server";
import { z } from "zod";

export function benchEnabled(): boolean {
  // Read directly: this flag exists for the benchmark harness only and is not a Berth setting.
  return process.env.BERTH_BENCH === "1";
}

const t = initTRPC.create();
export const bareRouter = t.router({
  ping: t.procedure.output(z.object({ ok: z.boolean() })).query(() => ({ ok: true })),
});
