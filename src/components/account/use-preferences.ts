"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/react";

/** The signed-in person's preferences, defaults filled in; shared by every component that applies them. */
export function usePreferences() {
  const trpc = useTRPC();
  return useQuery(trpc.me.preferences.get.queryOptions(undefined, { staleTime: 30_000 }));
}
