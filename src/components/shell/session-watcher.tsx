"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/react";

/**
 * Asks "am I still signed in?" every 15 s and when the window regains focus, on every dashboard
 * page: a suspended, signed-out or password-changed session leaves for /sign-in on its own
 * (the query cache's UNAUTHORIZED handler does the redirect).
 */
export function SessionWatcher() {
  const trpc = useTRPC();
  useQuery(trpc.me.get.queryOptions(undefined, { refetchInterval: 15_000, refetchOnWindowFocus: true, retry: false }));
  return null;
}
