"use client";
// Rename a slot or change its limits. The answer says how the change took effect: live, or at the
// next start (when the engine cannot apply it to a running container, or the slot is stopped).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Pencil } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import type { Slot } from "@/lib/schemas/slots";
import { errorCode, errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";

const APPLIED = {
  live: "The new limits apply now, to the running slot.",
  "next-start": "The new limits apply at the next start.",
  none: "",
} as const;

export function EditSlotDialog({ slot }: { slot: Slot }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const update = useMutation(
    trpc.slots.update.mutationOptions({
      onSuccess: ({ slot: updated, applied }) => {
        void queryClient.invalidateQueries({ queryKey: trpc.slots.pathKey() });
        setOpen(false);
        toast.success(`${updated.name} saved`, APPLIED[applied] ? { description: APPLIED[applied] } : undefined);
      },
    }),
  );
  const fields = fieldErrors(update.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const num = (key: "cpuMillicores" | "memoryMiB" | "diskMiB") => {
      const v = Number(form.get(key));
      return Number.isFinite(v) && v > 0 && v !== slot.resources[key] ? v : undefined;
    };
    const name = String(form.get("slotName") ?? "").trim();
    const resources = { cpuMillicores: num("cpuMillicores"), memoryMiB: num("memoryMiB"), diskMiB: num("diskMiB") };
    const changedResources = Object.values(resources).some((v) => v !== undefined);
    if (name === slot.name && !changedResources) {
      setOpen(false);
      return;
    }
    update.mutate({ id: slot.id, ...(name !== slot.name ? { name } : {}), ...(changedResources ? { resources } : {}) });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) update.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost">
          <Pencil /> Edit
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Edit {slot.name}</DialogTitle>
            <DialogDescription>
              {slot.status === "running"
                ? "CPU and memory change live where the engine allows; otherwise, and for the disk, the new limits apply at the next start."
                : "New limits apply when the slot next starts."}
            </DialogDescription>
          </DialogHeader>
          <Field id="slotName" label="Name" required defaultValue={slot.name} error={fields.name?.[0]} />
          <div className="grid grid-cols-3 gap-3">
            <Field id="cpuMillicores" label="CPU (millicores)" type="number" min={100} step={100} defaultValue={slot.resources.cpuMillicores} error={fields["resources.cpuMillicores"]?.[0]} />
            <Field id="memoryMiB" label="Memory (MiB)" type="number" min={64} step={64} defaultValue={slot.resources.memoryMiB} error={fields["resources.memoryMiB"]?.[0]} />
            <Field id="diskMiB" label="Disk (MiB)" type="number" min={64} step={64} defaultValue={slot.resources.diskMiB} error={fields["resources.diskMiB"]?.[0]} />
          </div>
          {update.error && (Object.keys(fields).length === 0 || errorCode(update.error) === "QUOTA_EXCEEDED") ? <p className="text-sm text-destructive">{errorMessage(update.error)}</p> : null}
          <DialogFooter>
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? <Spinner label="Saving" /> : null}
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
