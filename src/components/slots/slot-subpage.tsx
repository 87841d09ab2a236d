"use client";
// The frame of a slot's own pages (terminal, files, environment): the slot loaded (kept fresh while
// it changes state), a link back to it, and the page's title with the slot's name.
import { useQuery } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { ErrorState } from "@/components/error-state";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import type { Slot } from "@/lib/schemas/slots";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { slotRefetchInterval } from "./slot-status-badge";

export function SlotSubpage({
  id,
  title,
  description,
  actions,
  children,
}: {
  id: string;
  /** Shown as "<title> · <slot name>". */
  title: string;
  description: string;
  actions?: (slot: Slot) => ReactNode;
  children: (slot: Slot) => ReactNode;
}) {
  const trpc = useTRPC();
  const slot = useQuery(trpc.slots.get.queryOptions({ id }, { refetchInterval: slotRefetchInterval }));
  if (slot.isPending) return <Skeleton className="h-96 w-full" />;
  if (slot.isError) return <ErrorState title="This slot cannot be shown" message={errorMessage(slot.error)} />;
  const s = slot.data;
  return (
    <>
      <Button asChild variant="ghost" size="sm" className="mb-2 -ml-2">
        <Link href={`/slots/${s.id}`} aria-label={`Back to the slot ${s.name}`}>
          <ArrowLeft /> {s.name}
        </Link>
      </Button>
      <PageHeader title={`${title} · ${s.name}`} description={description} actions={actions?.(s)} />
      {children(s)}
    </>
  );
}
