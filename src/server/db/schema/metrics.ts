// Metric samples of running slots, taken by the metrics job and kept for a retention window.
import { bigint, index, integer, pgTable, timestamp, text } from "drizzle-orm/pg-core";
import { slots } from "./slots";

export const slotMetrics = pgTable(
  "slot_metrics",
  {
    slotId: text("slot_id")
      .notNull()
      .references(() => slots.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull(),
    /** CPU use over the engine's sampling interval, in millicores. */
    cpuMillicores: integer("cpu_millicores").notNull(),
    memoryBytes: bigint("memory_bytes", { mode: "number" }).notNull(),
    memoryLimitBytes: bigint("memory_limit_bytes", { mode: "number" }).notNull(),
    /** Bytes used in the slot's home; null when the driver cannot tell. */
    diskBytes: bigint("disk_bytes", { mode: "number" }),
    /** Counters since the container started. */
    networkRxBytes: bigint("network_rx_bytes", { mode: "number" }).notNull(),
    networkTxBytes: bigint("network_tx_bytes", { mode: "number" }).notNull(),
    pids: integer("pids").notNull(),
  },
  (t) => [index("slot_metrics_slot_at_idx").on(t.slotId, t.at), index("slot_metrics_at_idx").on(t.at)],
);
