"use client";
// Settings → API keys, second part: OAuth2 machine clients (client credentials). Made with a name
// and scopes, the secret shown once with the token request to make; listed; revoked after a confirmation.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Bot } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CreateFormFooter, OneTimeSecretDialog } from "@/components/one-time-secret-dialog";
import { DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ApiKeyScope } from "@/lib/schemas/api-keys";
import { errorMessage, fieldErrors, firstFieldError, useTRPC } from "@/lib/trpc/react";
import { CopyLine } from "@/components/copy-line";
import { ScopeFieldset } from "./scope-fieldset";

function CreateClientDialog({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["slots:read"]);
  const create = useMutation(trpc.oauthClients.create.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.oauthClients.list.pathKey() }) }));
  const errors = fieldErrors(create.error);
  const scopeError = firstFieldError(errors, "scopes");
  const origin = typeof window === "undefined" ? "" : window.location.origin;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: String(new FormData(event.currentTarget).get("clientName") ?? ""), scopes });
  }
  function reset() {
    create.reset();
    setScopes(["slots:read"]);
  }

  return (
    <OneTimeSecretDialog
      trigger={<Button variant="outline">New OAuth client</Button>}
      className="sm:max-w-lg"
      onClose={reset}
      shown={
        create.data
          ? {
              title: "Client created",
              description: "Copy the secret now: it is shown only this once.",
              body: (
                <>
                  <CopyLine label="Copy client id" value={create.data.clientId} testId="oauth-client-id" />
                  <CopyLine label="Copy client secret" value={create.data.clientSecret} testId="oauth-client-secret" />
                  <p className="text-sm text-muted-foreground">Get a token (valid 15 minutes):</p>
                  <CopyLine
                    label="Copy token request"
                    value={`curl -u '${create.data.clientId}:${create.data.clientSecret}' -d grant_type=client_credentials ${origin}/api/v1/oauth/token`}
                  />
                </>
              ),
            }
          : null
      }
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        <DialogHeader>
          <DialogTitle>New OAuth client</DialogTitle>
          <DialogDescription>For services that speak OAuth2: they trade the client id and secret for short-lived tokens acting as you within these scopes.</DialogDescription>
        </DialogHeader>
        <Field id="clientName" label="Name" hint="What uses it, e.g. deploy bot" error={errors.name?.[0]} autoFocus />
        <ScopeFieldset idPrefix="client-scope" value={scopes} onChange={setScopes} isAdmin={isAdmin} error={scopeError} />
        <CreateFormFooter error={create.error} pending={create.isPending} label="Create client" />
      </form>
    </OneTimeSecretDialog>
  );
}

export function OAuthClientsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const list = useInfiniteQuery(trpc.oauthClients.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (last) => last.nextCursor }));
  const revoke = useMutation(
    trpc.oauthClients.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.oauthClients.list.pathKey() });
        toast.success("Client revoked");
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="grid gap-4" aria-labelledby="oauth-clients-heading">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h2 id="oauth-clients-heading" className="text-lg font-semibold">
            OAuth clients
          </h2>
          <p className="text-sm text-muted-foreground">Client credentials for services: POST /api/v1/oauth/token with grant_type=client_credentials.</p>
        </div>
        <CreateClientDialog isAdmin={me.data?.role === "admin"} />
      </div>
      <PagedList query={list} count={rows.length} empty={<EmptyState icon={Bot} title="No OAuth clients" description="Make one for a service that authenticates with OAuth2 client credentials." />}>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Scopes</TableHead>
              <TableHead>Last token</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((c) => (
              <TableRow key={c.id} data-testid={`oauth-client-row-${c.name}`}>
                <TableCell>
                  <div className="font-medium">{c.name}</div>
                  <div className="font-mono text-xs text-muted-foreground">{c.id}</div>
                </TableCell>
                <TableCell className="max-w-72 whitespace-normal">
                  <div className="flex flex-wrap gap-1">
                    {c.scopes.map((s) => (
                      <Badge key={s} variant="secondary" className="font-mono">
                        {s}
                      </Badge>
                    ))}
                  </div>
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">{c.lastUsedAt ? new Date(c.lastUsedAt).toLocaleString() : "Never"}</TableCell>
                <TableCell className="text-right">
                  <ConfirmButton title={`Revoke ${c.name}?`} description="Its tokens stop working at once, and it can get no new ones." confirmLabel="Revoke" onConfirm={() => revoke.mutate({ id: c.id })}>
                    Revoke
                  </ConfirmButton>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </section>
  );
}
