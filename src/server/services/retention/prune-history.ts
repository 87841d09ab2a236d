// What Berth keeps only for a while, removed by the hourly history-prune job (jobs/index.ts):
//  - events older than BERTH_EVENT_RETENTION_DAYS (the feed, and the outbox of webhooks), unless a
//    delivery of theirs is still pending: an event is never taken from a delivery that still needs it;
//  - webhook deliveries that have settled (succeeded or failed for good), after the same time;
//  - credentials that have expired: REST token pairs, dashboard sessions, OAuth client tokens,
//    terminal tickets (a day after their expiry: nothing accepts them by then, and a day of rows
//    still shows what was used recently).
// Kept for good: the audit log, slot histories (slot_events) and command records. Metrics have
// their own window (BERTH_METRICS_RETENTION_HOURS, slots/metrics.ts).
import { and, eq, lt, ne, notExists, or, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { authTokens, events, oauthTokens, terminalTickets, webhookDeliveries, webSessions } from "@/server/db/schema";
import { env } from "@/server/env";

const DAY_MS = 24 * 3_600_000;
/** Expired credentials stay this long after expiring. */
const EXPIRED_KEPT_MS = DAY_MS;

export type PrunedHistory = { events: number; deliveries: number; tokens: number; sessions: number; oauthTokens: number; tickets: number };

export async function pruneHistory(now = new Date()): Promise<PrunedHistory> {
  const cutoff = new Date(now.getTime() - env().BERTH_EVENT_RETENTION_DAYS * DAY_MS);
  const expired = new Date(now.getTime() - EXPIRED_KEPT_MS);
  const one = { one: sql<number>`1` };
  // Deliveries first: an event goes once no delivery of it is pending.
  const deliveries = await db()
    .delete(webhookDeliveries)
    .where(and(ne(webhookDeliveries.status, "pending"), lt(webhookDeliveries.createdAt, cutoff)))
    .returning(one);
  const pending = db()
    .select(one)
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.eventId, events.id), eq(webhookDeliveries.status, "pending")));
  const gone = await db().delete(events).where(and(lt(events.createdAt, cutoff), notExists(pending))).returning(one);
  const tokens = await db().delete(authTokens).where(lt(authTokens.expiresAt, expired)).returning(one);
  const sessions = await db()
    .delete(webSessions)
    .where(or(lt(webSessions.expiresAt, expired), lt(webSessions.revokedAt, expired)))
    .returning(one);
  const clientTokens = await db().delete(oauthTokens).where(lt(oauthTokens.expiresAt, expired)).returning(one);
  const tickets = await db().delete(terminalTickets).where(lt(terminalTickets.expiresAt, expired)).returning(one);
  return {
    events: gone.length,
    deliveries: deliveries.length,
    tokens: tokens.length,
    sessions: sessions.length,
    oauthTokens: clientTokens.length,
    tickets: tickets.length,
  };
}
