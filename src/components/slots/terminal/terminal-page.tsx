"use client";
// /slots/{id}/terminal: the slot's shell in the page, or what to do when it is not running.
import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, TerminalSquare } from "lucide-react";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { SlotActions } from "../slot-actions";
import { SlotStatusBadge, TRANSITIONAL } from "../slot-status-badge";
import { SlotTerminal } from "./slot-terminal";

export function TerminalPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const slot = useQuery(trpc.slots.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data && TRANSITIONAL.includes(q.state.data.status) ? 1_000 : 10_000) }));
  if (slot.isPending) return <Skeleton className="h-96 w-full" />;
  if (slot.isError) return <ErrorState title="This slot cannot be shown" message={errorMessage(slot.error)} />;
  const s = slot.data;
  return (
    <>
      <Button asChild variant="ghost" size="sm" className="mb-2 -ml-2">
        <Link href={`/slots/${s.id}`}>
          <ArrowLeft /> {s.name}
        </Link>
      </Button>
      <PageHeader title={`Terminal · ${s.name}`} description="A shell in the slot that keeps running when you close the page; reconnecting brings back the same screen." actions={<SlotStatusBadge status={s.status} />} />
      {s.status === "running" ? (
        <SlotTerminal slotId={s.id} />
      ) : (
        <EmptyState
          icon={TerminalSquare}
          title={TRANSITIONAL.includes(s.status) ? `The slot is ${s.status}…` : "The slot is not running"}
          description="Start it to open its terminal."
          action={<SlotActions slot={s} />}
        />
      )}
    </>
  );
}
