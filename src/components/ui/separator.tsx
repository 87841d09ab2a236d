import * as React from "react";

import { cn } from "@/lib/cn";

export type SeparatorProps = React.ComponentProps<"div"> & {
  orientation?: "horizontal" | "vertical";
  /** Purely visual (default) or a semantic separator announced to assistive tech. */
  decorative?: boolean;
};

export function Separator({
  className,
  orientation = "horizontal",
  decorative = true,
  ...props
}: SeparatorProps) {
  const a11y = decorative
    ? ({ role: "none" } as const)
    : ({
        role: "separator",
        "aria-orientation": orientation === "vertical" ? "vertical" : undefined,
      } as const);
  return (
    <div
      data-slot="separator"
      data-orientation={orientation}
      {...a11y}
      className={cn(
        "shrink-0 bg-border",
        orientation === "horizontal" ? "h-px w-full" : "h-full w-px",
        className,
      )}
      {...props}
    />
  );
}
