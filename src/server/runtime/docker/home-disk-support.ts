// Can this host give slots size-limited homes? Checked once per process, ending with the real thing
// (a small disk made, mounted, written, removed), so "enforced" means seen working, not assumed.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, readlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HomeDisks } from "./home-disk";
import { findTool, HOST_TOOLS } from "./host-tools";

export type HomeDiskSupport = { enforced: true } | { enforced: false; reason: string };

const PROBE_MiB = 8;
/** The probe's disk is named so that listings of slots' disks can leave it out. */
export const PROBE_DISK_PREFIX = "probe-";

export async function probeHomeDiskSupport(disks: HomeDisks): Promise<HomeDiskSupport> {
  const no = (reason: string): HomeDiskSupport => ({ enforced: false, reason });
  if (process.platform !== "linux") return no("per-slot disks need Linux (an ext4 image on a loop device)");
  if (process.getuid?.() !== 0) return no("Berth is not running as root, so it cannot mount a disk image per slot");
  if (!(await access("/dev/loop-control", constants.F_OK).then(() => true, () => false))) {
    return no("this host has no loop devices (/dev/loop-control is missing)");
  }
  for (const tool of HOST_TOOLS) {
    if (!(await findTool(tool))) return no(`${tool} is not installed (on Debian: apt-get install e2fsprogs mount)`);
  }
  const [mine, init] = await Promise.all([readlink("/proc/self/ns/mnt").catch(() => null), readlink("/proc/1/ns/mnt").catch(() => null)]);
  if (mine && init && mine !== init) {
    return no("Berth runs in a mount namespace of its own (e.g. a service with PrivateTmp or ProtectSystem), so the engine would not see the disks it mounts");
  }
  const probeId = `${PROBE_DISK_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await disks.create(probeId, PROBE_MiB);
    await disks.attach(probeId);
    await writeFile(path.join(await disks.homePath(probeId), "probe"), "ok\n");
    return { enforced: true };
  } catch (err) {
    return no(`a test disk could not be made and mounted (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    await disks.remove(probeId).catch(() => undefined);
  }
}
