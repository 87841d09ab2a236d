"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Play, RotateCw, Square } from "lucide-react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { Button } from "@/components/ui/button";
import type { Slot } from "@/lib/schemas/slots";
import { errorMessage, useTRPC } from "@/lib/trpc/react";

export function SlotActions({ slot, onDeleted }: { slot: Slot; onDeleted?: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.slots.pathKey() });
  const opts = (verb: string) => ({
    onSuccess: () => {
      void refresh();
      toast.success(`${slot.name}: ${verb}`);
    },
    onError: (err: unknown) => toast.error(errorMessage(err)),
  });
  const start = useMutation(trpc.slots.start.mutationOptions(opts("starting")));
  const stop = useMutation(trpc.slots.stop.mutationOptions(opts("stopping")));
  const restart = useMutation(trpc.slots.restart.mutationOptions(opts("restarting")));
  const del = useMutation(
    trpc.slots.delete.mutationOptions({
      ...opts("deleting"),
      onSuccess: () => {
        void refresh();
        toast.success(`${slot.name} is being deleted`);
        onDeleted?.();
      },
    }),
  );
  const busy = start.isPending || stop.isPending || restart.isPending || del.isPending;
  return (
    <div className="flex flex-wrap justify-end gap-2">
      {slot.status === "stopped" || slot.status === "error" ? (
        <Button size="sm" variant="secondary" disabled={busy} onClick={() => start.mutate({ id: slot.id })}>
          <Play /> Start
        </Button>
      ) : null}
      {slot.status === "running" ? (
        <>
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => stop.mutate({ id: slot.id })}>
            <Square /> Stop
          </Button>
          <Button size="sm" variant="ghost" disabled={busy} onClick={() => restart.mutate({ id: slot.id })}>
            <RotateCw /> Restart
          </Button>
        </>
      ) : null}
      {["stopped", "running", "error"].includes(slot.status) ? (
        <ConfirmButton
          title={`Delete ${slot.name}?`}
          description="The container and everything in its home folder are removed for good. This cannot be undone."
          confirmLabel="Delete slot"
          disabled={busy}
          onConfirm={() => del.mutate({ id: slot.id })}
        >
          Delete
        </ConfirmButton>
      ) : null}
    </div>
  );
}
