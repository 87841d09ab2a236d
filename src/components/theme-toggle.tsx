"use client";

import * as React from "react";
import { Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";

import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";

/**
 * Light/dark switch. Both icons are always rendered and swapped purely with the
 * `dark:` variant, so server and client markup match (no hydration mismatch);
 * the resolved theme is only read at click time.
 */
export function ThemeToggle({ className, onChange }: { className?: string; /** Told the theme switched to (the dashboard saves it). */ onChange?: (theme: "light" | "dark") => void }) {
  const { resolvedTheme, setTheme } = useTheme();
  return (
    <Button
      type="button"
      variant="ghost"
      size="icon"
      className={cn("relative", className)}
      aria-label="Toggle dark mode"
      title="Toggle dark mode"
      onClick={() => {
        const next = resolvedTheme === "dark" ? "light" : "dark";
        setTheme(next);
        onChange?.(next);
      }}
    >
      <Sun aria-hidden="true" className="size-4 scale-100 rotate-0 transition-all dark:scale-0 dark:-rotate-90" />
      <Moon aria-hidden="true" className="absolute size-4 scale-0 rotate-90 transition-all dark:scale-100 dark:rotate-0" />
    </Button>
  );
}
