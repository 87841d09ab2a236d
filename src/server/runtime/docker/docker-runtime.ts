// The Docker driver of WorkspaceRuntime: one container per slot, its home on a named volume.
import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import {
  LABELS,
  RuntimeOperationError,
  type ResourceChange,
  type SlotResources,
  type WorkspaceInfo,
  type WorkspaceRuntime,
  type WorkspaceSpec,
  type WorkspaceStats,
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
import { DockerLogDemuxer } from "./docker-logs";
import {
  containerName,
  homeVolumeName,
  resourceLimits,
  slotContainerOptions,
  slotLabels,
  toWorkspaceInfo,
  toWorkspaceStats,
  type EngineStats,
} from "./docker-mapping";
import { ensureSlotNetwork, SLOT_NETWORK } from "./docker-network";
import { guardHostFromSlots } from "./host-firewall";

const PING_TIMEOUT_MS = 3_000;
const DEFAULT_STOP_TIMEOUT_S = 5;
const LIST_INSPECT_CONCURRENCY = 8;

/** Enough of a pino logger for the driver's few warnings (the caller passes its own). */
export type RuntimeLogger = { warn(fields: object, message: string): void };

export type DockerRuntimeOptions = DockerEndpointOptions & { logger?: RuntimeLogger };

export class DockerRuntime implements WorkspaceRuntime {
  readonly name = "docker";
  private readonly endpoint: DockerEndpoint;
  private readonly docker: Dockerode;
  private readonly logger: RuntimeLogger | undefined;
  private network: Promise<string> | undefined;

  /** With no socketPath and no host: /var/run/docker.sock. The caller reads DOCKER_HOST and passes it as `host`. */
  constructor(opts: DockerRuntimeOptions = {}) {
    this.endpoint = resolveDockerEndpoint(opts);
    this.docker = createDockerClient(this.endpoint);
    this.logger = opts.logger;
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

    const labels = slotLabels(spec);
    await this.ensureHomeVolume(spec.slotId, labels);
    let networkId = await this.ensureNetwork();

    for (let attempt = 0; ; attempt++) {
      try {
        const container = await this.call(`create the container for slot ${spec.slotId}`, (signal) =>
          this.docker.createContainer(withSignal(slotContainerOptions(spec, networkId), signal)),
        );
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

  async start(containerId: string): Promise<void> {
    try {
      await this.call(`start the container ${containerId}`, (signal) =>
        this.docker.getContainer(containerId).start(withSignal({}, signal)),
      );
    } catch (err) {
      if (statusOf(err) !== 304) throw err; // 304: already running
    }
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
    if (opts.withHome) await this.removeHomeVolume(opts.slotId);
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
    // Disk: the home's size changes with its ext4 image (a later step), not through the engine.
    try {
      await this.call(`update the resources of ${containerId}`, (signal) =>
        this.docker.getContainer(containerId).update(withSignal(resourceLimits(resources), signal)),
      );
      return { applied: "live" };
    } catch (err) {
      const status = statusOf(err);
      // 404: no such container; 400: values no start could accept either (e.g. more CPUs than the host has).
      if (status === undefined || status === 404 || status === 400) throw err;
      // The kernel refused the change on the running container (e.g. memory below what it uses now).
      this.logger?.warn({ containerId, err }, "runtime: live resource change refused; it applies at next start");
      return { applied: "next-start" };
    }
  }

  async stats(containerId: string): Promise<WorkspaceStats> {
    // stream:false (without one-shot) makes the engine take two samples ~1 s apart, so CPU has a delta.
    const raw = await this.call(`read the stats of ${containerId}`, (signal) =>
      this.docker.getContainer(containerId).stats(withSignal({ stream: false as const }, signal)),
    );
    return toWorkspaceStats(raw as unknown as EngineStats, new Date());
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

  private call<T>(action: string, fn: (signal: AbortSignal) => Promise<T>, timeoutMs?: number): Promise<T> {
    return callEngine(this.endpoint, action, fn, timeoutMs);
  }

  private async inspectRaw(idOrName: string): Promise<Dockerode.ContainerInspectInfo | null> {
    try {
      return await this.call(`inspect the container ${idOrName}`, (signal) =>
        this.docker.getContainer(idOrName).inspect(withSignal({}, signal)),
      );
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

  private async ensureHomeVolume(slotId: string, labels: Record<string, string>): Promise<void> {
    // Creating a volume that exists returns it, so this is idempotent; the image's /home/berth
    // (owned by uid 1000) is copied into a new volume on first mount, which sets its ownership.
    await this.call(`create the home volume of slot ${slotId}`, (signal) =>
      this.docker.createVolume(withSignal({ Name: homeVolumeName(slotId), Labels: labels }, signal)),
    );
  }

  private async removeHomeVolume(slotId: string): Promise<void> {
    const volume = this.docker.getVolume(homeVolumeName(slotId));
    // A container removal still finishing keeps the volume "in use" (409) for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.call(`remove the home volume of slot ${slotId}`, (signal) => volume.remove(withSignal({}, signal)));
        return;
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) return;
        if (status !== 409 || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}
