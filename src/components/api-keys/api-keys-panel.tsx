"use client";
// Settings → API keys: make a key (name, scopes, expiry; shown once with a copy button and a curl
// line), list them with their last use, revoke after a confirmation.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { CheckboxField } from "@/components/admin/checkbox-field";
import { Field } from "@/components/auth/field";
import { ConfirmButton } from "@/components/confirm-button";
import { CopyLine } from "@/components/copy-line";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CreateFormFooter, OneTimeSecretDialog } from "@/components/one-time-secret-dialog";
import { DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ApiKeyScope } from "@/lib/schemas/api-keys";
import { errorMessage, fieldErrors, firstFieldError, useTRPC } from "@/lib/trpc/react";
import { ScopeFieldset } from "./scope-fieldset";

const EXPIRY = [
  { value: "never", label: "Never", days: null },
  { value: "7", label: "In 7 days", days: 7 },
  { value: "30", label: "In 30 days", days: 30 },
  { value: "90", label: "In 90 days", days: 90 },
  { value: "365", label: "In a year", days: 365 },
] as const;

const STATUS_VARIANT = { active: "default", expired: "outline", revoked: "destructive" } as const;

function CreateKeyDialog({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["slots:read"]);
  const [expiry, setExpiry] = useState<(typeof EXPIRY)[number]["value"]>("90");
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.pathKey() }) }));
  const errors = fieldErrors(create.error);
  const scopeError = firstFieldError(errors, "scopes");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("keyName") ?? "");
    const days = EXPIRY.find((e) => e.value === expiry)?.days ?? null;
    create.mutate({ name, scopes, expiresAt: days ? new Date(Date.now() + days * 86_400_000).toISOString() : null });
  }

  function reset() {
    create.reset();
    setScopes(["slots:read"]);
  }

  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <OneTimeSecretDialog
      trigger={<Button>New API key</Button>}
      className="sm:max-w-lg"
      onClose={reset}
      shown={
        create.data
          ? {
              title: "Key created",
              description: "Copy it now: it is shown only this once. Berth keeps only a hash and cannot show it again.",
              body: (
                <>
                  <CopyLine label="Copy API key" value={create.data.key} testId="api-key-value" />
                  <p className="text-sm text-muted-foreground">Try it:</p>
                  <CopyLine label="Copy curl command" value={`curl -H "Authorization: Bearer ${create.data.key}" ${origin}/api/v1/me`} />
                </>
              ),
            }
          : null
      }
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        <DialogHeader>
          <DialogTitle>New API key</DialogTitle>
          <DialogDescription>A key acts as you, limited to the scopes you choose. Keys cannot manage keys or your account.</DialogDescription>
        </DialogHeader>
        <Field id="keyName" label="Name" hint="What uses it, e.g. CI deploy" error={errors.name?.[0]} autoFocus />
        <ScopeFieldset idPrefix="scope" value={scopes} onChange={setScopes} isAdmin={isAdmin} error={scopeError} />
        <div className="grid gap-1.5">
          <Label htmlFor="keyExpiry">Expires</Label>
          <Select value={expiry} onValueChange={(v) => setExpiry(v as typeof expiry)}>
            <SelectTrigger id="keyExpiry" aria-label="Expires">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {EXPIRY.map((e) => (
                <SelectItem key={e.value} value={e.value}>
                  {e.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <CreateFormFooter error={create.error} pending={create.isPending} label="Create key" />
      </form>
    </OneTimeSecretDialog>
  );
}

export function ApiKeysPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const [showAll, setShowAll] = useState(false);
  const list = useInfiniteQuery(
    trpc.apiKeys.list.infiniteQueryOptions({ limit: 20, includeRevoked: showAll ? "true" : "false" }, { getNextPageParam: (last) => last.nextCursor }),
  );
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.pathKey() });
        toast.success("Key revoked");
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="grid gap-4">
      <div className="flex items-center justify-between gap-4">
        <CheckboxField id="show-revoked" label="Show revoked and expired keys" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
        <CreateKeyDialog isAdmin={me.data?.role === "admin"} />
      </div>
      <PagedList
        query={list}
        count={rows.length}
        empty={<EmptyState icon={KeyRound} title="No API keys yet" description="Make one to drive Berth from scripts, CI jobs or the typed client." />}
      >
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Scopes</TableHead>
              <TableHead>Last used</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((k) => (
              <TableRow key={k.id} data-testid={`api-key-row-${k.name}`}>
                <TableCell className="max-w-56 whitespace-normal">
                  <div className="flex items-center gap-2 font-medium">
                    {k.name}
                    {k.status !== "active" ? <Badge variant={STATUS_VARIANT[k.status]}>{k.status}</Badge> : null}
                  </div>
                  <div className="font-mono text-xs text-muted-foreground">{k.prefix}…</div>
                </TableCell>
                <TableCell className="max-w-72 whitespace-normal">
                  <div className="flex flex-wrap gap-1">
                    {k.scopes.map((s) => (
                      <Badge key={s} variant="secondary" className="font-mono">
                        {s}
                      </Badge>
                    ))}
                  </div>
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">
                  {k.lastUsedAt ? (
                    <>
                      {new Date(k.lastUsedAt).toLocaleString()}
                      <div className="font-mono text-xs">{k.lastUsedIp}</div>
                    </>
                  ) : (
                    "Never"
                  )}
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">{k.expiresAt ? new Date(k.expiresAt).toLocaleDateString() : "Never"}</TableCell>
                <TableCell className="text-right">
                  {k.status === "active" ? (
                    <ConfirmButton
                      title={`Revoke ${k.name}?`}
                      description="Anything using this key stops working at once. This cannot be undone."
                      confirmLabel="Revoke"
                      onConfirm={() => revoke.mutate({ id: k.id })}
                    >
                      Revoke
                    </ConfirmButton>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
