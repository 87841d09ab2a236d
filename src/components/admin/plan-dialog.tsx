"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { Textarea } from "@/components/ui/textarea";
import type { AdminPlan } from "@/lib/schemas/admin-catalog";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";
import { CheckboxField } from "./checkbox-field";
import { numberField } from "./form-values";

const NUMBERS = [
  { key: "maxSlots", label: "Max slots", hint: "At once, any status", min: 1, step: 1, fallback: 2 },
  { key: "maxRunning", label: "Max running", hint: "At most max slots", min: 1, step: 1, fallback: 1 },
  { key: "cpuMillicores", label: "CPU per slot (millicores)", hint: "1000 = one core", min: 100, step: 100, fallback: 1000 },
  { key: "memoryMiB", label: "Memory per slot (MiB)", min: 64, step: 64, fallback: 1024 },
  { key: "diskMiB", label: "Disk per slot (MiB)", min: 64, step: 64, fallback: 2048 },
  { key: "pids", label: "Processes per slot", min: 16, step: 1, fallback: 512 },
  { key: "idleTimeoutMinutes", label: "Idle timeout (minutes)", hint: "Stop after this long idle", min: 1, step: 1, fallback: 30 },
  { key: "maxUptimeMinutes", label: "Max uptime (minutes)", hint: "Empty: no limit", min: 1, step: 1, fallback: null },
  { key: "maxFileMiB", label: "Largest upload (MiB)", hint: "One file through the file manager or API", min: 1, step: 1, fallback: 100 },
  { key: "filesQuotaMiB", label: "Files per user (MiB)", hint: "All of a user's slot homes together", min: 1, step: 64, fallback: 1024 },
  { key: "requestsPerMinute", label: "API requests per minute", hint: "Per user, all their keys and tokens together", min: 1, step: 1, fallback: 600 },
  { key: "pricePerHourCents", label: "Price per running hour (cents)", hint: "For billing later", min: 0, step: 1, fallback: 0 },
] as const;
type NumberKey = (typeof NUMBERS)[number]["key"];

const SHOWN_FIELDS = new Set<string>(["id", "name", "description", ...NUMBERS.map((n) => n.key)]);

/** Create (no `plan`) or edit a plan. */
export function PlanDialog({ plan, trigger }: { plan?: AdminPlan; trigger: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const onSuccess = (p: AdminPlan) => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.plans.pathKey() });
    setOpen(false);
    toast.success(plan ? `${p.name} saved` : `${p.name} created`, { description: plan ? "New limits apply to new slots and starts." : undefined });
  };
  const create = useMutation(trpc.admin.plans.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.admin.plans.update.mutationOptions({ onSuccess }));
  const mutation = plan ? update : create;
  const fields = fieldErrors(mutation.error);
  const generalError = mutation.error && !Object.keys(fields).some((k) => SHOWN_FIELDS.has(k)) ? errorMessage(mutation.error) : undefined;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const numbers = Object.fromEntries(NUMBERS.map((n) => [n.key, numberField(form, `plan-${n.key}`)])) as Record<NumberKey, number | undefined>;
    const values = {
      name: String(form.get("planName") ?? ""),
      description: String(form.get("planDescription") ?? ""),
      ...numbers,
      // Empty max uptime means no limit.
      maxUptimeMinutes: numbers.maxUptimeMinutes ?? null,
    };
    const isDefault = form.get("planDefault") === "on";
    if (plan) {
      update.mutate({ id: plan.id, ...values, ...(isDefault && !plan.isDefault ? { isDefault: true } : {}) });
    } else {
      // Missing numbers go as they are: the server names each one that is required.
      create.mutate({ id: String(form.get("planId") ?? ""), ...(values as typeof values & Record<NumberKey, number>), isDefault });
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) mutation.reset();
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{plan ? `Edit ${plan.name}` : "New plan"}</DialogTitle>
            <DialogDescription>{plan ? "Changes apply to new slots and starts; running slots keep their limits." : "Quotas and per-slot ceilings; users without a plan get the default plan."}</DialogDescription>
          </DialogHeader>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="planName" label="Name" required defaultValue={plan?.name} placeholder="Pro" error={fields.name?.[0]} />
            <Field id="planId" label="Id" required defaultValue={plan?.id} placeholder="pro" disabled={Boolean(plan)} hint={plan ? "Users refer to their plan by its id; it cannot change." : "Lower-case letters, digits and dashes"} error={fields.id?.[0]} />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="planDescription">Description</Label>
            <Textarea id="planDescription" name="planDescription" defaultValue={plan?.description} placeholder="Who it is for" aria-invalid={fields.description ? true : undefined} />
            {fields.description ? <p className="text-sm text-destructive">{fields.description[0]}</p> : null}
          </div>
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
            {NUMBERS.map((n) => (
              <Field
                key={n.key}
                id={`plan-${n.key}`}
                label={n.label}
                type="number"
                min={n.min}
                step={n.step}
                required={n.key !== "maxUptimeMinutes"}
                defaultValue={(plan ? plan[n.key] : n.fallback) ?? ""}
                hint={"hint" in n ? n.hint : undefined}
                error={fields[n.key]?.[0]}
              />
            ))}
          </div>
          <CheckboxField
            id="planDefault"
            label="Default plan"
            defaultChecked={plan?.isDefault ?? false}
            disabled={plan?.isDefault}
            hint={plan?.isDefault ? "To change the default, make another plan the default." : "The plan of every user who has none assigned."}
          />
          {generalError ? <p className="text-sm text-destructive">{generalError}</p> : null}
          <DialogFooter>
            <Button type="submit" disabled={mutation.isPending}>
              {mutation.isPending ? <Spinner label="Saving" /> : null}
              {plan ? "Save plan" : "Create plan"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
