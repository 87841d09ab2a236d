"use client";
// Settings → Webhooks: endpoints (URL, events, enabled), adding one (the signing secret shown once),
// and each endpoint's page with its delivery log, test, redelivery, enable/disable and delete.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Webhook as WebhookIcon } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { CheckboxField } from "@/components/admin/checkbox-field";
import { CopyLine } from "@/components/copy-line";
import { Field } from "@/components/auth/field";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CreateFormFooter, OneTimeSecretDialog } from "@/components/one-time-secret-dialog";
import { DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { EVENT_SCHEMAS, EVENT_TYPES, type EventType } from "@/lib/schemas/events";
import { errorMessage, fieldErrors, firstFieldError, useTRPC } from "@/lib/trpc/react";

function CreateWebhookDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<EventType[]>([]);
  const create = useMutation(trpc.webhooks.create.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.pathKey() }) }));
  const errors = fieldErrors(create.error);
  const eventsError = firstFieldError(errors, "events");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ url: String(form.get("webhookUrl") ?? ""), description: String(form.get("webhookDescription") ?? ""), events: all ? ["*"] : chosen });
  }
  function reset() {
    create.reset();
    setAll(true);
    setChosen([]);
  }

  return (
    <OneTimeSecretDialog
      trigger={<Button>Add endpoint</Button>}
      className="sm:max-w-lg"
      onClose={reset}
      shown={
        create.data
          ? {
              title: "Endpoint added",
              description: (
                <>
                  Copy the signing secret now: it is shown only this once. Verify each delivery&apos;s <code>webhook-signature</code> with it (Standard Webhooks libraries do this in one call).
                </>
              ),
              body: <CopyLine label="Copy signing secret" value={create.data.secret} testId="webhook-secret" />,
            }
          : null
      }
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        <DialogHeader>
          <DialogTitle>Add a webhook endpoint</DialogTitle>
          <DialogDescription>Berth POSTs each event as JSON, signed, and retries with backoff until the endpoint answers 2xx.</DialogDescription>
        </DialogHeader>
        <Field id="webhookUrl" label="URL" type="url" placeholder="https://example.com/hooks/berth" error={errors.url?.[0]} autoFocus />
        <Field id="webhookDescription" label="Description (optional)" error={errors.description?.[0]} />
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">Events</legend>
          <CheckboxField id="events-all" label="All events" hint="Including types added later" checked={all} onChange={(e) => setAll(e.target.checked)} />
          {all
            ? null
            : EVENT_TYPES.map((type) => (
                <CheckboxField
                  key={type}
                  id={`event-${type}`}
                  label={type}
                  hint={EVENT_SCHEMAS[type].description}
                  checked={chosen.includes(type)}
                  onChange={(e) => setChosen((cur) => (e.target.checked ? [...cur, type] : cur.filter((t) => t !== type)))}
                />
              ))}
          {eventsError ? <p className="text-sm text-destructive">{eventsError}</p> : null}
        </fieldset>
        <CreateFormFooter error={create.error} pending={create.isPending} label="Add endpoint" pendingLabel="Adding" />
      </form>
    </OneTimeSecretDialog>
  );
}

export function WebhooksPanel() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(trpc.webhooks.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (last) => last.nextCursor }));
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <CreateWebhookDialog />
      </div>
      <PagedList query={list} count={rows.length} empty={<EmptyState icon={WebhookIcon} title="No webhooks yet" description="Add an endpoint to be told when slots start and stop, commands finish, files arrive and more." />}>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Endpoint</TableHead>
              <TableHead>Events</TableHead>
              <TableHead>Status</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((w) => (
              <TableRow key={w.id} data-testid={`webhook-row-${w.url}`}>
                <TableCell className="max-w-md whitespace-normal">
                  <Link href={`/settings/webhooks/${w.id}`} className="font-medium break-all underline-offset-4 hover:underline">
                    {w.url}
                  </Link>
                  {w.description ? <div className="text-xs text-muted-foreground">{w.description}</div> : null}
                </TableCell>
                <TableCell className="max-w-64 text-sm whitespace-normal text-muted-foreground">{w.events.includes("*") ? "All events" : w.events.join(", ")}</TableCell>
                <TableCell>{w.enabled ? <Badge>enabled</Badge> : <Badge variant="destructive">disabled</Badge>}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}

const DELIVERY_VARIANT = { pending: "outline", succeeded: "secondary", failed: "destructive" } as const;

export function WebhookDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const hook = useQuery(trpc.webhooks.get.queryOptions({ id }));
  const deliveries = useInfiniteQuery(
    trpc.webhooks.deliveries.infiniteQueryOptions({ id, limit: 20 }, { getNextPageParam: (last) => last.nextCursor, refetchInterval: 3000 }),
  );
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  };
  const onError = (err: unknown) => toast.error(errorMessage(err));
  const test = useMutation(trpc.webhooks.test.mutationOptions({ onSuccess: () => (toast.success("Test event queued"), refresh()), onError }));
  const redeliver = useMutation(trpc.webhooks.redeliver.mutationOptions({ onSuccess: () => (toast.success("Queued again"), refresh()), onError }));
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: (w) => (toast.success(w.enabled ? "Endpoint enabled" : "Endpoint disabled"), refresh()), onError }));
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: () => {
        toast.success("Endpoint removed");
        refresh();
        router.push("/settings/webhooks");
      },
      onError,
    }),
  );

  if (hook.isPending) return <Spinner label="Loading" />;
  if (hook.error) return <p className="text-sm text-destructive">{errorMessage(hook.error)}</p>;
  const w = hook.data;
  const rows = deliveries.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="grid gap-6">
      {w.disabledReason ? (
        <Alert variant="destructive" data-testid="webhook-disabled">
          <AlertTitle>Berth disabled this endpoint</AlertTitle>
          <AlertDescription>{w.disabledReason} Fix the endpoint, then enable it again.</AlertDescription>
        </Alert>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        {w.enabled ? <Badge>enabled</Badge> : <Badge variant="destructive">disabled</Badge>}
        <span className="text-sm text-muted-foreground">{w.events.includes("*") ? "All events" : w.events.join(", ")}</span>
        <div className="ml-auto flex gap-2">
          <Button variant="outline" size="sm" disabled={!w.enabled || test.isPending} onClick={() => test.mutate({ id })}>
            Send test event
          </Button>
          <Button variant="outline" size="sm" disabled={update.isPending} onClick={() => update.mutate({ id, enabled: !w.enabled })}>
            {w.enabled ? "Disable" : "Enable"}
          </Button>
          <ConfirmButton title="Remove this endpoint?" description="Berth stops sending to it and forgets its delivery log." confirmLabel="Remove" onConfirm={() => remove.mutate({ id })}>
            Remove
          </ConfirmButton>
        </div>
      </div>
      <section className="grid gap-3" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading" className="text-lg font-semibold">
          Deliveries
        </h2>
        <PagedList query={deliveries} count={rows.length} empty={<EmptyState icon={WebhookIcon} title="No deliveries yet" description="Events this endpoint receives show here with each attempt's answer." />}>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Event</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Answer</TableHead>
                <TableHead>When</TableHead>
                <TableHead className="text-right">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((d) => (
                <TableRow key={d.id} data-testid={`delivery-${d.eventType}`}>
                  <TableCell>
                    <div className="font-mono text-sm">{d.eventType}</div>
                    <div className="font-mono text-xs text-muted-foreground">{d.eventId}</div>
                  </TableCell>
                  <TableCell>
                    <Badge variant={DELIVERY_VARIANT[d.status]}>{d.status}</Badge>
                    <div className="text-xs text-muted-foreground">
                      {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                      {d.nextAttemptAt ? ` · next ${new Date(d.nextAttemptAt).toLocaleTimeString()}` : ""}
                    </div>
                  </TableCell>
                  <TableCell className="max-w-64 text-sm whitespace-normal">
                    {d.responseStatus ?? "—"}
                    {d.responseMs !== null ? <span className="text-muted-foreground"> · {d.responseMs} ms</span> : null}
                    {d.error ? <div className="text-xs text-destructive">{d.error}</div> : null}
                  </TableCell>
                  <TableCell className="text-sm text-muted-foreground">{new Date(d.lastAttemptAt ?? d.createdAt).toLocaleString()}</TableCell>
                  <TableCell className="text-right">
                    {d.status !== "pending" ? (
                      <Button variant="ghost" size="sm" disabled={!w.enabled || redeliver.isPending} onClick={() => redeliver.mutate({ id, deliveryId: d.id })}>
                        Redeliver
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </PagedList>
      </section>
    </div>
  );
}
