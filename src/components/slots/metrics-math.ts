// Pure helpers of the metrics charts: merging stored and live samples, counters into rates.
import type { MetricSample } from "@/lib/schemas/metrics";

/** Stored and live samples as one timeline: sorted, without duplicates, within the last `minutes`. */
export function mergeSamples(stored: MetricSample[], live: MetricSample[], minutes: number, now = Date.now()): MetricSample[] {
  const since = now - minutes * 60_000;
  const byTime = new Map<number, MetricSample>();
  for (const s of [...stored, ...live]) {
    const t = new Date(s.at).getTime();
    if (t >= since) byTime.set(t, s);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/**
 * One chart point per sample. Network counters become rates between consecutive samples; a counter
 * that went down (the container restarted) starts over instead of showing a negative rate.
 */
export function chartPoints(samples: MetricSample[]): Record<string, number>[] {
  return samples.map((s, i) => {
    const t = new Date(s.at).getTime();
    const prev = samples[i - 1];
    let rx = 0;
    let tx = 0;
    if (prev) {
      const seconds = (t - new Date(prev.at).getTime()) / 1000;
      if (seconds > 0) {
        rx = Math.max(0, s.networkRxBytes - prev.networkRxBytes) / 1024 / seconds;
        tx = Math.max(0, s.networkTxBytes - prev.networkTxBytes) / 1024 / seconds;
      }
    }
    return { t, cpu: s.cpuMillicores, memoryMiB: s.memoryBytes / 1_048_576, rxKiBs: rx, txKiBs: tx, pids: s.pids };
  });
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
