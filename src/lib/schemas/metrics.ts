// Slot metrics as the API shows them: one sample, and the latest plus a recent window.
import { z } from "zod";
import { IsoDate } from "./common";
import { SlotId, SlotStatus } from "./slots";

export const MetricSample = z
  .object({
    at: IsoDate,
    cpuMillicores: z.number().describe("CPU in use over the sampling interval (1000 = one core)"),
    cpuLimitMillicores: z.number().int(),
    memoryBytes: z.number().int().describe("Memory in use, without the reclaimable page cache"),
    memoryLimitBytes: z.number().int(),
    diskBytes: z.number().int().nullable().describe("Bytes used in the slot's home; null when the engine cannot tell"),
    diskLimitBytes: z.number().int(),
    networkRxBytes: z.number().int().describe("Received since the container started"),
    networkTxBytes: z.number().int().describe("Sent since the container started"),
    pids: z.number().int().describe("Processes and threads"),
  })
  .meta({ id: "MetricSample" });
export type MetricSample = z.infer<typeof MetricSample>;

export const SlotMetricsInput = SlotId.extend({
  minutes: z.coerce
    .number({ error: "minutes must be a number" })
    .int("minutes must be a whole number")
    .min(1, "minutes must be between 1 and 1440")
    .max(1440, "minutes must be between 1 and 1440")
    .default(60)
    .describe("How far back the recent samples go (1–1440, default 60)"),
});

export const SlotMetrics = z
  .object({
    slotId: z.string(),
    status: SlotStatus,
    intervalSeconds: z.number().int().describe("How often samples are taken"),
    retentionHours: z.number().int().describe("How long samples are kept"),
    latest: MetricSample.nullable().describe("The newest sample; null before the first one"),
    samples: z.array(MetricSample).describe("Oldest first"),
  })
  .meta({ id: "SlotMetrics" });
