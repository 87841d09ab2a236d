// The raw baseline of the slot benchmarks: what Berth asks of the engine for one slot, straight through
// dockerode with the container options Berth builds (slotContainerOptions: tini init, CapDrop ALL,
// no-new-privileges, non-root user, memory = swap, NanoCpus, PidsLimit, the slots' network, a home
// volume, log rotation), and nothing else: no database, no HTTP, no checks.
import { createDockerClient, resolveDockerEndpoint } from "@/server/runtime/docker/docker-client";
import { HOME_DIR, slotContainerOptions } from "@/server/runtime/docker/docker-mapping";
import { ensureSlotNetwork } from "@/server/runtime/docker/docker-network";
import type { SlotResources } from "@/server/runtime/types";

export const BENCH_LABEL = "berth.bench";
export const endpoint = resolveDockerEndpoint({ host: process.env.DOCKER_HOST });
export const docker = createDockerClient(endpoint);

export type RawSlot = Awaited<ReturnType<typeof rawStart>>;

/** The id of Berth's slot network (made if missing), so raw containers join the same bridge. */
export function slotNetwork(): Promise<string> {
  return ensureSlotNetwork(docker, endpoint);
}

/** createVolume + createContainer + start, timed. Labelled as the bench's, never as Berth's, so no reconciler touches them. */
export async function rawStart(opts: { runId: string; i: number; image: string; networkId: string; resources: SlotResources }) {
  const slotId = `bench-raw-${opts.runId}-${opts.i}`;
  const options = slotContainerOptions({ slotId, ownerId: "bench", image: opts.image, env: { BERTH_SLOT_ID: slotId }, resources: opts.resources }, opts.networkId);
  const labels = { [BENCH_LABEL]: opts.runId };
  const volume = `berth-bench-home-${opts.runId}-${opts.i}`;
  const t0 = performance.now();
  await docker.createVolume({ Name: volume, Labels: labels });
  const container = await docker.createContainer({
    ...options,
    Labels: labels,
    HostConfig: { ...options.HostConfig, Mounts: [{ Type: "volume", Source: volume, Target: HOME_DIR }] },
  });
  const created = performance.now();
  await container.start();
  const ms = performance.now() - t0;
  return { ms, create: created - t0, start: ms - (created - t0), container, volume };
}

/** container.stop with Berth's timeout (DockerRuntime's DEFAULT_STOP_TIMEOUT_S), timed. */
export async function rawStop(slot: RawSlot): Promise<number> {
  const t0 = performance.now();
  await slot.container.stop({ t: 5 });
  return performance.now() - t0;
}

export async function rawRemove(slot: RawSlot): Promise<void> {
  await slot.container.remove({ force: true }).catch(() => undefined);
  await docker.getVolume(slot.volume).remove().catch(() => undefined);
}

/** Everything carrying one of these labels: the bench's raw containers, or an installation's slots. */
export async function removeByLabel(label: string): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
  for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
export const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.9) - 1)]!;
export const fmt = (ms: number): string => ms.toFixed(1).padStart(7);
