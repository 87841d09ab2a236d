// Failed sign-ins are limited per account and per IP (rate-limiter-flexible on our own database,
// so every instance shares the counters and nothing else needs to run).
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import { db } from "@/server/db";
import { rateLimits } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";

type Limiters = { perAccount: RateLimiterDrizzle; perIp: RateLimiterDrizzle };
const cache = globalThis as unknown as { __berthSignInLimiters?: { db: unknown; limiters: Limiters } };

function limiters(): Limiters {
  const current = db();
  if (cache.__berthSignInLimiters?.db !== current) {
    const e = env();
    const common = { storeClient: current, schema: rateLimits, duration: e.BERTH_LOGIN_WINDOW, clearExpiredByTimeout: false };
    cache.__berthSignInLimiters = {
      db: current,
      limiters: {
        perAccount: new RateLimiterDrizzle({ ...common, keyPrefix: "signin-acct", points: e.BERTH_LOGIN_MAX_FAILURES }),
        perIp: new RateLimiterDrizzle({ ...common, keyPrefix: "signin-ip", points: e.BERTH_LOGIN_MAX_FAILURES_PER_IP }),
      },
    };
  }
  return cache.__berthSignInLimiters.limiters;
}

function tooMany(res: RateLimiterRes): BerthError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new BerthError("RATE_LIMITED", `Too many failed sign-in attempts. Try again in ${retryAfter} seconds.`, {
    retryAfter,
    details: { retryAfterSeconds: retryAfter },
  });
}

/** Throws RATE_LIMITED when this account or this IP has used up its failed attempts. */
export async function assertSignInAllowed(email: string, ip: string | null): Promise<void> {
  const { perAccount, perIp } = limiters();
  const [acct, byIp] = await Promise.all([perAccount.get(email), ip ? perIp.get(ip) : Promise.resolve(null)]);
  for (const [res, max] of [
    [acct, perAccount.points],
    [byIp, perIp.points],
  ] as const) {
    if (res && res.consumedPoints >= max) throw tooMany(res);
  }
}

export async function recordSignInFailure(email: string, ip: string | null): Promise<void> {
  const { perAccount, perIp } = limiters();
  await Promise.all([
    perAccount.penalty(email, 1),
    ip ? perIp.penalty(ip, 1) : Promise.resolve(),
  ]);
}

/** A successful sign-in clears the account's counter (not the IP's: one good password must not unlock guessing others). */
export async function recordSignInSuccess(email: string): Promise<void> {
  await limiters().perAccount.delete(email);
}
