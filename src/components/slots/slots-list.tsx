"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useTRPC } from "@/lib/trpc/react";
import { CreateSlotDialog } from "./create-slot-dialog";
import { SlotActions } from "./slot-actions";
import { SlotStatusBadge, TRANSITIONAL } from "./slot-status-badge";

export function SlotsList() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.slots.list.infiniteQueryOptions(
      { limit: 20 },
      {
        getNextPageParam: (last) => last.nextCursor,
        // Poll quickly while something is changing, slowly otherwise.
        refetchInterval: (q) => (q.state.data?.pages.some((p) => p.data.some((s) => TRANSITIONAL.includes(s.status))) ? 1_000 : 10_000),
      },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <CreateSlotDialog />
      </div>
      <PagedList query={list} count={rows.length} empty={<EmptyState icon={Boxes} title="No slots yet" description="Create a slot to get an isolated workspace with its own terminal, files and limits." />}>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Slot</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Resources</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((s) => (
              <TableRow key={s.id} data-testid={`slot-row-${s.name}`}>
                <TableCell>
                  <Link href={`/slots/${s.id}`} className="font-medium hover:underline">
                    {s.name}
                  </Link>
                  <div className="font-mono text-xs text-muted-foreground">{s.id}</div>
                </TableCell>
                <TableCell>
                  <SlotStatusBadge status={s.status} />
                  {s.status === "error" && s.lastError ? <p className="mt-1 max-w-64 truncate text-xs text-destructive" title={s.lastError}>{s.lastError}</p> : null}
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">
                  {s.resources.cpuMillicores / 1000} CPU · {s.resources.memoryMiB} MiB · {s.resources.diskMiB} MiB disk
                </TableCell>
                <TableCell>
                  <SlotActions slot={s} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
