"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { FolderOpen, History, KeyRound, TerminalSquare } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { PagedList } from "@/components/paged-list";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { SlotActions } from "./slot-actions";
import { AutoStopNotice } from "./auto-stop-notice";
import { EditSlotDialog } from "./edit-slot-dialog";
import { SlotLogs } from "./slot-logs";
import { SlotMetrics } from "./slot-metrics";
import { SlotStatusBadge, slotRefetchInterval } from "./slot-status-badge";

export function SlotDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const slot = useQuery(trpc.slots.get.queryOptions({ id }, { refetchInterval: slotRefetchInterval }));
  const events = useInfiniteQuery(trpc.slots.events.infiniteQueryOptions({ id, limit: 20 }, { getNextPageParam: (last) => last.nextCursor, refetchInterval: 5_000 }));
  if (slot.isPending) return <Skeleton className="h-64 w-full" />;
  if (slot.isError) return <ErrorState title="This slot cannot be shown" message={errorMessage(slot.error)} />;
  const s = slot.data;
  const rows = events.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <PageHeader title={s.name} description={s.id} actions={
          <div className="flex flex-wrap justify-end gap-2">
            {s.status === "running" ? (
              <Button asChild size="sm">
                <Link href={`/slots/${s.id}/terminal`}>
                  <TerminalSquare /> Terminal
                </Link>
              </Button>
            ) : null}
            {!["creating", "deleting", "deleted"].includes(s.status) ? (
              <Button asChild size="sm" variant="outline">
                <Link href={`/slots/${s.id}/files`}>
                  <FolderOpen /> Files
                </Link>
              </Button>
            ) : null}
            <Button asChild size="sm" variant="outline">
              <Link href={`/slots/${s.id}/env`}>
                <KeyRound /> Environment
              </Link>
            </Button>
            {["stopped", "running", "error"].includes(s.status) ? <EditSlotDialog slot={s} /> : null}
            <SlotActions slot={s} onDeleted={() => router.push("/slots")} />
          </div>
        } />
      {s.status === "error" && s.lastError ? (
        <Alert variant="destructive" className="mb-4">
          <AlertDescription>{s.lastError}</AlertDescription>
        </Alert>
      ) : null}
      <div className="grid gap-6 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Status</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[9rem_1fr] gap-y-2 text-sm">
              <dt className="text-muted-foreground">Status</dt>
              <dd>
                <SlotStatusBadge status={s.status} />
              </dd>
              <dt className="text-muted-foreground">CPU</dt>
              <dd>{s.resources.cpuMillicores} millicores</dd>
              <dt className="text-muted-foreground">Memory</dt>
              <dd>{s.resources.memoryMiB} MiB</dd>
              <dt className="text-muted-foreground">Disk</dt>
              <dd>{s.resources.diskMiB} MiB</dd>
              <dt className="text-muted-foreground">Processes</dt>
              <dd>at most {s.resources.pids}</dd>
              <dt className="text-muted-foreground">Started</dt>
              <dd>{s.startedAt ? new Date(s.startedAt).toLocaleString() : "—"}</dd>
              <dt className="text-muted-foreground">Last activity</dt>
              <dd>{new Date(s.lastActivityAt).toLocaleString()}</dd>
            </dl>
            {s.resourcesPending ? <p className="mt-3 text-sm text-muted-foreground">New limits apply at the next start.</p> : null}
            {s.status === "running" && s.autoStop ? <AutoStopNotice slotId={s.id} autoStop={s.autoStop} /> : null}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Events</CardTitle>
          </CardHeader>
          <CardContent>
            <PagedList query={events} count={rows.length} empty={<EmptyState icon={History} title="No events yet" />}>
              <ol className="grid gap-2 text-sm" data-testid="slot-events">
                {rows.map((e) => (
                  <li key={e.id} className="flex items-baseline justify-between gap-3 border-b pb-2 last:border-0">
                    <span className="font-mono text-xs">{e.type}</span>
                    <span className="text-xs text-muted-foreground">{new Date(e.createdAt).toLocaleTimeString()}</span>
                  </li>
                ))}
              </ol>
            </PagedList>
          </CardContent>
        </Card>
        <SlotMetrics id={s.id} running={s.status === "running"} />
        <SlotLogs id={s.id} running={s.status === "running"} />
      </div>
    </>
  );
}
