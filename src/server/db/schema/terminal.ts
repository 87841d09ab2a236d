// Terminal and exec: single-use terminal tickets, and every command run through the exec API.
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { slots } from "./slots";
import { users } from "./users";

/** A ticket for one terminal WebSocket connection: stored as SHA-256, valid ~30 s, used once. */
export const terminalTickets = pgTable(
  "terminal_tickets",
  {
    /** SHA-256 of the ticket (hex); the ticket itself is shown only once. */
    hash: text("hash").primaryKey(),
    slotId: text("slot_id")
      .notNull()
      .references(() => slots.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("terminal_tickets_expires_idx").on(t.expiresAt)],
);

export const execStatuses = ["running", "exited", "timed_out", "cancelled", "failed"] as const;
export type ExecStatus = (typeof execStatuses)[number];

/** One command run in a slot through the exec API (its history, status and captured output). */
export const slotExecs = pgTable(
  "slot_execs",
  {
    id: text("id").primaryKey(),
    slotId: text("slot_id")
      .notNull()
      .references(() => slots.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** argv, or a one-element list run by the slot's shell when `shell` is true. */
    command: jsonb("command").$type<string[]>().notNull(),
    shell: boolean("shell").notNull().default(false),
    cwd: text("cwd"),
    /** Names of the env vars passed (values are never stored). */
    envNames: jsonb("env_names").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    status: text("status", { enum: execStatuses }).notNull(),
    exitCode: integer("exit_code"),
    stdout: text("stdout").notNull().default(""),
    stderr: text("stderr").notNull().default(""),
    truncated: boolean("truncated").notNull().default(false),
    timedOut: boolean("timed_out").notNull().default(false),
    timeoutMs: integer("timeout_ms"),
    durationMs: integer("duration_ms"),
    /** The environment marker the process tree carries, so cancel/timeout can find and kill it. */
    marker: text("marker").notNull(),
    /** The Berth process following it (null on rows from before process leases). */
    processId: text("process_id"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("slot_execs_slot_idx").on(t.slotId, t.createdAt), index("slot_execs_status_idx").on(t.status)],
);

/**
 * A terminal attachment (the tmux client behind one socket) while its socket is open. The row goes
 * when the socket closes; one left behind by a dead process is how the sweep finds a client nobody
 * will kill (Docker never ends an exec on its own).
 */
export const terminalAttachments = pgTable(
  "terminal_attachments",
  {
    marker: text("marker").primaryKey(),
    slotId: text("slot_id")
      .notNull()
      .references(() => slots.id, { onDelete: "cascade" }),
    /** The berth_processes row of the process holding the socket (no foreign key: a lease outlives nothing). */
    processId: text("process_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("terminal_attachments_process_idx").on(t.processId)],
);
