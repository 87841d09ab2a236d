"use client";
// When a running slot will stop by itself, and a button that counts as activity (the heartbeat).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Timer } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import type { Slot } from "@/lib/schemas/slots";
import { errorMessage, useTRPC } from "@/lib/trpc/react";

function inWords(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "in less than a minute";
  if (minutes < 120) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

export function AutoStopNotice({ slotId, autoStop }: { slotId: string; autoStop: NonNullable<Slot["autoStop"]> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  const keep = useMutation(
    trpc.slots.heartbeat.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.slots.get.queryKey({ id: slotId }) });
        toast.success("Marked as active: the idle timer starts again.");
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const at = new Date(autoStop.at);
  const soon = at.getTime() - now < 10 * 60_000;
  return (
    <div className={`mt-4 flex flex-wrap items-center justify-between gap-3 rounded-md border p-3 text-sm ${soon ? "border-warning bg-warning/10" : ""}`} data-testid="auto-stop">
      <span className="flex items-center gap-2">
        <Timer className="size-4 text-muted-foreground" aria-hidden />
        {autoStop.reason === "idle" ? "Stops when idle" : "Reaches its plan's longest run"} {inWords(at.getTime() - now)} ({at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}).
      </span>
      {autoStop.reason === "idle" ? (
        <Button size="sm" variant="outline" onClick={() => keep.mutate({ id: slotId })} disabled={keep.isPending}>
          Keep running
        </Button>
      ) : null}
    </div>
  );
}
