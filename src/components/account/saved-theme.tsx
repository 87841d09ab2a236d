"use client";
// The theme saved in Preferences follows the person: applied when the dashboard loads (another
// device may have changed it), and the header's toggle saves what it switches to. "system" (the
// default, and what a new account has) leaves each device its own choice: the one made on the
// sign-in page before the account existed carries into the dashboard instead of being reset.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTheme } from "next-themes";
import { useEffect } from "react";
import { ThemeToggle } from "@/components/theme-toggle";
import { useTRPC } from "@/lib/trpc/react";
import { usePreferences } from "./use-preferences";

export function SavedTheme() {
  const saved = usePreferences().data?.theme;
  const { setTheme } = useTheme();
  useEffect(() => {
    if (saved && saved !== "system") setTheme(saved);
  }, [saved, setTheme]);
  return null;
}

export function SavedThemeToggle() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(trpc.me.preferences.update.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.me.preferences.get.queryKey(), data) }));
  return <ThemeToggle onChange={(theme) => save.mutate({ theme })} />;
}
