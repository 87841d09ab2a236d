import { describe, expect, it } from "vitest";
import { autoStopDeadline, decideAutoStop, warningWindowMs } from "./auto-stop";

const t0 = new Date("2026-01-01T10:00:00Z");
const min = (n: number) => new Date(t0.getTime() + n * 60_000);

describe("auto-stop deadlines", () => {
  it("is the idle deadline when there is no max uptime", () => {
    expect(autoStopDeadline({ lastActivityAt: t0, startedAt: t0 }, { idleTimeoutMinutes: 30, maxUptimeMinutes: null })).toEqual({ at: min(30), reason: "idle" });
  });

  it("is whichever comes first of idle and max uptime", () => {
    const limits = { idleTimeoutMinutes: 30, maxUptimeMinutes: 60 };
    expect(autoStopDeadline({ lastActivityAt: min(50), startedAt: t0 }, limits)).toEqual({ at: min(60), reason: "max-uptime" });
    expect(autoStopDeadline({ lastActivityAt: min(10), startedAt: t0 }, limits)).toEqual({ at: min(40), reason: "idle" });
  });

  it("never stops a slot whose plan has no timeouts", () => {
    expect(autoStopDeadline({ lastActivityAt: t0, startedAt: t0 }, { idleTimeoutMinutes: 0, maxUptimeMinutes: null })).toBeNull();
  });

  it("warns at most half the timeout ahead", () => {
    expect(warningWindowMs("idle", { idleTimeoutMinutes: 4, maxUptimeMinutes: null }, 5)).toBe(2 * 60_000);
    expect(warningWindowMs("idle", { idleTimeoutMinutes: 60, maxUptimeMinutes: null }, 5)).toBe(5 * 60_000);
  });
});

describe("auto-stop decisions", () => {
  const limits = { idleTimeoutMinutes: 30, maxUptimeMinutes: null };
  const slot = { lastActivityAt: t0, startedAt: t0, autostopWarnedAt: null as Date | null };

  it("does nothing before the warning window", () => {
    expect(decideAutoStop(slot, limits, min(24), 5).kind).toBe("none");
  });

  it("warns once inside the window, then waits for the deadline", () => {
    expect(decideAutoStop(slot, limits, min(25), 5)).toEqual({ kind: "warn", deadline: { at: min(30), reason: "idle" } });
    expect(decideAutoStop({ ...slot, autostopWarnedAt: min(25) }, limits, min(27), 5).kind).toBe("none");
    expect(decideAutoStop({ ...slot, autostopWarnedAt: min(25) }, limits, min(30), 5).kind).toBe("stop");
  });

  it("warns again when activity moved the deadline and its new window opens", () => {
    const moved = { ...slot, lastActivityAt: min(28), autostopWarnedAt: min(25) };
    expect(decideAutoStop(moved, limits, min(40), 5).kind).toBe("none");
    expect(decideAutoStop(moved, limits, min(53), 5).kind).toBe("warn");
  });
});
