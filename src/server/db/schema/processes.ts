// The Berth processes serving this database, each with a lease it renews while it lives. Work a
// process holds in slots (terminal attachments, running commands) names its process, so a process
// that dies without cleaning up (kill -9, power loss) can be told from one that is merely busy.
import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const berthProcesses = pgTable("berth_processes", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  /** Renewed every few seconds; a lease older than the expiry belongs to a dead process. */
  seenAt: timestamp("seen_at", { withTimezone: true }).notNull().defaultNow(),
});
