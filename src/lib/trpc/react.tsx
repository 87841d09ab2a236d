"use client";
// The dashboard's tRPC client: react-query with the typed tRPC options proxy.
import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import type { AppRouter } from "@/server/api/root";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** The public error code (API.md) of a failed call, e.g. "VALIDATION_ERROR". */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code;
  return undefined;
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  return "The request failed. Check your connection and try again.";
}

/** Field messages of a VALIDATION_ERROR, keyed by input field. */
export function fieldErrors(error: unknown): Record<string, string[]> {
  if (error instanceof TRPCClientError) {
    const details = (error.data as { details?: { fields?: Record<string, string[]> } } | undefined)?.details;
    return details?.fields ?? {};
  }
  return {};
}

/** The first message for a field or any of its items (`scopes`, `scopes.0`, …). */
export function firstFieldError(errors: Record<string, string[]>, field: string): string | undefined {
  return Object.entries(errors).find(([k]) => k === field || k.startsWith(`${field}.`))?.[1]?.[0];
}

function onUnauthorized(error: unknown) {
  // The session ended (signed out elsewhere, suspended, password changed): back to sign-in.
  if (errorCode(error) === "UNAUTHORIZED" && typeof window !== "undefined" && !window.location.pathname.startsWith("/sign-")) {
    window.location.assign(`/sign-in?expired=1&next=${encodeURIComponent(window.location.pathname)}`);
  }
}

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onUnauthorized }),
    mutationCache: new MutationCache({ onError: onUnauthorized }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, error) => {
          const code = errorCode(error);
          return count < 2 && (code === undefined || code === "INTERNAL" || code === "RUNTIME_UNAVAILABLE");
        },
      },
    },
  });
}

export function TrpcReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Subscriptions (live metrics) stream over server-sent events; everything else is batched.
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc" }),
          false: httpBatchLink({ url: "/api/trpc" }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
