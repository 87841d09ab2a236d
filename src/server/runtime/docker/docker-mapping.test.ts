import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { engineTime, resourceLimits, slotTmpfs, START_WRAPPER, startEnvScript, toWorkspaceInfo, toWorkspaceStats } from "./docker-mapping";
import type Dockerode from "dockerode";

const MiB = 1024 * 1024;

describe("resourceLimits", () => {
  it("gives memory without extra swap, CPU in nano-CPUs and the pids ceiling", () => {
    expect(resourceLimits({ cpuMillicores: 1500, memoryMiB: 512, diskMiB: 1024, pids: 256 })).toEqual({
      Memory: 512 * MiB,
      MemorySwap: 512 * MiB,
      NanoCpus: 1_500_000_000,
      PidsLimit: 256,
    });
  });
});

describe("slotTmpfs", () => {
  it("gives /tmp half the memory, /var/tmp a quarter and /run/lock 1 MiB, all sticky and world-writable", () => {
    expect(slotTmpfs({ memoryMiB: 128 })).toEqual({
      "/tmp": "rw,exec,nosuid,nodev,size=64m,mode=1777",
      "/var/tmp": "rw,exec,nosuid,nodev,size=32m,mode=1777",
      "/run/lock": "rw,noexec,nosuid,nodev,size=1m,mode=1777",
    });
  });

  it("rounds down to whole MiB and never asks for a size of 0 (which would mean no limit)", () => {
    expect(slotTmpfs({ memoryMiB: 6 })).toMatchObject({ "/tmp": expect.stringContaining(",size=3m,"), "/var/tmp": expect.stringContaining(",size=1m,") });
    expect(slotTmpfs({ memoryMiB: 2 })["/var/tmp"]).toContain(",size=1m,");
  });
});

describe("engineTime", () => {
  it("reads Docker's zero time as never and cuts nanoseconds", () => {
    expect(engineTime("0001-01-01T00:00:00Z")).toBeNull();
    expect(engineTime("")).toBeNull();
    expect(engineTime("2025-05-20T10:11:12.123456789Z")).toBe("2025-05-20T10:11:12.123Z");
  });
});

describe("toWorkspaceInfo", () => {
  const raw = (state: Partial<Dockerode.ContainerInspectInfo["State"]>) =>
    ({
      Id: "c1",
      Name: "/berth-s1",
      Config: { Labels: { "berth.managed": "1", "berth.slot": "s1", "berth.owner": "u1" } },
      State: { Status: "running", ExitCode: 0, OOMKilled: false, StartedAt: "2025-05-20T10:00:00.5Z", FinishedAt: "0001-01-01T00:00:00Z", ...state },
    }) as unknown as Dockerode.ContainerInspectInfo;

  it("maps a running container (no exit code yet)", () => {
    expect(toWorkspaceInfo(raw({}))).toEqual({
      containerId: "c1",
      slotId: "s1",
      ownerId: "u1",
      instanceId: null,
      state: "running",
      exitCode: null,
      oomKilled: false,
      startedAt: "2025-05-20T10:00:00.500Z",
      finishedAt: null,
    });
  });

  it("keeps the exit code and OOM of an exited one", () => {
    expect(toWorkspaceInfo(raw({ Status: "exited", ExitCode: 137, OOMKilled: true, FinishedAt: "2025-05-20T10:05:00Z" }))).toMatchObject({
      state: "exited",
      exitCode: 137,
      oomKilled: true,
      finishedAt: "2025-05-20T10:05:00.000Z",
    });
  });
});

describe("toWorkspaceStats", () => {
  const now = new Date("2025-05-20T10:00:00Z");

  it("turns a cgroup v1 sample into millicores, memory without reclaimable cache, pids and summed network", () => {
    const stats = toWorkspaceStats(
      {
        read: "2025-05-20T10:00:01.000000001Z",
        pids_stats: { current: 7 },
        networks: { eth0: { rx_bytes: 1000, tx_bytes: 10 }, eth1: { rx_bytes: 24, tx_bytes: 2 } },
        memory_stats: { usage: 100 * MiB, limit: 512 * MiB, stats: { total_inactive_file: 30 * MiB, cache: 40 * MiB } },
        // 0.25 s of CPU over 1 s of wall time on 2 CPUs (2 s of system CPU time) → 250 millicores.
        cpu_stats: { cpu_usage: { total_usage: 1_250_000_000 }, system_cpu_usage: 12_000_000_000, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000, online_cpus: 2 },
      },
      now,
    );
    expect(stats).toEqual({
      at: "2025-05-20T10:00:01.000Z",
      cpuMillicores: 250,
      memoryBytes: 70 * MiB,
      memoryLimitBytes: 512 * MiB,
      pids: 7,
      networkRxBytes: 1024,
      networkTxBytes: 12,
      diskBytes: null,
    });
  });

  it("uses cgroup v2's inactive_file, then cache, when that is all there is", () => {
    expect(toWorkspaceStats({ memory_stats: { usage: 10, stats: { inactive_file: 4 } } }, now).memoryBytes).toBe(6);
    expect(toWorkspaceStats({ memory_stats: { usage: 10, stats: { cache: 3 } } }, now).memoryBytes).toBe(7);
  });

  it("answers zeros for a stopped container (the engine sends empty stats)", () => {
    expect(toWorkspaceStats({ read: "0001-01-01T00:00:00Z", memory_stats: {}, cpu_stats: { cpu_usage: { total_usage: 0 } }, precpu_stats: { cpu_usage: {} } }, now)).toEqual({
      at: now.toISOString(),
      cpuMillicores: 0,
      memoryBytes: 0,
      memoryLimitBytes: 0,
      pids: 0,
      networkRxBytes: 0,
      networkTxBytes: 0,
      diskBytes: null,
    });
  });
});

describe("START_WRAPPER and startEnvScript", () => {
  /** The wrapper under the host's own /bin/sh, fed `script` on stdin: the environment its command sees. */
  const runWrapped = (script: string) =>
    execFileSync("/bin/sh", ["-c", START_WRAPPER, "berth-start", "sh", "-c", 'printf "%s\\0" "$A" "$B" "$C" "${D-unset}"'], { input: script, env: { PATH: process.env.PATH, NODE_ENV: "test" } })
      .toString("utf8")
      .split("\0")
      .slice(0, 4);

  it("hands every value through the shell unchanged: quotes, $, backticks, backslashes, newlines", () => {
    const values = { A: "it's", B: "$HOME `id` $(id) \\ \"q\"", C: "one\ntwo\n" };
    expect(runWrapped(startEnvScript(values))).toEqual(["it's", values.B, values.C, "unset"]);
  });

  it("leaves out names that are not shell names, or that bash keeps read-only (nothing of them is evaluated)", () => {
    const script = startEnvScript({ "A;touch /tmp/x": "1", "1A": "2", UID: "3", BASHOPTS: "4", A: "kept" });
    expect(script).toBe("export A='kept'\n: berth-env-end\n");
  });

  it("runs the command when stdin ends with nothing on it, and drops a script cut off before its end", () => {
    expect(runWrapped("")).toEqual(["", "", "", "unset"]);
    const whole = startEnvScript({ A: "one", B: "it's two" });
    expect(runWrapped(whole)).toEqual(["one", "it's two", "", "unset"]);
    // Cut inside the second value (an open quote) or before the end mark: none of it is run.
    expect(runWrapped(whole.slice(0, whole.indexOf("two")))).toEqual(["", "", "", "unset"]);
    expect(runWrapped(whole.slice(0, whole.indexOf(": berth")))).toEqual(["", "", "", "unset"]);
  });
});
