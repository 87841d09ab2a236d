"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CreditCard, Pencil, Plus } from "lucide-react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { PlanDialog } from "./plan-dialog";

export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return "no limit";
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

export function formatPrice(cents: number): string {
  return cents === 0 ? "free" : `$${(cents / 100).toFixed(2)}/h`;
}

export function PlansPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.admin.plans.list.queryOptions());
  const remove = useMutation(
    trpc.admin.plans.delete.mutationOptions({
      onSuccess: (_data, vars) => {
        void queryClient.invalidateQueries({ queryKey: trpc.admin.plans.pathKey() });
        toast.success(`The ${vars.id} plan is deleted`);
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const rows = list.data?.data ?? [];

  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <PlanDialog
          trigger={
            <Button>
              <Plus /> New plan
            </Button>
          }
        />
      </div>
      <PagedList
        query={{ ...list, hasNextPage: false, isFetchingNextPage: false, fetchNextPage: () => undefined }}
        count={rows.length}
        empty={<EmptyState icon={CreditCard} title="No plans" description="Create one: every user needs a plan to make slots." />}
      >
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Plan</TableHead>
              <TableHead>Slots</TableHead>
              <TableHead>Per slot</TableHead>
              <TableHead>Auto-stop</TableHead>
              <TableHead>Price</TableHead>
              <TableHead>Users</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((p) => (
              <TableRow key={p.id} data-testid={`plan-row-${p.id}`}>
                <TableCell className="max-w-56 whitespace-normal">
                  <div className="flex items-center gap-2 font-medium">
                    {p.name}
                    {p.isDefault ? <Badge>default</Badge> : null}
                  </div>
                  <div className="font-mono text-xs text-muted-foreground">{p.id}</div>
                  {p.description ? <p className="mt-1 line-clamp-2 text-xs text-muted-foreground">{p.description}</p> : null}
                </TableCell>
                <TableCell className="text-sm whitespace-nowrap">
                  {p.maxSlots} slots · {p.maxRunning} running
                </TableCell>
                <TableCell className="text-sm whitespace-nowrap text-muted-foreground">
                  {p.cpuMillicores / 1000} CPU · {p.memoryMiB} MiB
                  <br />
                  {p.diskMiB} MiB disk · {p.pids} pids
                  <br />
                  files {p.maxFileMiB} MiB each · {p.filesQuotaMiB} MiB in all
                  <br />
                  {p.requestsPerMinute} API requests/min
                </TableCell>
                <TableCell className="text-sm whitespace-nowrap text-muted-foreground">
                  idle {formatMinutes(p.idleTimeoutMinutes)}
                  <br />
                  uptime {formatMinutes(p.maxUptimeMinutes)}
                </TableCell>
                <TableCell className="text-sm whitespace-nowrap">{formatPrice(p.pricePerHourCents)}</TableCell>
                <TableCell className="text-sm">
                  {p.users}
                  {p.isDefault ? <div className="text-xs text-muted-foreground">+ everyone without a plan</div> : null}
                </TableCell>
                <TableCell>
                  <div className="flex justify-end gap-2">
                    <PlanDialog
                      plan={p}
                      trigger={
                        <Button size="icon" variant="ghost" className="size-8" aria-label={`Edit ${p.name}`} title="Edit">
                          <Pencil />
                        </Button>
                      }
                    />
                    {p.isDefault ? null : p.users > 0 ? (
                      <ConfirmButton
                        title={`${p.name} is in use`}
                        description={`${p.users} user${p.users === 1 ? " is" : "s are"} on this plan, so it cannot be deleted. Move them to another plan first, on each user's page under Users.`}
                        confirmLabel="OK"
                        destructive={false}
                        onConfirm={() => undefined}
                      >
                        Delete
                      </ConfirmButton>
                    ) : (
                      <ConfirmButton
                        title={`Delete the ${p.name} plan?`}
                        description="Nobody is on this plan. It is removed for good; this cannot be undone."
                        confirmLabel="Delete plan"
                        disabled={remove.isPending}
                        onConfirm={() => remove.mutate({ id: p.id })}
                      >
                        Delete
                      </ConfirmButton>
                    )}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
