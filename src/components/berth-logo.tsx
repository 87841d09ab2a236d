import { Anchor } from "lucide-react";
import { cn } from "@/lib/cn";

export function BerthLogo({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight", className)}>
      <Anchor className="size-[1.1em] text-primary" aria-hidden />
      Berth
    </span>
  );
}
