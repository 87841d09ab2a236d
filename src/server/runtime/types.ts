// The container runtime as services see it. A driver (Docker now; Swarm or Kubernetes later)
// implements this; nothing above src/server/runtime/ knows which engine runs the slots.
import type { Duplex, Readable } from "node:stream";
import { crossBundleClass } from "@/server/errors";

export type SlotResources = {
  /** CPU in millicores (1000 = one core). */
  cpuMillicores: number;
  memoryMiB: number;
  /** Size of the slot's home; writes beyond it fail with ENOSPC for that slot only. */
  diskMiB: number;
  /** Most processes at once (fork bombs stop here). */
  pids: number;
};

export type WorkspaceSpec = {
  slotId: string;
  ownerId: string;
  image: string;
  env: Record<string, string>;
  /** Overrides the image's command; by default the slot runs a long-lived init that keeps it up. */
  command?: string[];
  resources: SlotResources;
  /** Which Berth installation owns the container (its database's id): the reconciler touches only its own. */
  instanceId?: string;
};

export type RuntimeState = "created" | "running" | "paused" | "restarting" | "exited" | "dead" | "removing";

export type WorkspaceInfo = {
  containerId: string;
  slotId: string;
  ownerId: string;
  instanceId: string | null;
  state: RuntimeState;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
};

export type WorkspaceStats = {
  at: string;
  /** CPU use in millicores over the sampling interval. */
  cpuMillicores: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  networkRxBytes: number;
  networkTxBytes: number;
  /** Bytes used in the slot's home, when the driver can tell. */
  diskBytes: number | null;
};

export type ResourceChange = { applied: "live" | "next-start" };

/** What this runtime can promise on this host (for health and the UI). */
export type RuntimeCapabilities = {
  /**
   * Writes beyond a slot's diskMiB fail with ENOSPC for that slot alone. False: homes have no size
   * limit here (diskMiB is recorded only), with the reason in `diskLimitReason`.
   */
  diskLimitEnforced: boolean;
  /** Why the disk limit is not enforced, in words an operator can act on. */
  diskLimitReason?: string;
};

/** A slot's home as the runtime holds it, with or without a container. */
export type HomeInfo = {
  slotId: string;
  /** The installation that made it (from the home's labels); null when the home does not say. */
  instanceId: string | null;
};

/** One command run in a workspace (no TTY). */
export type ExecOptions = {
  /** argv; the first element is looked up on the workspace's PATH. */
  cmd: string[];
  /** Working directory; default the workspace's own (the home). */
  cwd?: string;
  /** Added to the workspace's environment. */
  env?: Record<string, string>;
  /** Fed to the process, then its stdin is closed; without it, stdin is not attached. */
  stdin?: string;
  /** uid:gid to run as (the slot's non-root user, SLOT_EXEC_USER). */
  user: string;
  /** Carried in the environment of the process and its children, so killByMarker finds the whole tree. */
  marker: string;
  /** Aborting kills the process tree (by its marker); the output then ends. */
  signal?: AbortSignal;
};

export type ExecChunk = { stream: "stdout" | "stderr"; data: Buffer };

/** A running command: its output in order (read it: an unread stream holds the process back), then its exit code. */
export type ExecProcess = {
  /** Object-mode stream of ExecChunk. */
  output: Readable;
  /** The exit code once the output has ended (128+n after signal n); null when the engine cannot tell. */
  wait(): Promise<number | null>;
  /**
   * After wait(): true when the engine never started the program (no such program or working
   * directory); the output then holds the engine's own message.
   */
  neverStarted(): boolean;
};

/** Every exec runs as the images' non-root user `berth`. */
export const SLOT_EXEC_USER = "1000:1000";

/** A TTY attached to a workspace's persistent terminal session (the shell outlives the attachment). */
export type TerminalOptions = {
  /** The session to attach to, created when missing. */
  session: string;
  cols: number;
  rows: number;
  /** uid:gid (SLOT_EXEC_USER). */
  user: string;
  /** Carried by the attaching client only (not the session's shell): killByMarker ends the attachment. */
  marker: string;
  /** TERM of the attaching client; default xterm-256color. */
  term?: string;
  /**
   * Extra environment of the attaching client (the slot's secrets). The tmux server takes it from
   * the client that creates the session, so a session already running keeps the values it began with.
   */
  env?: Record<string, string>;
};

/** The attachment: raw terminal bytes both ways on `stream` (no multiplexing with a TTY). */
export type TerminalProcess = {
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** The attaching client's exit code once the stream has ended; null when the engine cannot tell. */
  wait(): Promise<number | null>;
};

export interface WorkspaceRuntime {
  readonly name: string;
  /** Is the engine reachable? Never throws. */
  ping(): Promise<{ ok: true; version: string } | { ok: false; message: string }>;
  hasImage(image: string): Promise<boolean>;
  /** Creates the container and its home volume (idempotent per slot id: an existing one is returned). */
  create(spec: WorkspaceSpec): Promise<{ containerId: string }>;
  /**
   * Starts the container; `env` reaches its main process only (the secrets: never written into the
   * container's config, where the engine would keep and show them).
   */
  start(containerId: string, opts?: { env?: Record<string, string> }): Promise<void>;
  /** Stops gracefully, killing after `timeoutSeconds`. Stopping a stopped workspace is not an error. */
  stop(containerId: string, opts?: { timeoutSeconds?: number }): Promise<void>;
  /** Removes the container and, with `withHome`, the slot's home. Removing a missing one is not an error. */
  remove(containerId: string, opts: { slotId: string; withHome: boolean }): Promise<void>;
  /** null when the container no longer exists. */
  inspect(containerId: string): Promise<WorkspaceInfo | null>;
  /** Every container the engine holds with Berth's labels (for reconciliation). */
  list(): Promise<WorkspaceInfo[]>;
  updateResources(containerId: string, resources: SlotResources): Promise<ResourceChange>;
  stats(containerId: string): Promise<WorkspaceStats>;
  logs(containerId: string, opts: { tail?: number; follow?: boolean; since?: Date }): Promise<Readable>;
  /** Runs a command in a running workspace. Docker does not kill it when the stream closes: use the marker. */
  exec(containerId: string, opts: ExecOptions): Promise<ExecProcess>;
  /** Kills every process in the workspace carrying this exec marker (the command and its children). */
  killByMarker(containerId: string, marker: string): Promise<void>;
  /** Attaches a TTY to the workspace's terminal session (creating it); end it with killByMarker(marker). */
  openTerminal(containerId: string, opts: TerminalOptions): Promise<TerminalProcess>;
  /** What the runtime enforces on this host. Never throws (an unreachable engine answers "not enforced", with why). */
  capabilities?(): Promise<RuntimeCapabilities>;
  /** Every slot home the runtime holds, with or without a container (for reconciliation: homes outlive failed removals). */
  listHomes?(): Promise<HomeInfo[]>;
  /** Removes a slot's home (idempotent); refused while a container of that slot still exists. */
  removeHome?(slotId: string): Promise<void>;
  /** Files in a slot's home, running or stopped. */
  readonly files: RuntimeFiles;
}

/**
 * Files in a slot's home (docker-files.ts): as the slot user, inside the engine, never through the
 * host's view of the home. Paths are the home-relative parts of FilePath.
 */
export interface RuntimeFiles {
  list(target: SlotFilesTarget, dir: string[], opts: { limit: number }): Promise<{ entries: RuntimeFileEntry[]; total: number }>;
  stat(target: SlotFilesTarget, path: string[]): Promise<RuntimeFileEntry>;
  /** Opens a file; read() streams a byte range of it (the whole file by default); close() gives it up unread. */
  open(target: SlotFilesTarget, path: string[], opts?: { signal?: AbortSignal }): Promise<OpenedSlotFile>;
  /** Streams `size` bytes from `body` into the file (parents made), atomically: all of it, or nothing. */
  write(target: SlotFilesTarget, path: string[], body: AsyncIterable<Uint8Array>, opts: { size: number; signal?: AbortSignal }): Promise<{ size: number }>;
  /** Makes the folder and its missing parents; answers the folder. */
  mkdir(target: SlotFilesTarget, path: string[]): Promise<RuntimeFileEntry>;
  /** Moves or renames; answers what is then at `to`. */
  move(target: SlotFilesTarget, from: string[], to: string[], opts: { overwrite: boolean }): Promise<RuntimeFileEntry>;
  remove(target: SlotFilesTarget, path: string[], opts: { recursive: boolean }): Promise<void>;
  /** A folder as a tar stream (gzipped with `gzip`); aborting the signal ends the work in the slot. */
  archive(target: SlotFilesTarget, path: string[], opts: { gzip: boolean; signal?: AbortSignal }): Promise<Readable>;
  /** Bytes the home's files take (the home's disk usage where it has a disk, else du). */
  usage(target: SlotFilesTarget): Promise<number>;
}

/** The engine cannot be reached (socket missing, daemon down, timeout). Services answer RUNTIME_UNAVAILABLE. */
export class RuntimeUnavailableError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "RuntimeUnavailableError";
  }
}
crossBundleClass(RuntimeUnavailableError, "RuntimeUnavailableError");

/** The engine refused the operation for a reason that is not about reachability. */
export class RuntimeOperationError extends Error {
  readonly status?: number;
  constructor(message: string, opts?: { cause?: unknown; status?: number }) {
    super(message, { cause: opts?.cause });
    this.name = "RuntimeOperationError";
    this.status = opts?.status;
  }
}
crossBundleClass(RuntimeOperationError, "RuntimeOperationError");

/** The engine refused because the container is gone (404) or not running (409): nothing in it is left to reach. */
export function containerGone(err: unknown): boolean {
  return err instanceof RuntimeOperationError && (err.status === 404 || err.status === 409);
}

export const LABELS = { slot: "berth.slot", owner: "berth.owner", managed: "berth.managed", instance: "berth.instance" } as const;

/** Where a slot's files are reached: the running container, else the home volume on its own. */
export type SlotFilesTarget = { slotId: string; containerId: string | null; running: boolean };

export type RuntimeFileEntry = { name: string; type: "file" | "directory" | "symlink" | "other"; size: number; modifiedAt: Date };

export type OpenedSlotFile = {
  size: number;
  modifiedAt: Date;
  /** Bytes [start, start+length) of the file as opened (a later rename or swap does not change which file). */
  read(range?: { start: number; length: number }): Readable;
  close(): void;
};

/** Why a file operation was refused, in terms the service maps to public errors. */
export type SlotFileErrorCode =
  | "NOT_FOUND"
  | "NOT_A_DIRECTORY"
  | "IS_A_DIRECTORY"
  | "EXISTS"
  | "OUTSIDE_HOME"
  | "PERMISSION"
  | "NO_SPACE"
  | "INCOMPLETE"
  | "INVALID"
  | "NO_HOME"
  | "FAILED";

export class SlotFileError extends Error {
  readonly code: SlotFileErrorCode;
  constructor(code: SlotFileErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "SlotFileError";
    this.code = code;
  }
}
crossBundleClass(SlotFileError, "SlotFileError");
