// The Docker driver of WorkspaceRuntime: one container per slot, its home on a named volume backed
// by a size-limited disk where the host allows (slot-home.ts).
import path from "node:path";
import type { Duplex, Readable } from "node:stream";
import type Dockerode from "dockerode";
import { env } from "@/server/env";
import {
  LABELS,
  RuntimeOperationError,
  type ExecOptions,
  type ExecProcess,
  type HomeInfo,
  type TerminalOptions,
  type TerminalProcess,
  type ResourceChange,
  type RuntimeCapabilities,
  type SlotResources,
  type WorkspaceInfo,
  type WorkspaceRuntime,
  type WorkspaceSpec,
  type WorkspaceStats,
  SLOT_EXEC_USER,
} from "../types";
import {
  callEngine,
  createDockerClient,
  resolveDockerEndpoint,
  statusOf,
  withSignal,
  type DockerEndpoint,
  type DockerEndpointOptions,
} from "./docker-client";
import { killByMarker, startExec } from "./docker-exec";
import { DockerFiles } from "./docker-files";
import { openTerminal } from "./docker-tty";
import { DockerLogDemuxer } from "./docker-logs";
import {
  containerName,
  resourceLimits,
  slotContainerOptions,
  startEnvScript,
  toWorkspaceInfo,
  toWorkspaceStats,
  type EngineStats,
} from "./docker-mapping";
import { ensureSlotNetwork, SLOT_NETWORK } from "./docker-network";
import { HomeDisks } from "./home-disk";
import { guardHostFromSlots } from "./host-firewall";
import { SlotHomes } from "./slot-home";

const PING_TIMEOUT_MS = 3_000;
const DEFAULT_STOP_TIMEOUT_S = 5;
const LIST_INSPECT_CONCURRENCY = 8;
/** How long a start waits for the engine to take the secrets and close the main process's stdin. */
const START_DELIVERY_MS = 10_000;

/** Writes `text` and half-closes, then waits (at most `ms`) for the engine to close the connection. */
function deliver(socket: Duplex, text: string, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume(); // the engine says nothing back on a stdin-only attach; drain it anyway
    socket.end(text);
  });
}

/** Enough of a pino logger for the driver's few warnings (the caller passes its own). */
export type RuntimeLogger = { warn(fields: object, message: string): void };

export type DockerRuntimeOptions = DockerEndpointOptions & {
  logger?: RuntimeLogger;
  /** Where slots' disk images and their mounts live; default <BERTH_DATA_DIR>/homes. */
  homeDisksDir?: string;
};

export class DockerRuntime implements WorkspaceRuntime {
  readonly name = "docker";
  private readonly endpoint: DockerEndpoint;
  private readonly docker: Dockerode;
  private readonly logger: RuntimeLogger | undefined;
  private network: Promise<string> | undefined;
  private readonly homes: SlotHomes;
  /** Files in slots' homes (docker-files.ts). */
  readonly files: DockerFiles;
  /** Container id → slot id (both fixed for a container's life), so start and stats need not inspect each time. */
  private readonly slotOfContainer = new Map<string, string>();

  /** With no socketPath and no host: /var/run/docker.sock. The caller reads DOCKER_HOST and passes it as `host`. */
  constructor(opts: DockerRuntimeOptions = {}) {
    this.endpoint = resolveDockerEndpoint(opts);
    this.docker = createDockerClient(this.endpoint);
    this.logger = opts.logger;
    const disks = new HomeDisks({ dir: opts.homeDisksDir ?? (() => path.join(env().dataDir, "homes")) });
    this.homes = new SlotHomes(this.docker, this.endpoint, disks, this.logger);
    this.files = new DockerFiles(this.docker, this.endpoint, this.homes, this.logger);
  }

  async capabilities(): Promise<RuntimeCapabilities> {
    try {
      const disk = await this.homes.diskSupport();
      return disk.enforced ? { diskLimitEnforced: true } : { diskLimitEnforced: false, diskLimitReason: disk.reason };
    } catch (err) {
      return { diskLimitEnforced: false, diskLimitReason: `not known while the engine is unreachable (${err instanceof Error ? err.message : String(err)})` };
    }
  }

  async ping(): Promise<{ ok: true; version: string } | { ok: false; message: string }> {
    try {
      // dockerode's version() takes options (the abort signal) though its typing does not say so.
      const version = (this.docker.version as (opts: object) => Promise<Dockerode.DockerVersion>).bind(this.docker);
      const answer = await this.call("report its version", (signal) => version(withSignal({}, signal)), PING_TIMEOUT_MS);
      return { ok: true, version: answer.Version };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.call(`inspect the image ${image}`, (signal) => this.docker.getImage(image).inspect(withSignal({}, signal)));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** The slots' bridge network (created on first use; concurrent callers share one creation). */
  ensureNetwork(): Promise<string> {
    this.network ??= ensureSlotNetwork(this.docker, this.endpoint)
      .then(async (id) => {
        await this.guardHost();
        return id;
      })
      .catch((err: unknown) => {
        this.network = undefined;
        throw err;
      });
    return this.network;
  }

  /** On a local engine, firewall the host from the slots' bridge (a remote engine's host must do it itself). */
  private async guardHost(): Promise<void> {
    if (!this.endpoint.options.socketPath) return;
    const result = await guardHostFromSlots(SLOT_NETWORK);
    if (!result.applied) {
      this.logger?.warn({ bridge: SLOT_NETWORK, reason: result.reason }, "runtime: slots can reach services on this host; add the INPUT rule from ARCHITECTURE.md");
    }
  }

  async create(spec: WorkspaceSpec): Promise<{ containerId: string }> {
    const name = containerName(spec.slotId);
    const existing = await this.inspectRaw(name);
    if (existing) return { containerId: this.assertSlotContainer(existing, spec.slotId).Id };

    await this.homes.ensure(spec);
    let networkId = await this.ensureNetwork();
    const image = await this.call(`inspect the image ${spec.image}`, (signal) => this.docker.getImage(spec.image).inspect(withSignal({}, signal)));
    // The engine answers an image's entrypoint as a list (or null).
    const imageEntrypoint = Array.isArray(image.Config?.Entrypoint) ? image.Config.Entrypoint : [];

    for (let attempt = 0; ; attempt++) {
      try {
        const container = await this.call(`create the container for slot ${spec.slotId}`, (signal) =>
          this.docker.createContainer(withSignal(slotContainerOptions(spec, networkId, imageEntrypoint), signal)),
        );
        this.slotOfContainer.set(container.id, spec.slotId);
        return { containerId: container.id };
      } catch (err) {
        const status = statusOf(err);
        if (status === 409) {
          // Another caller created this slot's container a moment ago: answer with that one.
          const raced = await this.inspectRaw(name);
          if (raced) return { containerId: this.assertSlotContainer(raced, spec.slotId).Id };
        }
        if (status === 404 && attempt === 0 && /network \S+ not found/i.test((err as Error).message)) {
          // The network was removed behind our back since we cached its id: make it again, once.
          this.network = undefined;
          networkId = await this.ensureNetwork();
          continue;
        }
        throw err;
      }
    }
  }

  async start(containerId: string, opts?: { env?: Record<string, string> }): Promise<void> {
    const slotId = await this.slotIdOf(containerId);
    if (slotId) await this.homes.beforeStart(slotId); // a missing container: the start below says so
    const container = this.docker.getContainer(containerId);
    // Attached before the start, so the main process's stdin (START_WRAPPER reads it) has a writer
    // from its first instant; ended once started, which closes that stdin (StdinOnce).
    const stdin = (await this.call(`attach to the container ${containerId}`, (signal) =>
      container.attach(withSignal({ stream: true, stdin: true, hijack: true }, signal)),
    )) as Duplex;
    stdin.on("error", () => undefined);
    try {
      await this.call(`start the container ${containerId}`, (signal) => container.start(withSignal({}, signal)));
    } catch (err) {
      stdin.destroy();
      // 304: already running. Its main process had its stdin when it started (and the engine would
      // hold this connection open, with nobody left to read it).
      if (statusOf(err) !== 304) throw err;
      return;
    }
    await deliver(stdin, startEnvScript(opts?.env ?? {}), START_DELIVERY_MS);
  }

  /** A stopped container is not an error; a missing one is (RuntimeOperationError, status 404). */
  async stop(containerId: string, opts?: { timeoutSeconds?: number }): Promise<void> {
    const t = opts?.timeoutSeconds ?? DEFAULT_STOP_TIMEOUT_S;
    try {
      await this.call(
        `stop the container ${containerId}`,
        (signal) => this.docker.getContainer(containerId).stop(withSignal({ t }, signal)),
        (t + 30) * 1000,
      );
    } catch (err) {
      if (statusOf(err) !== 304) throw err; // 304: already stopped
    }
  }

  async remove(containerId: string, opts: { slotId: string; withHome: boolean }): Promise<void> {
    const existing = await this.inspectRaw(containerId);
    if (existing) {
      this.assertSlotContainer(existing, opts.slotId);
      try {
        await this.call(`remove the container ${containerId}`, (signal) =>
          this.docker.getContainer(containerId).remove(withSignal({ force: true }, signal)),
        );
      } catch (err) {
        // 404: gone meanwhile; 409: a removal is already under way (wait for it below).
        if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
      }
    }
    this.slotOfContainer.delete(containerId);
    if (opts.withHome) {
      await this.files.dropHelpers(opts.slotId); // a file helper would hold the home "in use"
      await this.homes.remove(opts.slotId);
    }
  }

  async listHomes(): Promise<HomeInfo[]> {
    return this.homes.list();
  }

  /** A home still used by a container (even a stopped one) stays: remove the container first. */
  async removeHome(slotId: string): Promise<void> {
    const container = await this.inspectRaw(containerName(slotId));
    if (container) {
      throw new RuntimeOperationError(`The home of slot ${slotId} still belongs to a container (${container.Id.slice(0, 12)}); remove that first.`, { status: 409 });
    }
    await this.files.dropHelpers(slotId);
    await this.homes.remove(slotId);
  }

  async inspect(containerId: string): Promise<WorkspaceInfo | null> {
    const raw = await this.inspectRaw(containerId);
    return raw ? toWorkspaceInfo(raw) : null;
  }

  async list(): Promise<WorkspaceInfo[]> {
    const listed = await this.call("list Berth's containers", (signal) =>
      this.docker.listContainers(withSignal({ all: true, filters: { label: [`${LABELS.managed}=1`] } }, signal)),
    );
    // The list answer lacks exit codes, OOM and times: inspect each, a few at a time.
    const infos: WorkspaceInfo[] = [];
    for (let i = 0; i < listed.length; i += LIST_INSPECT_CONCURRENCY) {
      const batch = await Promise.all(listed.slice(i, i + LIST_INSPECT_CONCURRENCY).map((c) => this.inspect(c.Id)));
      for (const info of batch) if (info) infos.push(info);
    }
    return infos;
  }

  async updateResources(containerId: string, resources: SlotResources): Promise<ResourceChange> {
    const raw = await this.inspectRaw(containerId);
    if (!raw) throw new RuntimeOperationError(`Docker could not update the resources of ${containerId}: no such container`, { status: 404 });
    // Disk: the home's disk changes size, not the engine. Planned first, so a refused size (files
    // that would not fit, no room on the host) changes nothing at all.
    const slotId = raw.Config?.Labels?.[LABELS.slot];
    // An offline resize unmounts the disk: a file helper must not hold it.
    if (slotId) await this.files.dropHelpers(slotId);
    const disk = slotId ? await this.homes.disks.planResize(slotId, resources.diskMiB, { inUse: raw.State?.Running === true }) : null;
    const engine = await this.updateEngineLimits(containerId, resources);
    const diskApplied = disk ? await this.homes.disks.applyResize(disk) : "none";
    return { applied: engine === "live" && diskApplied !== "next-start" ? "live" : "next-start" };
  }

  private async updateEngineLimits(containerId: string, resources: SlotResources): Promise<"live" | "next-start"> {
    try {
      await this.call(`update the resources of ${containerId}`, (signal) =>
        this.docker.getContainer(containerId).update(withSignal(resourceLimits(resources), signal)),
      );
      return "live";
    } catch (err) {
      const status = statusOf(err);
      // 404: no such container; 400: values no start could accept either (e.g. more CPUs than the host has).
      if (status === undefined || status === 404 || status === 400) throw err;
      // The kernel refused the change on the running container (e.g. memory below what it uses now).
      this.logger?.warn({ containerId, err }, "runtime: live resource change refused; it applies at next start");
      return "next-start";
    }
  }

  async stats(containerId: string): Promise<WorkspaceStats> {
    // stream:false (without one-shot) makes the engine take two samples ~1 s apart, so CPU has a delta.
    const [raw, diskBytes] = await Promise.all([
      this.call(`read the stats of ${containerId}`, (signal) =>
        this.docker.getContainer(containerId).stats(withSignal({ stream: false as const }, signal)),
      ),
      // The home's usage is a nicety: a disk that cannot be read leaves it unknown, not the stats.
      this.slotIdOf(containerId)
        .then((slotId) => (slotId ? this.homes.usedBytes(slotId) : null))
        .catch(() => null),
    ]);
    return toWorkspaceStats(raw as unknown as EngineStats, new Date(), diskBytes);
  }

  async logs(containerId: string, opts: { tail?: number; follow?: boolean; since?: Date }): Promise<Readable> {
    const query = {
      stdout: true,
      stderr: true,
      timestamps: false,
      ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
      ...(opts.since ? { since: Math.floor(opts.since.getTime() / 1000) } : {}),
    };
    const container = this.docker.getContainer(containerId);
    const out = new DockerLogDemuxer();
    if (!opts.follow) {
      const body = await this.call(`read the logs of ${containerId}`, (signal) =>
        container.logs(withSignal({ ...query, follow: false as const }, signal)),
      );
      out.end(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
      return out;
    }
    const source = (await this.call(`follow the logs of ${containerId}`, (signal) =>
      container.logs(withSignal({ ...query, follow: true as const }, signal)),
    )) as Readable;
    // The reader going away (a closed HTTP response destroys `out`) must close the engine's stream too.
    source.on("error", (err) => out.destroy(err));
    out.on("close", () => source.destroy());
    source.pipe(out);
    return out;
  }

  exec(containerId: string, opts: ExecOptions): Promise<ExecProcess> {
    return startExec(this.docker, this.endpoint, containerId, opts);
  }

  killByMarker(containerId: string, marker: string): Promise<void> {
    return killByMarker(this.docker, this.endpoint, containerId, marker, SLOT_EXEC_USER);
  }

  openTerminal(containerId: string, opts: TerminalOptions): Promise<TerminalProcess> {
    return openTerminal(this.docker, this.endpoint, containerId, opts);
  }

  private call<T>(action: string, fn: (signal: AbortSignal) => Promise<T>, timeoutMs?: number): Promise<T> {
    return callEngine(this.endpoint, action, fn, timeoutMs);
  }

  /** The slot a container of Berth's belongs to; null when there is no such container or it is not Berth's. */
  private async slotIdOf(containerId: string): Promise<string | null> {
    const known = this.slotOfContainer.get(containerId);
    if (known) return known;
    const raw = await this.inspectRaw(containerId);
    return raw?.Config?.Labels?.[LABELS.managed] === "1" ? (raw.Config.Labels[LABELS.slot] ?? null) : null;
  }

  private async inspectRaw(idOrName: string): Promise<Dockerode.ContainerInspectInfo | null> {
    try {
      const raw = await this.call(`inspect the container ${idOrName}`, (signal) =>
        this.docker.getContainer(idOrName).inspect(withSignal({}, signal)),
      );
      const labels = raw.Config?.Labels ?? {};
      const slotId = labels[LABELS.slot];
      if (labels[LABELS.managed] === "1" && slotId) {
        this.slotOfContainer.set(raw.Id, slotId).set(idOrName, slotId); // a name, too, always means this slot
        // Bounded: containers of removed slots leave through remove(); others were only looked at.
        if (this.slotOfContainer.size > 10_000) this.slotOfContainer.clear();
      }
      return raw;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** Berth never touches a container it did not create, nor one belonging to another slot. */
  private assertSlotContainer(raw: Dockerode.ContainerInspectInfo, slotId: string): Dockerode.ContainerInspectInfo {
    const labels = raw.Config?.Labels ?? {};
    if (labels[LABELS.managed] !== "1" || labels[LABELS.slot] !== slotId) {
      throw new RuntimeOperationError(
        `The container ${raw.Name.replace(/^\//, "")} (${raw.Id.slice(0, 12)}) is not Berth's container for slot ${slotId}.`,
        { status: 409 },
      );
    }
    return raw;
  }
}
