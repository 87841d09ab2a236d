"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, Boxes } from "lucide-react";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ErrorState } from "@/components/error-state";
import { Field } from "@/components/auth/field";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import type { AdminPlan } from "@/lib/schemas/admin-catalog";
import type { User } from "@/lib/schemas/users";
import { errorCode, errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";

const DEFAULT_PLAN = "__default__";

/** Each override, and the plan field whose value it replaces. */
const OVERRIDES = [
  { key: "slots", plan: "maxSlots", label: "Max slots" },
  { key: "maxRunning", plan: "maxRunning", label: "Max running" },
  { key: "cpuMillicores", plan: "cpuMillicores", label: "CPU per slot (millicores)" },
  { key: "memoryMiB", plan: "memoryMiB", label: "Memory per slot (MiB)" },
  { key: "diskMiB", plan: "diskMiB", label: "Disk per slot (MiB)" },
  { key: "pids", plan: "pids", label: "Processes per slot" },
  { key: "maxFileMiB", plan: "maxFileMiB", label: "Largest upload (MiB)" },
  { key: "filesQuotaMiB", plan: "filesQuotaMiB", label: "Files across all slots (MiB)" },
] as const;
type OverrideKey = (typeof OVERRIDES)[number]["key"];

function PlanAndLimitsForm({ user, plans }: { user: User; plans: AdminPlan[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [planId, setPlanId] = useState(user.plan ?? DEFAULT_PLAN);
  const [values, setValues] = useState<Record<OverrideKey, string>>(
    () => Object.fromEntries(OVERRIDES.map((o) => [o.key, user.limits[o.key]?.toString() ?? ""])) as Record<OverrideKey, string>,
  );
  const save = useMutation(
    trpc.admin.users.update.mutationOptions({
      onSuccess: async (u) => {
        await queryClient.invalidateQueries({ queryKey: trpc.admin.users.pathKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.admin.plans.pathKey() });
        toast.success(`Saved ${u.email}'s plan and limits`, { description: "They apply to new slots and starts." });
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const fields = fieldErrors(save.error);
  const defaultPlan = plans.find((p) => p.isDefault);
  const effectivePlan = planId === DEFAULT_PLAN ? defaultPlan : plans.find((p) => p.id === planId);
  const unknownPlan = planId !== DEFAULT_PLAN && !plans.some((p) => p.id === planId);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const limits: Partial<Record<OverrideKey, number>> = {};
    for (const o of OVERRIDES) {
      const raw = values[o.key].trim();
      if (raw !== "") limits[o.key] = Number(raw);
    }
    save.mutate({ id: user.id, plan: planId === DEFAULT_PLAN ? null : planId, limits });
  }

  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate>
      <div className="grid gap-1.5 sm:max-w-sm">
        <Label>Plan</Label>
        <Select value={planId} onValueChange={setPlanId}>
          <SelectTrigger aria-label="Plan" className="w-full">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={DEFAULT_PLAN}>Default plan{defaultPlan ? ` (${defaultPlan.name})` : ""}</SelectItem>
            {plans.map((p) => (
              <SelectItem key={p.id} value={p.id}>
                {p.name} ({p.id})
              </SelectItem>
            ))}
            {unknownPlan ? <SelectItem value={planId}>{planId} (no longer exists)</SelectItem> : null}
          </SelectContent>
        </Select>
        {fields.plan ? <p className="text-sm text-destructive">{fields.plan[0]}</p> : <p className="text-xs text-muted-foreground">The default plan follows whichever plan is the default.</p>}
      </div>
      <div>
        <p className="text-sm font-medium">Limit overrides</p>
        <p className="text-xs text-muted-foreground">Empty inherits the plan&apos;s value (shown greyed). An override may raise or lower it.</p>
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        {OVERRIDES.map((o) => (
          <Field
            key={o.key}
            id={`limit-${o.key}`}
            label={o.label}
            type="number"
            min={0}
            value={values[o.key]}
            onChange={(e) => setValues((v) => ({ ...v, [o.key]: e.target.value }))}
            placeholder={effectivePlan ? String(effectivePlan[o.plan]) : "inherit"}
            error={fields[`limits.${o.key}`]?.[0]}
          />
        ))}
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? <Spinner label="Saving" /> : null}
          Save plan and limits
        </Button>
        <Button type="button" variant="ghost" onClick={() => setValues(Object.fromEntries(OVERRIDES.map((o) => [o.key, ""])) as Record<OverrideKey, string>)}>
          Clear overrides
        </Button>
      </div>
    </form>
  );
}

export function UserDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const user = useQuery(trpc.admin.users.get.queryOptions({ id }));
  const plans = useQuery(trpc.admin.plans.list.queryOptions());
  const back = (
    <Button asChild variant="ghost" size="sm" className="mb-2 -ml-2 w-fit">
      <Link href="/admin/users">
        <ArrowLeft /> Users
      </Link>
    </Button>
  );
  if (user.isPending || plans.isPending) {
    return (
      <>
        {back}
        <Skeleton className="h-96 w-full" />
      </>
    );
  }
  if (user.isError || plans.isError) {
    const err = user.error ?? plans.error;
    return (
      <>
        {back}
        <ErrorState title={errorCode(err) === "NOT_FOUND" ? "No such user" : undefined} message={errorMessage(err)} onRetry={errorCode(err) === "NOT_FOUND" ? undefined : () => void Promise.all([user.refetch(), plans.refetch()])} />
      </>
    );
  }
  const u = user.data;
  return (
    <>
      {back}
      <PageHeader
        title={u.email}
        description={u.name ?? undefined}
        actions={
          <Button asChild variant="outline">
            <Link href={`/admin/slots?owner=${encodeURIComponent(u.id)}`}>
              <Boxes /> Their slots
            </Link>
          </Button>
        }
      />
      <div className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Account</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
              <dt className="text-muted-foreground">Role</dt>
              <dd>
                <Badge variant="secondary">{u.role}</Badge>
              </dd>
              <dt className="text-muted-foreground">Status</dt>
              <dd>
                <Badge variant={u.status === "active" ? "success" : "destructive"}>{u.status}</Badge>
              </dd>
              <dt className="text-muted-foreground">Member since</dt>
              <dd>{new Date(u.createdAt).toLocaleDateString()}</dd>
              <dt className="text-muted-foreground">Last sign-in</dt>
              <dd>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : "Never"}</dd>
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Plan and limits</CardTitle>
            <CardDescription>What this person may use. Changes apply to new slots and starts; running slots keep their limits.</CardDescription>
          </CardHeader>
          <CardContent>
            <PlanAndLimitsForm key={u.id} user={u} plans={plans.data.data} />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
