"use client";
// Live charts of a slot: the last hour of stored samples, extended by fresh samples streamed over
// a tRPC subscription (server-sent events) while the slot runs. Charts: recharts (a well-kept
// React chart library with SVG output; no canvas, so screenshots and tests can read it).
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { Activity } from "lucide-react";
import { useMemo, useState } from "react";
import { Area, AreaChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState } from "@/components/empty-state";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { MetricSample } from "@/lib/schemas/metrics";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { chartPoints, formatBytes, mergeSamples } from "./metrics-math";

const WINDOW_MINUTES = 60;

export function SlotMetrics({ id, running }: { id: string; running: boolean }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.slots.metrics.queryOptions({ id, minutes: WINDOW_MINUTES }, { refetchInterval: 60_000 }));
  const [live, setLive] = useState<MetricSample[]>([]);
  const sub = useSubscription(
    trpc.slots.metricsLive.subscriptionOptions(
      { id },
      {
        enabled: running,
        onData: (sample) => setLive((prev) => [...prev.slice(-600), sample]),
      },
    ),
  );
  const samples = useMemo(() => mergeSamples(history.data?.samples ?? [], live, WINDOW_MINUTES), [history.data, live]);
  const points = useMemo(() => chartPoints(samples), [samples]);
  const latest = samples.at(-1) ?? null;

  return (
    <Card className="md:col-span-2" data-testid="slot-metrics">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Metrics
          {running && sub.status === "pending" ? (
            <span className="inline-flex items-center gap-1 text-xs font-normal text-success" data-testid="metrics-live">
              <span className="size-2 animate-pulse rounded-full bg-success" /> live
            </span>
          ) : null}
        </CardTitle>
        <CardDescription>
          The last hour; samples every {history.data?.intervalSeconds ?? 30} s are kept {history.data?.retentionHours ?? 24} h
          {running ? ", live every 2 s while you watch" : ""}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {history.isError ? (
          <p className="text-sm text-destructive">{errorMessage(history.error)}</p>
        ) : history.isPending ? (
          <p className="text-sm text-muted-foreground">Loading metrics…</p>
        ) : !latest ? (
          <EmptyState icon={Activity} title={running ? "Collecting the first samples…" : "No metrics yet"} description={running ? "Charts appear within a few seconds." : "Start the slot to see its CPU, memory, network and processes."} />
        ) : (
          <div className="grid gap-6 lg:grid-cols-2">
            <Chart
              title="CPU"
              value={`${Math.round(latest.cpuMillicores)} of ${latest.cpuLimitMillicores} millicores`}
              points={points}
              series={[{ key: "cpu", label: "millicores", color: "var(--primary)" }]}
              limit={latest.cpuLimitMillicores}
              unit="m"
            />
            <Chart
              title="Memory"
              value={`${formatBytes(latest.memoryBytes)} of ${formatBytes(latest.memoryLimitBytes)}`}
              points={points}
              series={[{ key: "memoryMiB", label: "MiB", color: "var(--success)" }]}
              limit={latest.memoryLimitBytes / 1_048_576}
              unit=" MiB"
            />
            <Chart
              title="Network"
              value={`↓ ${formatBytes(latest.networkRxBytes)} · ↑ ${formatBytes(latest.networkTxBytes)} in all`}
              points={points}
              series={[
                { key: "rxKiBs", label: "received KiB/s", color: "var(--primary)" },
                { key: "txKiBs", label: "sent KiB/s", color: "var(--warning)" },
              ]}
              unit=" KiB/s"
            />
            <Chart title="Processes" value={`${latest.pids} running`} points={points} series={[{ key: "pids", label: "processes", color: "var(--warning)" }]} unit="" />
            <DiskBar used={latest.diskBytes} limit={latest.diskLimitBytes} />
          </div>
        )}
      </CardContent>
    </Card>
  );
}

type Series = { key: string; label: string; color: string };

function Chart({ title, value, points, series, limit, unit }: { title: string; value: string; points: Record<string, number>[]; series: Series[]; limit?: number; unit: string }) {
  // The limit line (and an axis up to it) only once use comes near it; far below, the axis follows the data.
  const peak = Math.max(0, ...points.flatMap((p) => series.map((s) => p[s.key] ?? 0)));
  const showLimit = limit !== undefined && peak >= limit * 0.5;
  // Under five minutes of data, ticks carry seconds (otherwise they would all read the same minute).
  const shortSpan = points.length < 2 || points.at(-1)!.t! - points[0]!.t! < 5 * 60_000;
  return (
    <div data-testid={`chart-${title.toLowerCase()}`}>
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h3 className="text-sm font-medium">{title}</h3>
        <span className="text-xs text-muted-foreground tabular-nums" data-testid={`metric-${title.toLowerCase()}`}>
          {value}
        </span>
      </div>
      <div className="h-32">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={(t: number) => new Date(t).toLocaleTimeString([], shortSpan ? { minute: "2-digit", second: "2-digit" } : { hour: "2-digit", minute: "2-digit" })} fontSize={10} stroke="var(--muted-foreground)" minTickGap={40} />
            <YAxis fontSize={10} width={44} stroke="var(--muted-foreground)" domain={[0, showLimit ? Math.ceil(limit * 1.05) : "auto"]} allowDecimals={false} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
              formatter={(v, name) => [`${Math.round(Number(v) * 10) / 10}${unit}`, series.find((s) => s.key === name)?.label ?? String(name)]}
              contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8, fontSize: 12 }}
            />
            {showLimit ? <ReferenceLine y={limit} stroke="var(--destructive)" strokeDasharray="4 4" /> : null}
            {series.map((s) => (
              <Area key={s.key} dataKey={s.key} type="monotone" stroke={s.color} fill={s.color} fillOpacity={0.15} strokeWidth={1.5} isAnimationActive={false} dot={false} />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

function DiskBar({ used, limit }: { used: number | null; limit: number }) {
  const pct = used === null ? 0 : Math.min(100, (used / limit) * 100);
  return (
    <div className="lg:col-span-2" data-testid="chart-disk">
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h3 className="text-sm font-medium">Disk (home)</h3>
        <span className="text-xs text-muted-foreground tabular-nums" data-testid="metric-disk">
          {used === null ? `not measured · limit ${formatBytes(limit)}` : `${formatBytes(used)} of ${formatBytes(limit)}`}
        </span>
      </div>
      <div className="h-2 overflow-hidden rounded-full bg-muted" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} aria-label="Disk used">
        <div className={pct > 90 ? "h-full bg-destructive" : "h-full bg-primary"} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
