// API rate limits (issue 7): rate-limiter-flexible on our own database (the `rate_limits` table, like
// the failed sign-in throttle), so every Berth instance shares the counters and nothing else runs.
//
// Three budgets, each a fixed one-minute window:
// - signed in: the user's plan's `requestsPerMinute`, **per user** — every token, API key, OAuth
//   client token and the dashboard session of one person draw on one budget. The plan is the
//   user's, and a per-key budget would let anyone multiply it by minting keys (up to 50).
// - anonymous: BERTH_RATE_LIMIT_ANON_PER_MINUTE per client IP (default 120).
// - sign-up, token, refresh and OAuth token routes: BERTH_RATE_LIMIT_AUTH_PER_MINUTE per client IP (default 30),
//   whoever calls; these routes do not also count against the budgets above. (Failed password
//   checks have their own, slower throttle: auth/sign-in-throttle.ts.)
// A call without a client IP (in-process callers, tests) is only limited when signed in.
//
// Cost per request: one upsert (`insert … on conflict do update … returning`), no read first. The
// user's budget comes with the credential check itself (meColumns' plan subquery in
// accounts/user-view.ts), so a plan change applies from the next request, on every instance.
// Once a key has used its budget, `inMemoryBlockOnConsumed` answers the rest of its window from
// memory (no database trip for a flood), and a memory limiter is the `insuranceLimiter` when the
// database cannot answer: limits then hold per instance instead of failing every request.
import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { db } from "@/server/db";
import { rateLimits } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import type { Actor } from "@/server/services/context";

export const RATE_LIMIT_WINDOW_SECONDS = 60;
/** The plan column's default (migration 0008); used when an actor was built without its profile. */
const FALLBACK_PLAN_RPM = 600;

/** Procedures limited per IP with the stricter budget, wherever they are called from (REST or tRPC). */
export const AUTH_PROCEDURES: ReadonlySet<string> = new Set(["auth.register", "auth.token", "auth.refresh"]);

export type RateLimitBucket = "user" | "anonymous" | "auth";

export type RateLimitOutcome = {
  bucket: RateLimitBucket;
  limited: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends and the budget is whole again. */
  resetSeconds: number;
  /** RateLimit-Limit, -Remaining, -Reset (and Retry-After when limited), for every answer. */
  headers: Record<string, string>;
};

type Cache = { db: unknown; env: unknown; limiters: Map<string, RateLimiterDrizzle> };
const cache = globalThis as unknown as { __berthApiLimiters?: Cache };

function limiter(bucket: RateLimitBucket, points: number): RateLimiterDrizzle {
  const current = db();
  const e = env();
  if (cache.__berthApiLimiters?.db !== current || cache.__berthApiLimiters.env !== e) {
    cache.__berthApiLimiters = { db: current, env: e, limiters: new Map() };
  }
  const limiters = cache.__berthApiLimiters.limiters;
  // One limiter per (bucket, points): the stored counter is the same row for every points value
  // (same keyPrefix), so a plan change keeps what was used this minute and compares it with the new
  // budget; the in-memory block is per limiter, so a raised budget is not held back by it.
  const id = `${bucket}:${points}`;
  let found = limiters.get(id);
  if (!found) {
    const keyPrefix = `api-${bucket}`;
    found = new RateLimiterDrizzle({
      storeClient: current,
      schema: rateLimits,
      keyPrefix,
      points,
      duration: RATE_LIMIT_WINDOW_SECONDS,
      inMemoryBlockOnConsumed: points,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: RATE_LIMIT_WINDOW_SECONDS }),
      // Expired rows (every key's last window) are swept by one limiter only, every 5 minutes.
      clearExpiredByTimeout: limiters.size === 0,
    });
    limiters.set(id, found);
  }
  return found;
}

function outcome(bucket: RateLimitBucket, limit: number, res: RateLimiterRes, limited: boolean): RateLimitOutcome {
  const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  const remaining = limited ? 0 : Math.max(0, res.remainingPoints);
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(limit),
    "RateLimit-Remaining": String(remaining),
    "RateLimit-Reset": String(resetSeconds),
  };
  if (limited) headers["Retry-After"] = String(resetSeconds);
  return { bucket, limited, limit, remaining, resetSeconds, headers };
}

function budgetOf(actor: Actor): number {
  return actor.profile?.requestsPerMinute ?? FALLBACK_PLAN_RPM;
}

/** Which budget a call draws on, and under which key; null when there is nothing to key it on. */
export function bucketFor(opts: { actor: Actor | null; ip: string | null; auth: boolean }): { bucket: RateLimitBucket; key: string; points: number } | null {
  const ip = opts.ip?.trim() || null;
  if (opts.auth) return ip ? { bucket: "auth", key: ip, points: env().BERTH_RATE_LIMIT_AUTH_PER_MINUTE } : null;
  if (opts.actor) return { bucket: "user", key: opts.actor.id, points: budgetOf(opts.actor) };
  return ip ? { bucket: "anonymous", key: ip, points: env().BERTH_RATE_LIMIT_ANON_PER_MINUTE } : null;
}

/**
 * Counts `cost` calls (a tRPC batch counts each procedure) against the caller's budget: null when
 * the call is not limited at all (no IP and not signed in), else the outcome and its headers.
 */
export async function consumeRateLimit(opts: { actor: Actor | null; ip: string | null; auth: boolean; cost?: number }): Promise<RateLimitOutcome | null> {
  const target = bucketFor(opts);
  if (!target) return null;
  const rl = limiter(target.bucket, target.points);
  try {
    const res = await rl.consume(target.key, Math.max(1, opts.cost ?? 1));
    return outcome(target.bucket, target.points, res, false);
  } catch (err) {
    if (err instanceof RateLimiterRes) return outcome(target.bucket, target.points, err, true);
    // Neither the database nor the insurance limiter answered: let the call through rather than
    // fail it, and say so.
    logger().warn({ err, bucket: target.bucket }, "rate limiter unavailable; call not counted");
    return null;
  }
}

/** The more pressing of two counts: a limited one, else the one with less left. */
function tighter(a: RateLimitOutcome | null, b: RateLimitOutcome | null): RateLimitOutcome | null {
  if (!a || !b) return a ?? b;
  if (a.limited !== b.limited) return a.limited ? a : b;
  return a.remaining <= b.remaining ? a : b;
}

/**
 * Counts a call of these procedures (a REST route's one, or a tRPC batch) against the caller's
 * budgets: each procedure counts as one request, so batching does not widen the budget; sign-up,
 * token and refresh (AUTH_PROCEDURES) count against the stricter per-IP budget instead. A call that
 * names none counts as one. Answers the more pressing of the counts.
 */
export async function consumeForProcedures(who: { actor: Actor | null; ip: string | null }, procedures: readonly string[]): Promise<RateLimitOutcome | null> {
  const auth = procedures.filter((p) => AUTH_PROCEDURES.has(p)).length;
  const other = Math.max(procedures.length - auth, procedures.length === 0 ? 1 : 0);
  const [byAuth, byCaller] = await Promise.all([
    auth ? consumeRateLimit({ ...who, auth: true, cost: auth }) : null,
    other ? consumeRateLimit({ ...who, auth: false, cost: other }) : null,
  ]);
  return tighter(byAuth, byCaller);
}

/** The RATE_LIMITED error for an outcome that is limited: Retry-After and the budget in details. */
export function rateLimitedError(o: RateLimitOutcome): BerthError {
  const what =
    o.bucket === "user"
      ? `Your plan allows ${o.limit} API requests a minute`
      : o.bucket === "auth"
        ? `At most ${o.limit} sign-up, token and refresh requests a minute are allowed from one address`
        : `At most ${o.limit} requests a minute are allowed from one address without signing in`;
  return new BerthError("RATE_LIMITED", `${what}. Try again in ${o.resetSeconds} seconds.`, {
    retryAfter: o.resetSeconds,
    details: { limit: o.limit, retryAfterSeconds: o.resetSeconds, budget: o.bucket },
  });
}

/** Sets an outcome's headers on a response (its headers must be mutable: not a fetch() answer's). */
export function applyRateLimitHeaders(res: Response, o: RateLimitOutcome | null | undefined): Response {
  if (o) for (const [k, v] of Object.entries(o.headers)) res.headers.set(k, v);
  return res;
}
