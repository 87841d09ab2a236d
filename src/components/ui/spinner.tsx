import * as React from "react";
import { Loader2 } from "lucide-react";

import { cn } from "@/lib/cn";

export type SpinnerProps = React.ComponentProps<"span"> & {
  /** Accessible name announced to screen readers (default "Loading"). */
  label?: string;
  /** Classes for the spinning icon itself (e.g. `size-6`). */
  iconClassName?: string;
};

export function Spinner({ className, iconClassName, label = "Loading", ...props }: SpinnerProps) {
  return (
    <span
      data-slot="spinner"
      role="status"
      aria-live="polite"
      className={cn("inline-flex items-center justify-center", className)}
      {...props}
    >
      <Loader2 aria-hidden="true" className={cn("size-4 animate-spin", iconClassName)} />
      <span className="sr-only">{label}</span>
    </span>
  );
}
