"use client";
// The caller's recent events (slots starting and stopping, commands, uploads, refusals), kept up
// to date by the events.live subscription (server-sent events), which resumes after the newest
// listed event so nothing falls between the list and the stream.
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { History } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { cn } from "@/lib/cn";
import type { BerthEvent } from "@/lib/schemas/events";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { describeEvent, mergeActivity, type ActivityLine } from "./activity-text";

const SHOWN = 15;

const TONE: Record<ActivityLine["tone"], string> = {
  default: "bg-muted-foreground/50",
  success: "bg-success",
  warning: "bg-warning",
  error: "bg-destructive",
};

export function ActivityCard() {
  const trpc = useTRPC();
  const listed = useQuery(trpc.events.list.queryOptions({ limit: SHOWN }, { staleTime: Infinity, refetchOnWindowFocus: false }));
  const [live, setLive] = useState<BerthEvent[]>([]);
  const newest = listed.data?.data.at(-1)?.id;
  const sub = useSubscription(
    trpc.events.live.subscriptionOptions(newest ? { lastEventId: newest } : {}, {
      enabled: listed.isSuccess,
      onData: ({ data }) => setLive((prev) => (prev.some((e) => e.id === data.id) ? prev : [...prev.slice(-SHOWN), data])),
    }),
  );
  const items = useMemo(() => mergeActivity(listed.data?.data ?? [], live, SHOWN), [listed.data, live]);

  return (
    <Card className="md:col-span-2" data-testid="activity">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Activity
          {sub.status === "pending" ? (
            <span className="inline-flex items-center gap-1 text-xs font-normal text-success" data-testid="activity-live">
              <span className="size-2 animate-pulse rounded-full bg-success" /> live
            </span>
          ) : null}
        </CardTitle>
        <CardDescription>What happened to your slots lately; new events appear here as they happen.</CardDescription>
      </CardHeader>
      <CardContent>
        {listed.isError ? (
          <p className="text-sm text-destructive">{errorMessage(listed.error)}</p>
        ) : listed.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : items.length === 0 ? (
          <EmptyState
            icon={History}
            title="No activity yet"
            description="Slots being created, started and stopped, commands finishing and uploads show up here as they happen."
          />
        ) : (
          <ul className="divide-y text-sm" data-testid="activity-list">
            {items.map((e) => {
              const line = describeEvent(e);
              return (
                <li key={e.id} className="flex items-center gap-3 py-2" data-testid="activity-item" data-type={e.type}>
                  <span aria-hidden="true" className={cn("size-2 shrink-0 rounded-full", TONE[line.tone])} />
                  <span className="min-w-0 flex-1 truncate" title={line.text}>
                    {line.slot ? (
                      <Link href={`/slots/${line.slot.id}`} className="hover:underline">
                        {line.text}
                      </Link>
                    ) : (
                      line.text
                    )}
                  </span>
                  <time dateTime={e.timestamp} className="shrink-0 text-xs text-muted-foreground" title={new Date(e.timestamp).toLocaleString()}>
                    {new Date(e.timestamp).toLocaleTimeString()}
                  </time>
                </li>
              );
            })}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
