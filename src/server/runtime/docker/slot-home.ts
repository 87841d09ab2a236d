// A slot's home as the engine sees it: the named volume berth-home-<slotId>, mounted at /home/berth.
//
// Where Berth can enforce the disk limit, the volume is a bind (local driver, type "none", o=bind)
// of the slot's loop-mounted ext4 disk (home-disk.ts). Why a bind volume rather than the other two
// ways to hand a mount to a container:
//  - a plain bind mount of the directory would work, but Docker copies the image's /home/berth
//    (owner, /etc/skel dotfiles) only into volumes, never into bind mounts;
//  - a local volume of type ext4 on /dev/loopN would make Docker mount the device itself, but the
//    local driver calls mount(2) directly (so `o=loop` does nothing) and a loop device's number is
//    not stable: after a reboot /dev/loopN may hold another slot's image. The bind's device is a
//    path, stable across reboots, and it does not exist until Berth mounts the right image there.
// Elsewhere (not root, a remote engine, no loop devices) the volume is a plain one: the slot works,
// its size is recorded but not enforced, and the runtime says so (capabilities().diskLimitEnforced).
import os from "node:os";
import type Dockerode from "dockerode";
import { LABELS, type HomeInfo, type WorkspaceSpec } from "../types";
import { callEngine, statusOf, withSignal, type DockerEndpoint } from "./docker-client";
import { homeVolumeName, slotLabels } from "./docker-mapping";
import type { HomeDisks, HomeDiskSupport } from "./home-disk";

type Logger = { warn(fields: object, message: string): void };

export class SlotHomes {
  private support: Promise<HomeDiskSupport> | undefined;
  /** By slot: whether its volume binds its disk (a volume never changes once made; forgotten at removal). */
  private readonly boundToDisk = new Map<string, boolean>();

  constructor(
    private readonly docker: Dockerode,
    private readonly endpoint: DockerEndpoint,
    readonly disks: HomeDisks,
    private readonly logger?: Logger,
  ) {}

  /** Whether new homes get an enforced size; decided once (an unreachable engine is asked again later). */
  diskSupport(): Promise<HomeDiskSupport> {
    this.support ??= this.decideSupport().then(
      (answer) => {
        if (!answer.enforced) this.logger?.warn({ reason: answer.reason }, "runtime: slot disk limits are not enforced; new homes are plain volumes");
        return answer;
      },
      (err: unknown) => {
        this.support = undefined;
        throw err;
      },
    );
    return this.support;
  }

  /** Makes the slot's home (idempotent). An existing volume is kept as it is: its files live there. */
  async ensure(spec: WorkspaceSpec): Promise<void> {
    const { slotId } = spec;
    const existing = await this.inspectVolume(slotId);
    if (existing) {
      // A disk-backed home whose disk is ours: mount it. A plain volume (made before disks were
      // enforced here) stays unlimited rather than losing its files.
      if (existing.Options?.o === "bind" && existing.Options.device === (await this.disks.homePath(slotId))) await this.disks.attach(slotId);
      return;
    }
    const options: Dockerode.VolumeCreateOptions = { Name: homeVolumeName(slotId), Labels: slotLabels(spec) };
    if ((await this.diskSupport()).enforced) {
      await this.disks.create(slotId, spec.resources.diskMiB);
      await this.disks.attach(slotId);
      options.Driver = "local";
      options.DriverOpts = { type: "none", o: "bind", device: await this.disks.homePath(slotId) };
    }
    await callEngine(this.endpoint, `create the home volume of slot ${slotId}`, (signal) => this.docker.createVolume(withSignal(options, signal)));
  }

  /** Before every start: the disk must be mounted (after a host reboot it is not). */
  async beforeStart(slotId: string): Promise<void> {
    if (await this.disks.hasImage(slotId)) await this.disks.attach(slotId);
  }

  /**
   * The host directory that the slot's container sees as /home/berth, when that is the slot's disk
   * mounted on this host; null otherwise (a plain volume, a remote engine, a disk not mounted now).
   */
  async hostHome(slotId: string): Promise<string | null> {
    const support = await this.diskSupport().catch(() => null);
    if (!support?.enforced) return null;
    let bound = this.boundToDisk.get(slotId);
    if (bound === undefined) {
      const volume = await this.inspectVolume(slotId);
      if (!volume) return null;
      bound = volume.Options?.o === "bind" && volume.Options.device === (await this.disks.homePath(slotId));
      this.boundToDisk.set(slotId, bound);
    }
    return bound ? this.disks.mountedHome(slotId) : null;
  }

  async usedBytes(slotId: string): Promise<number | null> {
    return (await this.disks.usage(slotId))?.usedBytes ?? null;
  }

  /**
   * Every home: the volumes Berth labelled (whose labels name the installation), and the disks in
   * the homes directory that have no volume (a creation or removal cut short between the two), whose
   * installation nothing records: several may share a data directory, so those say null.
   */
  async list(): Promise<HomeInfo[]> {
    const { Volumes: volumes } = await callEngine(this.endpoint, "list Berth's home volumes", (signal) =>
      this.docker.listVolumes(withSignal({ filters: { label: [`${LABELS.managed}=1`] } }, signal)),
    );
    const homes = new Map<string, HomeInfo>();
    for (const volume of volumes ?? []) {
      const slotId = volume.Labels?.[LABELS.slot];
      if (slotId && volume.Name === homeVolumeName(slotId)) homes.set(slotId, { slotId, instanceId: volume.Labels?.[LABELS.instance] ?? null });
    }
    const disks = (await this.diskSupport()).enforced ? await this.disks.slotIds() : [];
    for (const slotId of disks) if (!homes.has(slotId)) homes.set(slotId, { slotId, instanceId: null });
    return [...homes.values()];
  }

  /** Removes the volume, then the disk behind it (idempotent). */
  async remove(slotId: string): Promise<void> {
    this.boundToDisk.delete(slotId);
    const volume = this.docker.getVolume(homeVolumeName(slotId));
    // A container removal still finishing keeps the volume "in use" (409) for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        await callEngine(this.endpoint, `remove the home volume of slot ${slotId}`, (signal) => volume.remove(withSignal({}, signal)));
        break;
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) break;
        if (status !== 409 || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    await this.disks.remove(slotId);
  }

  private async inspectVolume(slotId: string): Promise<Dockerode.VolumeInspectInfo | null> {
    try {
      return await callEngine(this.endpoint, `inspect the home volume of slot ${slotId}`, (signal) =>
        this.docker.getVolume(homeVolumeName(slotId)).inspect(withSignal({}, signal)),
      );
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** The engine must share this host and its mounts, then the host must be able to make disks. */
  private async decideSupport(): Promise<HomeDiskSupport> {
    if (!this.endpoint.options.socketPath || this.endpoint.description.startsWith("npipe://")) {
      return { enforced: false, reason: `the Docker engine is remote (${this.endpoint.description}), so Berth cannot mount disks where it runs` };
    }
    // dockerode's info() takes options (the abort signal) though its typing does not say so.
    const info = (this.docker.info as (opts: object) => Promise<{ Name?: string }>).bind(this.docker);
    const engine = await callEngine(this.endpoint, "describe itself", (signal) => info(withSignal({}, signal)));
    if (engine.Name && engine.Name !== os.hostname()) {
      // A socket forwarded from another machine or VM, or Berth in a container of its own.
      return { enforced: false, reason: `the Docker engine runs on "${engine.Name}", not on this host ("${os.hostname()}"), so it would not see the disks Berth mounts` };
    }
    return this.disks.support();
  }
}
