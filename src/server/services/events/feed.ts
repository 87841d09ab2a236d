// Reading the events feed: GET /events (paging and polling with ?after=), the catalogue
// (GET /events/types) and the live stream (the events.live subscription, SSE).
//
// Order is `seq` (a bigserial). A sequence number is taken when the row is inserted, but the row
// becomes visible only when its transaction commits, so two transactions can commit out of seq
// order: a reader that had moved past seq 11 would never see a seq 10 committed a moment later.
// So the feed shows a row only once it has "settled": no row of the user's inserted within the
// last SETTLE_MS has a seq at or below it (emitEvent stamps created_at at the insert itself). A
// row inserted more than SETTLE_MS ago, and everything numbered before it, is committed (or rolled
// back) unless its transaction stayed open longer than that after writing the event; event-writing
// transactions end within milliseconds of emitEvent. The price: events reach the feed ~1 s late.
import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, desc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { EventTypeList } from "@/lib/schemas/event-feed";
import { EVENT_SCHEMAS, EVENT_TYPES, eventScope, type BerthEvent, type EventType } from "@/lib/schemas/events";
import { db } from "@/server/db";
import { events } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { requireActor, type Actor, type ServiceContext } from "../context";

/** How long after its insert an event is shown (see above). */
export const SETTLE_MS = 1_000;
/** How often a live stream looks for new events. */
export const LIVE_POLL_MS = 1_000;
const LIVE_BATCH = 100;

type EventRow = typeof events.$inferSelect;
type FeedRow = Pick<EventRow, "seq" | "id" | "type" | "data" | "createdAt">;

export function toBerthEvent(row: Pick<EventRow, "id" | "type" | "data" | "createdAt">): BerthEvent {
  return { id: row.id, type: row.type as EventType, timestamp: row.createdAt.toISOString(), data: row.data };
}

/**
 * Only rows below the user's first unsettled one. `now()` (the reading statement's start; these
 * reads are single statements) is stable, so the last second's rows come from the created_at index.
 */
function settled(userId: string): SQL {
  return sql`${events.seq} < (select coalesce(min(fresh.seq), 9223372036854775807) from ${events} fresh where fresh.user_id = ${userId} and fresh.created_at > now() - ${`${SETTLE_MS} milliseconds`}::interval)`;
}

/** `types=a,b` → the known types; VALIDATION_ERROR naming any unknown one. */
export function parseEventTypes(types: string | null | undefined): EventType[] | undefined {
  if (!types) return undefined;
  const list = [...new Set(types.split(",").map((t) => t.trim()).filter(Boolean))];
  const unknown = list.filter((t) => !Object.hasOwn(EVENT_SCHEMAS, t));
  if (unknown.length) {
    throw new BerthError("VALIDATION_ERROR", `Unknown event type${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}. GET /events/types lists them.`, {
      details: { fields: { types: unknown.map((t) => `Unknown event type ${t}`) } },
    });
  }
  return list.length ? (list as EventType[]) : undefined;
}

/** The types asked for (undefined: all), narrowed to what the caller's key may see; the whole account sees all. */
function visibleTypes(actor: Actor, asked: EventType[] | undefined): EventType[] | undefined {
  const scopes = actor.scopes;
  if (!scopes) return asked;
  const allowed = (asked ?? EVENT_TYPES).filter((t) => scopes.includes(eventScope(t)));
  return allowed.length === EVENT_TYPES.length ? undefined : allowed;
}

/** Where an event id (a cursor) is in the user's feed. Unknown, or another user's: VALIDATION_ERROR (existence not revealed). */
async function seqOf(userId: string, eventId: string, field: "after" | "lastEventId"): Promise<number> {
  const [row] = await db()
    .select({ seq: events.seq })
    .from(events)
    .where(and(eq(events.id, eventId), eq(events.userId, userId)));
  if (!row) {
    throw new BerthError("VALIDATION_ERROR", `No event of yours has the id ${eventId}: pass the id of an event from your feed (events are kept ${env().BERTH_EVENT_RETENTION_DAYS} days; start again without it to read from the newest).`, {
      details: { fields: { [field]: ["Unknown event id"] } },
    });
  }
  return row.seq;
}

function feedWhere(userId: string, types: EventType[] | undefined, ...more: (SQL | undefined)[]): SQL | undefined {
  const ofTypes = types === undefined ? undefined : types.length ? inArray(events.type, types) : sql`false`;
  return and(eq(events.userId, userId), settled(userId), ofTypes, ...more);
}

const columns = { seq: events.seq, id: events.id, type: events.type, data: events.data, createdAt: events.createdAt };

/**
 * GET /events. With `after`: the events after that one, oldest first, and `nextCursor` (the last
 * id) when the page is full — there may be more at once. Without: the latest `limit` events,
 * oldest first. Either way, poll on with `?after=<the last id>`.
 */
export async function listEvents(ctx: ServiceContext, input: { after?: string; limit: number; types?: string }): Promise<{ data: BerthEvent[]; nextCursor: string | null }> {
  const actor = requireActor(ctx);
  const types = visibleTypes(actor, parseEventTypes(input.types));
  if (input.after) {
    const from = await seqOf(actor.id, input.after, "after");
    const rows = await db()
      .select(columns)
      .from(events)
      .where(feedWhere(actor.id, types, gt(events.seq, from)))
      .orderBy(asc(events.seq))
      .limit(input.limit + 1);
    const page = rows.slice(0, input.limit);
    return { data: page.map(toBerthEvent), nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
  }
  const rows = await db().select(columns).from(events).where(feedWhere(actor.id, types)).orderBy(desc(events.seq)).limit(input.limit);
  return { data: rows.reverse().map(toBerthEvent), nextCursor: null };
}

let catalogue: EventTypeList | undefined;

/** GET /events/types: every type with its description and the JSON Schema of its data. */
export function eventCatalogue(): EventTypeList {
  catalogue ??= {
    data: EVENT_TYPES.map((type) => {
      const schema = EVENT_SCHEMAS[type];
      return { type, description: schema.description ?? "", schema: z.toJSONSchema(schema) as Record<string, unknown> };
    }),
  };
  return catalogue;
}

/**
 * The caller's events as they settle, oldest first, until `signal` aborts: after `lastEventId`
 * when given (a resumed stream misses nothing), else from now (events of the last second
 * included). Polls every LIVE_POLL_MS; a failed poll is logged and retried.
 */
export async function* liveEvents(ctx: ServiceContext, input: { lastEventId?: string | null; types?: string } | undefined, signal?: AbortSignal): AsyncGenerator<BerthEvent> {
  const actor = requireActor(ctx);
  const types = visibleTypes(actor, parseEventTypes(input?.types));
  let cursor: number;
  if (input?.lastEventId) {
    cursor = await seqOf(actor.id, input.lastEventId, "lastEventId");
  } else {
    const [row] = await db()
      .select({ seq: sql<number>`coalesce(max(${events.seq}), 0)`.mapWith(Number) })
      .from(events)
      .where(feedWhere(actor.id, undefined));
    cursor = row?.seq ?? 0;
  }
  while (!signal?.aborted) {
    let rows: FeedRow[] = [];
    try {
      rows = await db()
        .select(columns)
        .from(events)
        .where(feedWhere(actor.id, types, gt(events.seq, cursor)))
        .orderBy(asc(events.seq))
        .limit(LIVE_BATCH);
    } catch (err) {
      logger().warn({ err, userId: actor.id }, "live events: a poll failed; retrying");
    }
    for (const row of rows) {
      if (signal?.aborted) return;
      cursor = row.seq;
      yield toBerthEvent(row);
    }
    if (rows.length < LIVE_BATCH) await sleep(LIVE_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}
