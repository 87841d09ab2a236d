"use client";
// The slot's output: the last 200 lines, then followed live (a streamed response) while it runs.
import { useEffect, useRef, useState } from "react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const MAX_CHARS = 200_000;

async function failure(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `The logs could not be read (${res.status}).`;
}

export function SlotLogs({ id, running }: { id: string; running: boolean }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [following, setFollowing] = useState(false);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      try {
        const res = await fetch(`/api/v1/slots/${id}/logs?tail=200${running ? "&follow=true" : ""}`, { signal: abort.signal });
        if (!res.ok) {
          setError(await failure(res));
          return;
        }
        setError(null);
        if (!running || !res.body) {
          setText(await res.text());
          return;
        }
        setText("");
        setFollowing(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          setText((prev) => ((prev ?? "") + value).slice(-MAX_CHARS));
        }
      } catch (err) {
        if (!abort.signal.aborted) setError(err instanceof Error ? `The log stream stopped: ${err.message}` : "The log stream stopped.");
      } finally {
        if (!abort.signal.aborted) setFollowing(false);
      }
    })();
    return () => abort.abort();
  }, [id, running]);

  // Stay at the bottom while new output arrives, unless the reader scrolled up.
  useEffect(() => {
    const el = pre.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <Card className="md:col-span-2">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Output
          {following ? (
            <span className="inline-flex items-center gap-1 text-xs font-normal text-success" data-testid="logs-following">
              <span className="size-2 animate-pulse rounded-full bg-success" /> following
            </span>
          ) : null}
        </CardTitle>
        <CardDescription>What the slot&apos;s main process writes (stdout and stderr).</CardDescription>
      </CardHeader>
      <CardContent>
        <pre ref={pre} className="max-h-80 overflow-auto rounded-md bg-muted p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap" data-testid="slot-logs">
          {error ? error : text === null ? "Loading…" : text || "No output yet."}
        </pre>
      </CardContent>
    </Card>
  );
}
