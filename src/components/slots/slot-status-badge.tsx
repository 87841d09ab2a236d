import { Badge } from "@/components/ui/badge";
import { TRANSITIONAL_STATUSES, type Slot } from "@/lib/schemas/slots";

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

export const TRANSITIONAL = TRANSITIONAL_STATUSES;

/** How often a slot view re-reads the slot: every second while an action runs, else every 10 s. */
export function slotRefetchInterval(q: { state: { data?: Slot } }): number {
  return q.state.data && TRANSITIONAL.includes(q.state.data.status) ? 1_000 : 10_000;
}

export function SlotStatusBadge({ status }: { status: Slot["status"] }) {
  return (
    <Badge variant={VARIANT[status]} data-testid="slot-status">
      {TRANSITIONAL.includes(status) ? <span className="mr-1 inline-block size-1.5 animate-pulse rounded-full bg-current" aria-hidden /> : null}
      {status}
    </Badge>
  );
}
