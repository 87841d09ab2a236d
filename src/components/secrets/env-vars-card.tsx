"use client";
// The card both environment pages show (a slot's, and yours for all slots): title, "Add variable",
// and the list in its loading, error, empty or filled state, with the procedures of its scope.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import type { ReactNode } from "react";
import { toast } from "sonner";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { EnvVar } from "@/lib/schemas/secrets";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { EnvVarTable, type EnvVarActions } from "./env-var-table";
import { SecretValueDialog } from "./secret-value-dialog";

/** Told after a save: what it takes for shells already open to see the change. */
export const RESTART_HINT = { slot: "Restart the slot for its running processes and open terminals to see it.", user: "Restart your slots for their running processes and open terminals to see it." } as const;

/** A scope's variables and what can be done to them: `slotId` for a slot's, null for the user's own. */
function useEnvVars(slotId: string | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const slotVars = useQuery({ ...trpc.slots.env.list.queryOptions({ id: slotId ?? "" }), enabled: slotId !== null });
  const userVars = useQuery({ ...trpc.me.env.list.queryOptions(), enabled: slotId === null });
  // Both lists: a slot's list shows the user's variables too (and which of them its own override).
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.slots.env.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.me.env.list.pathKey() });
  };
  const saved = (v: { name: string }) => {
    refresh();
    toast.success(`${v.name} saved`, { description: RESTART_HINT[slotId ? "slot" : "user"] });
  };
  const deleted = (name: string) => {
    refresh();
    toast.success(`${name} deleted`);
  };
  const failed = (err: unknown) => toast.error(errorMessage(err));
  const setSlot = useMutation(trpc.slots.env.set.mutationOptions({ onSuccess: saved }));
  const setUser = useMutation(trpc.me.env.set.mutationOptions({ onSuccess: saved }));
  const deleteSlot = useMutation(trpc.slots.env.delete.mutationOptions({ onSuccess: (_, i) => deleted(i.name), onError: failed }));
  const deleteUser = useMutation(trpc.me.env.delete.mutationOptions({ onSuccess: (_, i) => deleted(i.name), onError: failed }));
  const save = slotId ? setSlot : setUser;
  const actions: EnvVarActions = {
    save: (name, value) => (slotId ? setSlot.mutateAsync({ id: slotId, name, value }) : setUser.mutateAsync({ name, value })),
    remove: (name) => (slotId ? deleteSlot.mutate({ id: slotId, name }) : deleteUser.mutate({ name })),
    error: save.error,
    pending: save.isPending,
    reset: () => save.reset(),
  };
  return { vars: slotId ? slotVars : userVars, actions, removing: deleteSlot.isPending || deleteUser.isPending };
}

export function EnvVarsCard({
  slotId,
  title,
  description,
  addDescription,
  emptyDescription,
}: {
  /** The slot whose variables these are; null: the user's own, for all their slots. */
  slotId: string | null;
  title: string;
  description: ReactNode;
  /** Under "Add a variable": where the new variable applies. */
  addDescription: string;
  emptyDescription: string;
}) {
  const { vars, actions, removing } = useEnvVars(slotId);
  const editable: EnvVar["scope"] = slotId ? "slot" : "user";
  return (
    <Card>
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div className="grid gap-1.5">
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
        <SecretValueDialog
          trigger={
            <Button size="sm">
              <Plus /> Add variable
            </Button>
          }
          title="Add a variable"
          description={addDescription}
          submitLabel="Add"
          onSubmit={actions.save}
          error={actions.error}
          pending={actions.pending}
          onReset={actions.reset}
        />
      </CardHeader>
      <CardContent>
        {vars.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : vars.isError ? (
          <ErrorState message={errorMessage(vars.error)} onRetry={() => void vars.refetch()} />
        ) : vars.data.data.length === 0 ? (
          <EmptyState icon={KeyRound} title="No variables yet" description={emptyDescription} />
        ) : (
          <EnvVarTable rows={vars.data.data} editable={editable} actions={actions} removing={removing} />
        )}
      </CardContent>
    </Card>
  );
}
