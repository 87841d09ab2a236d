// The engine's answers (inspect, stats) turned into the runtime's types, and slot resources into
// Docker's host config. Pure functions: unit-tested without an engine.
import type Dockerode from "dockerode";
import {
  LABELS,
  type RuntimeState,
  type SlotResources,
  type WorkspaceInfo,
  type WorkspaceSpec,
  type WorkspaceStats,
} from "../types";

const MiB = 1024 * 1024;

/** Where the slot's home lives inside the container: the images' non-root user `berth` (uid 1000). */
export const HOME_DIR = "/home/berth";
/** Every slot runs as this user (images/workspace/Dockerfile and the tiny image both define it). */
export const SLOT_UID = 1000;
export const SLOT_GID = 1000;
const SLOT_USER = `${SLOT_UID}:${SLOT_GID}`;
/** Keeps a slot up when its template names no command; tini (Init) is PID 1 and reaps under it. */
const KEEP_ALIVE_COMMAND = ["sleep", "infinity"];

/**
 * The slot's main process starts under this: it reads `export NAME='value'` lines from its stdin
 * until EOF, evaluates them if they arrived whole (the last line is START_ENV_END: a cut-off script
 * is dropped, never half-run), then runs the image's entrypoint and the command ("$@") with stdin
 * from /dev/null. Berth attaches to the container's stdin before each start, writes the slot's
 * secrets (startEnvScript) and closes it (StdinOnce), so the values reach the main process fresh at
 * every start without ever being in the container's config, which Docker keeps in clear on the
 * host and shows in `docker inspect`. Nothing is printed, so nothing lands in the container's log.
 * `command eval`: a failure inside does not end the shell (dash, busybox). If nobody writes (a start
 * Berth did not make), the command still runs after START_STDIN_WAIT_S, without them; an image with
 * no `timeout` waits for its stdin to close.
 */
const START_STDIN_WAIT_S = 60;
const START_ENV_END = ": berth-env-end";
export const START_WRAPPER = `if command -v timeout >/dev/null 2>&1; then s=$(timeout ${START_STDIN_WAIT_S} cat 2>/dev/null); else s=$(cat); fi; case "$s" in *"${START_ENV_END}") command eval "$s" 2>/dev/null || : ;; esac; unset s; exec "$@" </dev/null`;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Read-only in bash: `export UID=…` there ends the shell, and with it the slot's start. */
const SHELL_READONLY = new Set(["UID", "EUID", "PPID", "SHELLOPTS", "BASHOPTS", "BASH_VERSINFO"]);

/** What START_WRAPPER evaluates: one single-quoted `export` per variable, then the end mark (names no shell may set are left out). */
export function startEnvScript(vars: Record<string, string>): string {
  const exports = Object.entries(vars)
    .filter(([name]) => ENV_NAME.test(name) && !SHELL_READONLY.has(name))
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'"'"'`)}'\n`)
    .join("");
  return `${exports}${START_ENV_END}\n`;
}

export function containerName(slotId: string): string {
  return `berth-${slotId}`;
}

export function homeVolumeName(slotId: string): string {
  return `berth-home-${slotId}`;
}

/** Memory with no extra swap (MemorySwap = Memory), CPU as a hard quota, and a pids ceiling. */
export function resourceLimits(r: SlotResources): {
  Memory: number;
  MemorySwap: number;
  NanoCpus: number;
  PidsLimit: number;
} {
  const memory = Math.round(r.memoryMiB * MiB);
  return {
    Memory: memory,
    MemorySwap: memory,
    NanoCpus: Math.round(r.cpuMillicores * 1_000_000),
    PidsLimit: Math.round(r.pids),
  };
}

/**
 * The root filesystem's world-writable directories, each a tmpfs. Without them the slot user
 * writes there to the container's layer on the host's disk with no limit at all (overlay2 ignores
 * --storage-opt size); nothing else on the root filesystems of berth/workspace and berth/tiny is
 * writable by uid 1000 (rootfs-isolation.int.test.ts checks it from inside a slot). /var/lock is a
 * symlink to /run/lock in Debian.
 *
 * Sizes: tmpfs pages are charged to the container's memory cgroup and, with MemorySwap = Memory,
 * never swapped out, so together these can never hold more than the slot's memory, whatever the
 * sizes. The sizes make a full /tmp fail with ENOSPC, as a full home does, long before the slot's
 * own processes are OOM-killed to make room: /tmp gets half the memory (Linux's own default for a
 * tmpfs), /var/tmp a quarter (little uses it), /run/lock 1 MiB (lock files only); both big ones
 * full still leave a quarter of the memory to processes (Docker's own /dev/shm, 64 MiB, is charged
 * the same way). The sizes are fixed when the container is made
 * (Docker cannot resize a tmpfs): a live memory change leaves them as they were, still bounded by
 * the new limit.
 *
 * `exec`, because Docker's tmpfs default is noexec and tools run what they build in /tmp (go run,
 * test runners, native module builds); noexec would only break them, as the home is exec anyway.
 * mode=1777 (sticky, world-writable) is what the images' own directories had; tmux keeps its
 * socket in /tmp/tmux-<uid>/.
 */
export function slotTmpfs(r: Pick<SlotResources, "memoryMiB">): Record<string, string> {
  const mount = (sizeMiB: number, exec: boolean) => `rw,${exec ? "exec" : "noexec"},nosuid,nodev,size=${Math.max(1, Math.floor(sizeMiB))}m,mode=1777`;
  return {
    "/tmp": mount(r.memoryMiB / 2, true),
    "/var/tmp": mount(r.memoryMiB / 4, true),
    "/run/lock": mount(1, false),
  };
}

export function slotLabels(spec: Pick<WorkspaceSpec, "slotId" | "ownerId" | "instanceId">): Record<string, string> {
  return { [LABELS.managed]: "1", [LABELS.slot]: spec.slotId, [LABELS.owner]: spec.ownerId, ...(spec.instanceId ? { [LABELS.instance]: spec.instanceId } : {}) };
}

/**
 * The container of one slot: non-root, tini as PID 1, no capabilities, no privilege gain, the plan's
 * limits, the home volume, tmpfs on the root filesystem's writable directories, and the slots'
 * network (no host network, no Docker socket, nothing else from the host mounted). The home volume
 * is the slot's size-limited disk where Berth can enforce it (slot-home.ts), so the container's
 * options are the same either way.
 */
export function slotContainerOptions(spec: WorkspaceSpec, networkId: string, imageEntrypoint: string[] = []): Dockerode.ContainerCreateOptions {
  return {
    name: containerName(spec.slotId),
    Image: spec.image,
    // The image's own entrypoint still runs, after START_WRAPPER has read the secrets.
    Entrypoint: ["/bin/sh", "-c", START_WRAPPER, "berth-start"],
    Cmd: [...imageEntrypoint, ...(spec.command ?? KEEP_ALIVE_COMMAND)],
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: slotLabels(spec),
    User: SLOT_USER,
    WorkingDir: HOME_DIR,
    Tty: false,
    // Stdin carries the secrets at each start (START_WRAPPER), closed once Berth has written them.
    OpenStdin: true,
    StdinOnce: true,
    HostConfig: {
      ...resourceLimits(spec.resources),
      // Disk: the home volume carries the size limit (a bind of the slot's loop-mounted ext4 image;
      // see slot-home.ts). overlay2 on ext4 ignores --storage-opt size, so the container itself
      // gets no disk setting; the root filesystem's writable directories are tmpfs instead, bounded
      // by the memory limit (slotTmpfs).
      Mounts: [{ Type: "volume", Source: homeVolumeName(spec.slotId), Target: HOME_DIR }],
      Tmpfs: slotTmpfs(spec.resources),
      Init: true,
      SecurityOpt: ["no-new-privileges"],
      CapDrop: ["ALL"],
      Privileged: false,
      ReadonlyRootfs: false,
      NetworkMode: networkId,
      RestartPolicy: { Name: "no" },
      // A slot printing without end must not fill the host's disk with its log.
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    },
    NetworkingConfig: { EndpointsConfig: { [networkId]: {} } },
  };
}

const STATES: ReadonlySet<string> = new Set<RuntimeState>([
  "created",
  "running",
  "paused",
  "restarting",
  "exited",
  "dead",
  "removing",
]);

/** Docker's zero time ("0001-01-01T00:00:00Z") means "never"; nanoseconds are cut to milliseconds. */
export function engineTime(value: string | undefined | null): string | null {
  if (!value || value.startsWith("0001-01-01")) return null;
  const date = new Date(value.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function toWorkspaceInfo(raw: Dockerode.ContainerInspectInfo): WorkspaceInfo {
  const labels = raw.Config?.Labels ?? {};
  const status = raw.State?.Status ?? "dead";
  const state = (STATES.has(status) ? status : "dead") as RuntimeState;
  const hasExited = state === "exited" || state === "dead";
  return {
    containerId: raw.Id,
    slotId: labels[LABELS.slot] ?? "",
    ownerId: labels[LABELS.owner] ?? "",
    instanceId: labels[LABELS.instance] ?? null,
    state,
    exitCode: hasExited ? (raw.State?.ExitCode ?? null) : null,
    oomKilled: raw.State?.OOMKilled ?? false,
    startedAt: engineTime(raw.State?.StartedAt),
    finishedAt: engineTime(raw.State?.FinishedAt),
  };
}

/** What the stats endpoint can answer; every part may be missing (a stopped container has none). */
export type EngineStats = {
  read?: string;
  preread?: string;
  pids_stats?: { current?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: { total_inactive_file?: number; inactive_file?: number; cache?: number };
  };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
};

type CpuStats = {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
};

/**
 * CPU: the container's share of all host CPU time between the two samples the engine took
 * (`precpu_stats` → `cpu_stats`), times the host's CPUs — the formula `docker stats` uses — in
 * millicores. Memory: usage minus the page cache the kernel can drop (inactive_file, as `docker
 * stats` does since 19.03; `cache` on engines that report nothing finer).
 */
export function toWorkspaceStats(raw: EngineStats, now: Date, diskBytes: number | null = null): WorkspaceStats {
  const cpu = raw.cpu_stats;
  const pre = raw.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const cpus = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  let cpuMillicores = 0;
  if (cpuDelta > 0 && systemDelta > 0 && (pre?.cpu_usage?.total_usage ?? 0) > 0) {
    cpuMillicores = Math.round((cpuDelta / systemDelta) * cpus * 1000);
  }

  const memory = raw.memory_stats;
  const usage = memory?.usage ?? 0;
  const reclaimable =
    memory?.stats?.total_inactive_file ?? memory?.stats?.inactive_file ?? memory?.stats?.cache ?? 0;
  const memoryBytes = reclaimable < usage ? usage - reclaimable : usage;

  let networkRxBytes = 0;
  let networkTxBytes = 0;
  for (const net of Object.values(raw.networks ?? {})) {
    networkRxBytes += net.rx_bytes ?? 0;
    networkTxBytes += net.tx_bytes ?? 0;
  }

  return {
    at: engineTime(raw.read) ?? now.toISOString(),
    cpuMillicores,
    memoryBytes,
    memoryLimitBytes: memory?.limit ?? 0,
    pids: raw.pids_stats?.current ?? 0,
    networkRxBytes,
    networkTxBytes,
    // Docker cannot tell the home's usage: the driver reads it from the slot's disk (null without one).
    diskBytes,
  };
}
