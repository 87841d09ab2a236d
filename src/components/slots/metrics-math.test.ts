import { describe, expect, it } from "vitest";
import type { MetricSample } from "@/lib/schemas/metrics";
import { chartPoints, formatBytes, mergeSamples } from "./metrics-math";

const base = Date.parse("2026-01-01T10:00:00Z");
function sample(seconds: number, over: Partial<MetricSample> = {}): MetricSample {
  return { at: new Date(base + seconds * 1000).toISOString(), cpuMillicores: 100, cpuLimitMillicores: 500, memoryBytes: 1_048_576, memoryLimitBytes: 64 * 1_048_576, diskBytes: null, diskLimitBytes: 1, networkRxBytes: 0, networkTxBytes: 0, pids: 3, ...over };
}

describe("metrics charts", () => {
  it("merges stored and live samples in time order, once each, within the window", () => {
    const merged = mergeSamples([sample(-7200), sample(0), sample(30)], [sample(30), sample(32)], 60, base + 40_000);
    expect(merged.map((s) => s.at)).toEqual([sample(0).at, sample(30).at, sample(32).at]);
  });

  it("turns network counters into KiB/s, and a restart's reset into zero, not a negative rate", () => {
    const points = chartPoints([sample(0, { networkRxBytes: 0 }), sample(10, { networkRxBytes: 10_240, networkTxBytes: 2_048 }), sample(20, { networkRxBytes: 100 })]);
    expect(points.map((p) => p.rxKiBs)).toEqual([0, 1, 0]);
    expect(points[1]!.txKiBs).toBeCloseTo(0.2);
    expect(points[0]!.memoryMiB).toBe(1);
  });

  it("formats sizes a person reads", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1_572_864)).toBe("1.5 MiB");
    expect(formatBytes(64 * 1_048_576)).toBe("64 MiB");
  });
});
