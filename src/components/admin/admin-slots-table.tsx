"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Boxes, Search, X } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { SlotStatusBadge, TRANSITIONAL } from "@/components/slots/slot-status-badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useDebounced } from "@/components/use-debounced";
import type { AdminSlot } from "@/lib/schemas/admin-catalog";
import { errorMessage, useTRPC } from "@/lib/trpc/react";

const STATUSES = ["creating", "stopped", "starting", "running", "stopping", "error", "deleting", "deleted"] as const;
type StatusFilter = "all" | (typeof STATUSES)[number];

function SlotRowActions({ slot }: { slot: AdminSlot }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const opts = (done: string) => ({
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: trpc.admin.slots.pathKey() });
      toast.success(`${slot.name} (${slot.ownerEmail}) ${done}`);
    },
    onError: (err: unknown) => toast.error(errorMessage(err)),
  });
  const stop = useMutation(trpc.admin.slots.stop.mutationOptions(opts("is stopping")));
  const del = useMutation(trpc.admin.slots.delete.mutationOptions(opts("is being deleted")));
  const busy = stop.isPending || del.isPending;
  return (
    <div className="flex flex-wrap justify-end gap-2">
      {slot.status === "running" ? (
        <ConfirmButton
          title={`Stop ${slot.name}?`}
          description={`It belongs to ${slot.ownerEmail}. Whatever runs in it stops now; its home folder stays and the owner can start it again.`}
          confirmLabel="Stop slot"
          destructive={false}
          disabled={busy}
          onConfirm={() => stop.mutate({ id: slot.id })}
        >
          Stop
        </ConfirmButton>
      ) : null}
      {["stopped", "running", "error"].includes(slot.status) ? (
        <ConfirmButton
          title={`Delete ${slot.name}?`}
          description={`It belongs to ${slot.ownerEmail}. The container and everything in its home folder are removed for good. This cannot be undone.`}
          confirmLabel="Delete slot"
          disabled={busy}
          onConfirm={() => del.mutate({ id: slot.id })}
        >
          Delete
        </ConfirmButton>
      ) : null}
    </div>
  );
}

export function AdminSlotsTable({ ownerId }: { ownerId?: string }) {
  const trpc = useTRPC();
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<StatusFilter>("all");
  const search = useDebounced(q.trim());
  const owner = useQuery(trpc.admin.users.get.queryOptions({ id: ownerId ?? "" }, { enabled: Boolean(ownerId) }));
  const input = { limit: 20, ...(search ? { q: search } : {}), ...(status !== "all" ? { status } : {}), ...(ownerId ? { ownerId } : {}) };
  const list = useInfiniteQuery(
    trpc.admin.slots.list.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor,
      // Live status: poll quickly while something is changing, every few seconds otherwise.
      refetchInterval: (query) => (query.state.data?.pages.some((p) => p.data.some((s) => TRANSITIONAL.includes(s.status))) ? 1_000 : 5_000),
    }),
  );
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(search) || status !== "all" || Boolean(ownerId);

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center gap-2">
        <div className="relative min-w-64 flex-1">
          <Search className="absolute top-2.5 left-2.5 size-4 text-muted-foreground" aria-hidden />
          <Input aria-label="Search slots" placeholder="Search by slot name, id or owner email" className="pl-8" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <Select value={status} onValueChange={(v) => setStatus(v as StatusFilter)}>
          <SelectTrigger className="w-44" aria-label="Filter by status">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="all">All but deleted</SelectItem>
            {STATUSES.map((s) => (
              <SelectItem key={s} value={s}>
                {s}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        {ownerId ? (
          <Button asChild variant="outline" size="sm" data-testid="owner-filter">
            <Link href="/admin/slots" aria-label="Show every owner's slots">
              Owner: {owner.data?.email ?? ownerId} <X />
            </Link>
          </Button>
        ) : null}
      </div>
      <PagedList
        query={list}
        count={rows.length}
        empty={<EmptyState icon={Boxes} title="No slots found" description={filtered ? "No slot matches these filters." : "Nobody has created a slot yet."} />}
      >
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Slot</TableHead>
              <TableHead>Owner</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Resources</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((s) => (
              <TableRow key={s.id} data-testid={`admin-slot-row-${s.name}`}>
                <TableCell>
                  <div className="font-medium">{s.name}</div>
                  <div className="font-mono text-xs text-muted-foreground">{s.id}</div>
                  <div className="text-xs text-muted-foreground">{s.templateName}</div>
                </TableCell>
                <TableCell className="text-sm">
                  <Link href={`/admin/users/${s.ownerId}`} className="hover:underline">
                    {s.ownerEmail}
                  </Link>
                </TableCell>
                <TableCell>
                  <SlotStatusBadge status={s.status} />
                  {s.status === "error" && s.lastError ? (
                    <p className="mt-1 max-w-56 truncate text-xs text-destructive" title={s.lastError}>
                      {s.lastError}
                    </p>
                  ) : null}
                </TableCell>
                <TableCell className="text-sm whitespace-nowrap text-muted-foreground">
                  {s.resources.cpuMillicores / 1000} CPU · {s.resources.memoryMiB} MiB
                  <br />
                  {s.resources.diskMiB} MiB disk
                </TableCell>
                <TableCell>
                  <SlotRowActions slot={s} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
