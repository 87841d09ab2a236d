import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { LEASE_EXPIRY_MS, leaseIsDead, PID_SCOPE, type LeaseRow } from "./process-lease";

const now = Date.parse("2026-11-23T12:00:00Z");
const row = (over: Partial<LeaseRow>): LeaseRow => ({ id: "prc_x", hostname: "elsewhere", pid: 12345, startedAt: new Date(now - 3_600_000), seenAt: new Date(now - 1_000), ...over });

describe("leaseIsDead", () => {
  it("a lease renewed within the expiry on another host is alive; one past it is dead", () => {
    expect(leaseIsDead(row({}), now, null)).toBe(false);
    expect(leaseIsDead(row({ seenAt: new Date(now - LEASE_EXPIRY_MS - 1) }), now, null)).toBe(true);
  });

  it("never calls this process's own lease dead, even a stale one", () => {
    expect(leaseIsDead(row({ id: "prc_me", seenAt: new Date(0) }), now, "prc_me")).toBe(false);
  });

  it("on this host, a fresh lease whose pid runs no more is dead at once; a running pid keeps it", () => {
    // A pid above the kernel's pid_max never runs.
    expect(leaseIsDead(row({ hostname: PID_SCOPE, pid: 2 ** 30 }), now, null)).toBe(true);
    expect(leaseIsDead(row({ hostname: PID_SCOPE, pid: process.ppid }), now, null)).toBe(false);
  });

  it("the same host name in another pid namespace is judged by its renewals only", () => {
    // Two containers with one host name (host networking, a fixed compose hostname): pids do not compare.
    expect(leaseIsDead(row({ hostname: hostname(), pid: 2 ** 30 }), now, null)).toBe(hostname() === PID_SCOPE);
    expect(leaseIsDead(row({ hostname: `${hostname()} pid:[1]`, pid: process.pid }), now, "prc_me")).toBe(false);
  });

  it("on this host, another lease with this very pid is a previous life of this process (a restarted container)", () => {
    expect(leaseIsDead(row({ hostname: PID_SCOPE, pid: process.pid }), now, "prc_me")).toBe(true);
  });
});
