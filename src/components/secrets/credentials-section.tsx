"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { RESTART_HINT } from "./env-vars-card";
import { SecretValueDialog } from "./secret-value-dialog";

/** Provider keys of a slot (Anthropic, OpenAI, GitHub, Google), each under its usual variables. */
export function CredentialsSection({ slotId }: { slotId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const providers = useQuery(trpc.slots.credentials.providers.queryOptions());
  const creds = useQuery(trpc.slots.credentials.list.queryOptions({ id: slotId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.slots.credentials.list.queryKey({ id: slotId }) });
  const save = useMutation(
    trpc.slots.credentials.set.mutationOptions({
      onSuccess: (c) => {
        void refresh();
        toast.success(`${c.name} key saved`, { description: RESTART_HINT.slot });
      },
    }),
  );
  const remove = useMutation(
    trpc.slots.credentials.delete.mutationOptions({
      onSuccess: () => void refresh(),
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const failed = providers.error ?? creds.error;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Provider credentials</CardTitle>
        <CardDescription>API keys and tokens, checked for shape and exposed in the slot under each provider&apos;s usual variable names.</CardDescription>
      </CardHeader>
      <CardContent>
        {providers.isPending || creds.isPending ? (
          <Skeleton className="h-40 w-full" />
        ) : failed ? (
          <ErrorState message={errorMessage(failed)} onRetry={() => void Promise.all([providers.refetch(), creds.refetch()])} />
        ) : (
          <Table data-testid="credentials">
            <TableHeader>
              <TableRow>
                <TableHead>Provider</TableHead>
                <TableHead>Variables</TableHead>
                <TableHead>Key</TableHead>
                <TableHead className="w-0" />
              </TableRow>
            </TableHeader>
            <TableBody>
              {providers.data?.data.map((p) => {
                const set = creds.data?.data.find((c) => c.provider === p.id);
                return (
                  <TableRow key={p.id} data-testid={`credential-${p.id}`}>
                    <TableCell className="font-medium">{p.name}</TableCell>
                    <TableCell className="font-mono text-xs">{p.variables.join(", ")}</TableCell>
                    <TableCell className="font-mono text-sm text-muted-foreground">{set ? set.hint : "not set"}</TableCell>
                    <TableCell>
                      <div className="flex justify-end gap-1">
                        <SecretValueDialog
                          trigger={
                            <Button variant="outline" size="sm">
                              {set ? "Replace" : "Set"}
                            </Button>
                          }
                          title={`${set ? "Replace" : "Set"} the ${p.name} key`}
                          description={`Exposed in this slot as ${p.variables.join(" and ")}.`}
                          fixedName={p.name}
                          valueLabel="Key"
                          valueHint={`Write-only. Format: ${p.format}.`}
                          onSubmit={(_, value) => save.mutateAsync({ id: slotId, provider: p.id, value })}
                          error={save.error}
                          pending={save.isPending}
                          onReset={() => save.reset()}
                        />
                        {set ? (
                          <ConfirmButton title={`Delete the ${p.name} key?`} description={`${p.variables.join(" and ")} will no longer be set in new terminals and commands, nor in the slot after its next start.`} confirmLabel="Delete" onConfirm={() => remove.mutate({ id: slotId, provider: p.id })} disabled={remove.isPending}>
                            <Trash2 />
                            <span className="sr-only">Delete the {p.name} key</span>
                          </ConfirmButton>
                        ) : null}
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
