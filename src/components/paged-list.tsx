"use client";
import type { ReactNode } from "react";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { errorMessage } from "@/lib/trpc/react";

type PagedQuery = {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
};

/** The states every paged list has: loading, error with retry, empty, the rows, and "Load more". */
export function PagedList({ query, count, empty, children }: { query: PagedQuery; count: number; empty: ReactNode; children: ReactNode }) {
  if (query.isPending) return <Skeleton className="h-64 w-full" />;
  if (query.isError) return <ErrorState message={errorMessage(query.error)} onRetry={() => void query.refetch()} />;
  if (count === 0) return empty;
  return (
    <>
      {children}
      {query.hasNextPage ? (
        <Button variant="outline" className="mx-auto" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? <Spinner label="Loading more" /> : null}
          Load more
        </Button>
      ) : null}
    </>
  );
}
