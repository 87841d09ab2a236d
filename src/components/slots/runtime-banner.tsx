"use client";
import { useQuery } from "@tanstack/react-query";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

/** Says plainly when the container engine is down: slots cannot change, everything else works. */
export function RuntimeBanner() {
  const health = useQuery({
    queryKey: ["health"],
    queryFn: async () => (await (await fetch("/api/health")).json()) as { checks: { runtime: { status: string; message?: string } } },
    refetchInterval: 15_000,
  });
  if (health.data?.checks.runtime.status !== "error") return null;
  return (
    <Alert variant="destructive" className="mb-4">
      <AlertTitle>The container engine is not reachable</AlertTitle>
      <AlertDescription>Slots cannot be created, started or stopped until it is back. Your account, settings and the API keep working.</AlertDescription>
    </Alert>
  );
}
