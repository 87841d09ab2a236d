"use client";
import { useQuery } from "@tanstack/react-query";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";

/** The last lines of the slot's output, refreshed while it runs. */
export function SlotLogs({ id, running }: { id: string; running: boolean }) {
  const logs = useQuery({
    queryKey: ["slot-logs", id],
    queryFn: async () => {
      const res = await fetch(`/api/v1/slots/${id}/logs?tail=200`);
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `The logs could not be read (${res.status}).`);
      }
      return res.text();
    },
    refetchInterval: running ? 3_000 : false,
  });
  return (
    <Card className="md:col-span-2">
      <CardHeader>
        <CardTitle>Output</CardTitle>
      </CardHeader>
      <CardContent>
        <pre className="max-h-80 overflow-auto rounded-md bg-muted p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap" data-testid="slot-logs">
          {logs.isPending ? "Loading…" : logs.isError ? logs.error.message : logs.data || "No output yet."}
        </pre>
      </CardContent>
    </Card>
  );
}
