import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createContextFromRequest } from "@/server/api/trpc";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContextFromRequest(req),
    responseMeta: ({ ctx, errors, type }) => {
      const headers: Record<string, string> = { "Cache-Control": "no-store" };
      if (ctx?.meta.requestId) headers["X-Request-Id"] = ctx.meta.requestId;
      const retry = errors.map((e) => (e.cause as { retryAfter?: number } | undefined)?.retryAfter).find(Boolean);
      if (retry) headers["Retry-After"] = String(retry);
      return type === "mutation" || errors.length ? { headers } : { headers };
    },
  });
}

export { handler as GET, handler as POST };
