import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContextFromRequest, type Context } from "@/server/api/trpc";
import { consumeForProcedures } from "@/server/rate-limit/rate-limit";

export const dynamic = "force-dynamic";

const ENDPOINT = "/api/trpc";

/** The procedures of this request: one, or a batch ("me.get,slots.list"). */
function proceduresOf(req: Request): string[] {
  const raw = new URL(req.url).pathname.slice(ENDPOINT.length + 1);
  try {
    return decodeURIComponent(raw).split(",").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The caller, with this request counted against their rate limit (server/rate-limit): every
 * procedure of a batch counts as one request, so batching does not widen the budget; sign-up, token
 * and refresh count against the stricter per-IP budget instead. A used-up budget makes every
 * procedure answer RATE_LIMITED (api/trpc.ts), with Retry-After and the RateLimit-* headers.
 */
async function createContext(req: Request): Promise<Context> {
  const ctx = await createContextFromRequest(req);
  ctx.rateLimit = await consumeForProcedures({ actor: ctx.actor, ip: ctx.meta.ip }, proceduresOf(req));
  return ctx;
}

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: ENDPOINT,
    req,
    router: appRouter,
    createContext: () => createContext(req),
    responseMeta: ({ ctx, errors }) => {
      const headers: Record<string, string> = { "Cache-Control": "no-store", ...ctx?.rateLimit?.headers };
      if (ctx?.meta.requestId) headers["X-Request-Id"] = ctx.meta.requestId;
      const retry = errors.map((e) => (e.cause as { retryAfter?: number } | undefined)?.retryAfter).find(Boolean);
      if (retry) headers["Retry-After"] = String(retry);
      return { headers };
    },
  });
}

export { handler as GET, handler as POST };
