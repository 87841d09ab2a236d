// Events and webhooks. `events` is both the outbox and the feed: a row is written in the
// transaction that causes the event (with one webhook_deliveries row per subscribed endpoint), so
// nothing is announced that did not happen and nothing that happened goes unannounced.
// GET /events?after= and the live subscription read it in `seq` order; the delivery job sends the
// deliveries, signed per the Standard Webhooks spec, with retries.
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

export const events = pgTable(
  "events",
  {
    /** Order of the feed (a cursor is an event id; its seq says where it is). */
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    /** `evt_…`: the Standard Webhooks message id (webhook-id) too. */
    id: text("id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("events_id_key").on(t.id), index("events_user_seq_idx").on(t.userId, t.seq), index("events_created_idx").on(t.createdAt)],
);

export const webhooks = pgTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** Event types it receives ("*" for all). */
    eventTypes: jsonb("event_types").$type<string[]>().notNull(),
    description: text("description").notNull().default(""),
    /** The signing secret (whsec_…), AES-256-GCM sealed like other secrets: shown once, needed to sign. */
    secretCiphertext: text("secret_ciphertext").notNull(),
    secretNonce: text("secret_nonce").notNull(),
    secretKeyId: text("secret_key_id").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Deliveries that failed for good in a row; at the limit the endpoint is disabled with a reason. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    disabledReason: text("disabled_reason"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhooks_user_idx").on(t.userId, t.createdAt)],
);

export const deliveryStatuses = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** The last attempt's HTTP status (null: no answer — refused, timed out, blocked). */
    responseStatus: integer("response_status"),
    responseMs: integer("response_ms"),
    error: text("error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index("webhook_deliveries_hook_idx").on(t.webhookId, t.createdAt), index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt)],
);
