// Slots and what they are made of: plans (quotas and prices), templates (images), slots, and
// slot_events — every state transition, written in the transaction that changes the status.
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

export const plans = pgTable("plans", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  /** Slots a user may have at once (any status but deleted). */
  maxSlots: integer("max_slots").notNull(),
  /** Slots a user may have running at once. */
  maxRunning: integer("max_running").notNull(),
  /** Per-slot ceilings. */
  cpuMillicores: integer("cpu_millicores").notNull(),
  memoryMiB: integer("memory_mib").notNull(),
  diskMiB: integer("disk_mib").notNull(),
  pids: integer("pids").notNull().default(512),
  /** The largest single file a user may upload into a slot. */
  maxFileMiB: integer("max_file_mib").notNull().default(100),
  /** Uploads across all of a user's slots: the homes' used space may not pass this through uploads. */
  filesQuotaMiB: integer("files_quota_mib").notNull().default(1024),
  idleTimeoutMinutes: integer("idle_timeout_minutes").notNull(),
  maxUptimeMinutes: integer("max_uptime_minutes"),
  /** Price of one running slot-hour, in cents (billing comes later). */
  pricePerHourCents: integer("price_per_hour_cents").notNull().default(0),
  /** API requests per minute for each of the plan's users (all their keys and tokens together). */
  requestsPerMinute: integer("requests_per_minute").notNull().default(600),
  isDefault: boolean("is_default").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const templates = pgTable(
  "templates",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    image: text("image").notNull(),
    cpuMillicores: integer("cpu_millicores").notNull(),
    memoryMiB: integer("memory_mib").notNull(),
    diskMiB: integer("disk_mib").notNull(),
    env: jsonb("env").$type<Record<string, string>>().notNull().default({}),
    startCommand: jsonb("start_command").$type<string[] | null>(),
    enabled: boolean("enabled").notNull().default(true),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("templates_slug_key").on(t.slug)],
);

export const slotStatuses = ["creating", "stopped", "starting", "running", "stopping", "error", "deleting", "deleted"] as const;
export type SlotStatus = (typeof slotStatuses)[number];

export const slots = pgTable(
  "slots",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    templateId: text("template_id")
      .notNull()
      .references(() => templates.id),
    name: text("name").notNull(),
    status: text("status", { enum: slotStatuses }).notNull(),
    cpuMillicores: integer("cpu_millicores").notNull(),
    memoryMiB: integer("memory_mib").notNull(),
    diskMiB: integer("disk_mib").notNull(),
    pids: integer("pids").notNull(),
    containerId: text("container_id"),
    /** Resources changed while the engine could not apply them live: applied at next start. */
    resourcesPending: boolean("resources_pending").notNull().default(false),
    lastError: text("last_error"),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
    /** When auto-stop last warned that this slot is about to be stopped (one warning per deadline). */
    autostopWarnedAt: timestamp("autostop_warned_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    stoppedAt: timestamp("stopped_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("slots_owner_name_key").on(t.ownerId, sql`lower(${t.name})`).where(sql`${t.status} <> 'deleted'`),
    index("slots_owner_idx").on(t.ownerId, t.createdAt),
    index("slots_status_idx").on(t.status),
  ],
);

export const slotEvents = pgTable(
  "slot_events",
  {
    id: text("id").primaryKey(),
    slotId: text("slot_id")
      .notNull()
      .references(() => slots.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status"),
    actorId: text("actor_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index("slot_events_slot_idx").on(t.slotId, t.createdAt)],
);

/** One row: this installation's id, made by the migration. Containers carry it, so the reconciler
 * of one Berth never removes another's containers on a shared engine. */
export const berthInstance = pgTable("berth_instance", {
  id: text("id").primaryKey(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
