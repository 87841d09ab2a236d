import { Badge } from "@/components/ui/badge";
import type { Slot } from "@/lib/schemas/slots";

const VARIANT: Record<Slot["status"], "success" | "secondary" | "warning" | "destructive" | "outline"> = {
  running: "success",
  stopped: "secondary",
  creating: "warning",
  starting: "warning",
  stopping: "warning",
  deleting: "warning",
  error: "destructive",
  deleted: "outline",
};

export const TRANSITIONAL: readonly Slot["status"][] = ["creating", "starting", "stopping", "deleting"];

export function SlotStatusBadge({ status }: { status: Slot["status"] }) {
  return (
    <Badge variant={VARIANT[status]} data-testid="slot-status">
      {TRANSITIONAL.includes(status) ? <span className="mr-1 inline-block size-1.5 animate-pulse rounded-full bg-current" aria-hidden /> : null}
      {status}
    </Badge>
  );
}
