"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { usePreferences } from "@/components/account/use-preferences";
import { Field } from "@/components/auth/field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { errorCode, errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";
import { TemplateSelect } from "./template-select";

export function CreateSlotDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const templates = useQuery(trpc.templates.list.queryOptions());
  const [templateId, setTemplateId] = useState<string | undefined>();
  // The person's default template (Preferences) comes first when they have not picked one here.
  const prefs = usePreferences();
  const chosen =
    templates.data?.data.find((t) => t.id === templateId) ?? templates.data?.data.find((t) => t.id === prefs.data?.defaultTemplateId) ?? templates.data?.data[0];
  const create = useMutation(
    trpc.slots.create.mutationOptions({
      onSuccess: ({ slot }) => {
        void queryClient.invalidateQueries({ queryKey: trpc.slots.pathKey() });
        setOpen(false);
        toast.success(`Creating ${slot.name}`, { description: "It starts in a few seconds." });
      },
    }),
  );
  const fields = fieldErrors(create.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const num = (key: string) => {
      const v = Number(form.get(key));
      return Number.isFinite(v) && v > 0 ? v : undefined;
    };
    create.mutate({
      name: String(form.get("slotName") ?? ""),
      templateId: chosen?.id,
      resources: { cpuMillicores: num("cpuMillicores"), memoryMiB: num("memoryMiB"), diskMiB: num("diskMiB") },
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <Plus /> New slot
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>New slot</DialogTitle>
            <DialogDescription>An isolated workspace with its own limits and a home folder that persists.</DialogDescription>
          </DialogHeader>
          <Field id="slotName" label="Name" required placeholder="my-project" error={fields.name?.[0]} />
          <div className="grid gap-1.5">
            <Label>Template</Label>
            <TemplateSelect value={chosen?.id} onValueChange={setTemplateId} label="Template" />
            {chosen ? <p className="text-xs text-muted-foreground">{chosen.description}</p> : null}
          </div>
          <div className="grid grid-cols-3 gap-3" key={chosen?.id}>
            <Field id="cpuMillicores" label="CPU (millicores)" type="number" min={100} step={100} defaultValue={chosen?.resources.cpuMillicores} error={fields["resources.cpuMillicores"]?.[0]} />
            <Field id="memoryMiB" label="Memory (MiB)" type="number" min={64} step={64} defaultValue={chosen?.resources.memoryMiB} error={fields["resources.memoryMiB"]?.[0]} />
            <Field id="diskMiB" label="Disk (MiB)" type="number" min={64} step={64} defaultValue={chosen?.resources.diskMiB} error={fields["resources.diskMiB"]?.[0]} />
          </div>
          {create.error && (Object.keys(fields).length === 0 || errorCode(create.error) === "QUOTA_EXCEEDED") ? <p className="text-sm text-destructive">{errorMessage(create.error)}</p> : null}
          <DialogFooter>
            <Button type="submit" disabled={create.isPending || !chosen}>
              {create.isPending ? <Spinner label="Creating" /> : null}
              Create slot
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
