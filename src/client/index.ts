// berth/client — the typed client for other TypeScript apps: every procedure of Berth's API with
// its input and output types, over HTTP with an API key (or an access token from /auth/token).
//   import { createBerthClient } from "berth/client";
//   const berth = createBerthClient({ url: "https://berth.example.com", apiKey: process.env.BERTH_API_KEY! });
//   const slot = await berth.slots.create.mutate({ name: "ci", wait: true });
// Errors are TRPCClientError; berthError(err) gives the same { code, message, details } as REST.
// Subscriptions (events.live, slots.metricsLive) are server-sent events, with the same key:
//   berth.events.live.subscribe({}, { onData: ({ data }) => console.log(data.type) });
// (Node has no EventSource of its own; the `eventsource` package sends the Authorization header.)
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import type { AppRouter } from "@/server/api/root";

export type { AppRouter };

export type BerthClientOptions = {
  /** Berth's base URL, e.g. http://localhost:3000 */
  url: string;
  /** An API key (brt_…) or an access token (bat_…). */
  apiKey: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
};

export function createBerthClient(options: BerthClientOptions) {
  const endpoint = new URL("/api/trpc", options.url).toString();
  const authorization = `Bearer ${options.apiKey}`;
  const fetchImpl = options.fetch ?? fetch;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: endpoint,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetchImpl(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), authorization } }),
          }),
        }),
        false: httpBatchLink({ url: endpoint, headers: () => ({ authorization }), fetch: options.fetch }),
      }),
    ],
  });
}

export type BerthClient = ReturnType<typeof createBerthClient>;

export type BerthErrorInfo = { code: string; message: string; details: Record<string, unknown> | null; requestId: string | null };

/** The error as REST would show it (code from API.md, a sentence, details), or null when it is not one of Berth's. */
export function berthError(err: unknown): BerthErrorInfo | null {
  if (!(err instanceof TRPCClientError)) return null;
  const data = (err.data ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> | null; requestId?: string };
  return { code: data.code ?? "INTERNAL", message: data.message ?? err.message, details: data.details ?? null, requestId: data.requestId ?? null };
}
