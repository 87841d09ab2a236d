// Per-slot home disks: one ext4 image file per slot, loop-mounted by Berth, so a full home stops
// writes for that slot alone (overlay2 on ext4 ignores --storage-opt size; ARCHITECTURE.md
// "Isolation"). slot-home.ts hands the mounted directory to Docker.
//
// Layout of the homes directory (<data dir>/homes, mode 0700):
//   <slotId>.ext4   the image: a sparse file of diskMiB, ext4 with no reserved blocks
//   <slotId>/       its mount point while attached (nosuid, nodev, discard)
//   <slotId>/home/  owned by the slot user: what the container sees as /home/berth
// When the image is not mounted, <slotId>/home does not exist, so Docker refuses to start the
// container rather than giving it an unlimited directory on the host's disk.
//
// Lifecycle: made and mounted at create, mounted again (idempotently) before every start — after a
// host reboot the loop devices are gone — kept mounted while the slot is stopped (usage stays
// readable, nothing to redo at start), unmounted and deleted with the slot. `mount -o loop` picks a
// free loop device atomically (20 concurrent mounts: 20 devices, no race) and sets autoclear, so
// the umount frees the device. Each mount also clears the files of uploads that a Berth stopped
// mid-upload left at the home's top (removeStaleUploads).
//
// Images are sparse and mounted with discard: a disk takes host space only for what the slot
// writes, and gives back what it deletes. Each new disk (and each growth) must fit in the host's
// free space when made, but disks together may promise more than the host has (thin provisioning).
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, chown, link, lstat, mkdir, readdir, realpath, rm, rmdir, statfs, unlink } from "node:fs/promises";
import path from "node:path";
import { RuntimeOperationError } from "../types";
import { SLOT_GID, SLOT_UID } from "./docker-mapping";
import { checkExt4Image, ext4Bytes, growMountedExt4, makeExt4Image, resizeExt4Image } from "./ext4-image";
import { PROBE_DISK_PREFIX, probeHomeDiskSupport, type HomeDiskSupport } from "./home-disk-support";
import { runTool } from "./host-tools";
import { loopBackingFile, loopDevicesOf, mountAt, mountsBelow } from "./loop-mounts";

const MiB = 1024 * 1024;
// discard: space the slot frees goes back to the host (the image is sparse). No noexec: people run
// their code from their home.
const MOUNT_OPTIONS = "loop,nosuid,nodev,discard";
const UMOUNT_ATTEMPTS = 15;
const LOOP_RELEASE_MS = 5_000;
const SLOT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export type { HomeDiskSupport };
export type HomeDiskUsage = { usedBytes: number; sizeBytes: number };

/** What a size change will do; made without side effects, so a refusal changes nothing. */
export type DiskResizePlan =
  | { slotId: string; action: "none" }
  | { slotId: string; action: "grow-live" | "grow-offline" | "shrink-offline" | "shrink-next-start"; bytes: number };

type Layout = { dir: string; image: string; mountPoint: string; home: string };

export class HomeDisks {
  private readonly dirOption: string | (() => string);
  private realDir: Promise<string> | undefined;
  private readonly locks = new Map<string, Promise<void>>();
  private probe: Promise<HomeDiskSupport> | undefined;

  /** `dir`: where images and mount points live (a function: resolved on first use). */
  constructor(opts: { dir: string | (() => string) }) {
    this.dirOption = opts.dir;
  }

  /** Can this host make and mount disks at all? Checked once, with a real image, then remembered. */
  support(): Promise<HomeDiskSupport> {
    this.probe ??= probeHomeDiskSupport(this);
    return this.probe;
  }

  /**
   * The slots that have a disk here: an image, or a mount point left without one (a removal cut
   * short). Images being made (`.tmp-…`) are not disks yet, and the support probe's is no slot's.
   */
  async slotIds(): Promise<string[]> {
    const entries = await readdir(await this.dir(), { withFileTypes: true });
    const ids = new Set<string>();
    for (const entry of entries) {
      const id = entry.isFile() && entry.name.endsWith(".ext4") ? entry.name.slice(0, -".ext4".length) : entry.isDirectory() ? entry.name : null;
      if (id !== null && SLOT_ID.test(id) && !id.startsWith(PROBE_DISK_PREFIX)) ids.add(id);
    }
    return [...ids].sort();
  }

  async hasImage(slotId: string): Promise<boolean> {
    const layout = await this.layout(slotId).catch(() => null);
    return layout !== null && (await exists(layout.image));
  }

  /** The directory to give the container (exists only while the disk is mounted). */
  async homePath(slotId: string): Promise<string> {
    return (await this.layout(slotId)).home;
  }

  /** Makes the slot's image (sparse, ext4) unless it exists; an existing image keeps its size and files. */
  create(slotId: string, sizeMiB: number): Promise<"created" | "existing"> {
    return this.locked(slotId, async () => {
      const l = await this.layout(slotId);
      if (await exists(l.image)) return "existing";
      await this.assertFreeSpace(l, sizeMiB * MiB, `a ${sizeMiB} MiB home disk`);
      const tmp = `${l.image}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
      try {
        await makeExt4Image(tmp, sizeMiB * MiB);
        // link, not rename: it fails when another process finished first, instead of replacing an image in use.
        const won = await link(tmp, l.image).then(() => true, (err: NodeJS.ErrnoException) => {
          if (err.code === "EEXIST") return false;
          throw err;
        });
        return won ? "created" : "existing";
      } catch (err) {
        throw diskError(`make the home disk of slot ${slotId}`, err, l);
      } finally {
        await rm(tmp, { force: true });
      }
    });
  }

  /** Mounts the slot's image (idempotent). Throws when the image is missing: its files are gone. */
  attach(slotId: string): Promise<void> {
    return this.locked(slotId, async () => this.mount(await this.layout(slotId), slotId));
  }

  /** Unmounts the slot's image and frees its loop device (idempotent). */
  detach(slotId: string): Promise<void> {
    return this.locked(slotId, async () => this.unmount(await this.layout(slotId), slotId));
  }

  /** Unmounts and deletes the slot's disk (idempotent). */
  remove(slotId: string): Promise<void> {
    return this.locked(slotId, async () => {
      const l = await this.layout(slotId).catch(() => null);
      if (!l) return; // no homes directory: nothing was ever made here
      const hasImage = await exists(l.image);
      if (!hasImage && !(await exists(l.mountPoint))) return;
      await this.unmount(l, slotId);
      await rm(l.image, { force: true });
      for (const name of await readdir(l.dir)) {
        if (name.startsWith(`${slotId}.ext4.tmp-`)) await rm(path.join(l.dir, name), { force: true });
      }
      // Never recurse into a mount: the mount point must be empty, or hold nothing mounted.
      await rmdir(l.mountPoint).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return;
        if (err.code === "ENOTEMPTY" && (await mountsBelow(l.mountPoint)).length === 0 && !(await mountAt(l.mountPoint))) {
          await rm(l.mountPoint, { recursive: true, force: true });
          return;
        }
        throw diskError(`remove the mount point of slot ${slotId}`, err, l);
      });
    });
  }

  /** The slot's home directory on this host while its disk is mounted here (what its container sees as /home/berth), else null. */
  async mountedHome(slotId: string): Promise<string | null> {
    const l = await this.layout(slotId).catch(() => null);
    if (!l || !(await this.mountedDevice(l, slotId).catch(() => null))) return null;
    return l.home;
  }

  /** Bytes used and total of the slot's mounted home filesystem; null when it is not mounted here. */
  async usage(slotId: string): Promise<HomeDiskUsage | null> {
    const l = await this.layout(slotId).catch(() => null);
    if (!l || !(await this.mountedDevice(l, slotId))) return null;
    const s = await statfs(l.mountPoint);
    return { usedBytes: (s.blocks - s.bfree) * s.bsize, sizeBytes: s.blocks * s.bsize };
  }

  /**
   * Decides how the disk gets to `sizeMiB`. Growing is live when the kernel allows online resize
   * (it needs CAP_SYS_RESOURCE), else offline. Shrinking is always offline (ext4 cannot shrink
   * mounted): now when the slot is stopped, else at its next start; it is refused outright when
   * the files already take more than the new size (resize2fs has the last word offline).
   */
  async planResize(slotId: string, sizeMiB: number, opts: { inUse: boolean }): Promise<DiskResizePlan> {
    const l = await this.layout(slotId).catch(() => null);
    if (!l || !(await exists(l.image))) return { slotId, action: "none" };
    const bytes = sizeMiB * MiB;
    const device = await this.mountedDevice(l, slotId);
    const current = await ext4Bytes(device ?? l.image);
    if (current === bytes) return { slotId, action: "none" };
    if (bytes > current) {
      await this.assertFreeSpace(l, bytes - current, `${Math.ceil((bytes - current) / MiB)} MiB more home disk`);
      return { slotId, action: opts.inUse ? "grow-live" : "grow-offline", bytes };
    }
    const used = device ? ((await this.usage(slotId))?.usedBytes ?? 0) : 0;
    if (used > bytes) throw tooFull(slotId, used, sizeMiB);
    return { slotId, action: opts.inUse ? "shrink-next-start" : "shrink-offline", bytes };
  }

  /** Carries out a plan: "live" when the new size holds now, "next-start" when it waits for a stopped slot. */
  applyResize(plan: DiskResizePlan): Promise<"none" | "live" | "next-start"> {
    if (plan.action === "none") return Promise.resolve("none");
    if (plan.action === "shrink-next-start") return Promise.resolve("next-start");
    const { slotId, bytes } = plan;
    return this.locked(slotId, async () => {
      const l = await this.layout(slotId);
      if (plan.action === "grow-live") {
        const device = await this.mountedDevice(l, slotId);
        if (!device) return "next-start";
        // Refused without CAP_SYS_RESOURCE (EPERM). The image file may then be longer than its
        // filesystem, which is harmless: sizes are read from the superblock, and the offline
        // resize at the next start grows it.
        return growMountedExt4(l.image, device, bytes).then(() => "live" as const, () => "next-start" as const);
      }
      await this.offline(l, slotId, () =>
        resizeExt4Image(l.image, bytes).catch((err: unknown) => {
          if (plan.action === "grow-offline") throw err;
          throw new RuntimeOperationError(`The files in slot ${slotId}'s home do not fit in ${Math.round(bytes / MiB)} MiB. Delete some, or keep a larger disk.`, { status: 409, cause: err });
        }),
      );
      return "live";
    });
  }

  private async mount(l: Layout, slotId: string): Promise<void> {
    if (!(await this.mountedDevice(l, slotId))) {
      if (!(await exists(l.image))) {
        throw new RuntimeOperationError(`The home disk of slot ${slotId} is missing, so its files are gone. Delete the slot, or ask an administrator.`, { status: 410 });
      }
      await mkdir(l.mountPoint, { recursive: true, mode: 0o700 });
      try {
        await runTool("mount", ["-t", "ext4", "-o", MOUNT_OPTIONS, l.image, l.mountPoint], { timeoutMs: 60_000 });
      } catch (err) {
        // Another Berth process may have mounted it a moment ago; anything else is a real failure.
        if (!(await this.mountedDevice(l, slotId))) throw diskError(`mount the home disk of slot ${slotId}`, err, l);
      }
    }
    // The slot user's directory, made once (later its owner may change its mode as they like).
    const made = await mkdir(l.home, { mode: 0o755 }).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === "EEXIST") return false;
      throw diskError(`prepare the home of slot ${slotId}`, err, l);
    });
    if (made) {
      await chmod(l.home, 0o755);
      await chown(l.home, SLOT_UID, SLOT_GID);
    }
    await removeStaleUploads(l.home).catch(() => undefined);
  }

  private async unmount(l: Layout, slotId: string): Promise<void> {
    for (let attempt = 1; await this.mountedDevice(l, slotId); attempt++) {
      try {
        await runTool("umount", [l.mountPoint], { timeoutMs: 60_000 });
      } catch (err) {
        // Busy: a container that just stopped may still be letting go of its bind of the home.
        if (attempt >= UMOUNT_ATTEMPTS) throw diskError(`unmount the home disk of slot ${slotId}`, err, l, 409);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    // The kernel frees an autoclear loop device a moment after the umount, from a work queue; and
    // one can outlive its mount (a crash between attach and mount, or one attached by hand). Wait
    // for the image's devices to go, detaching any that stay; one still in use only gets autoclear.
    if (!(await exists(l.image))) return;
    const deadline = Date.now() + LOOP_RELEASE_MS;
    for (let devices = await loopDevicesOf(l.image).catch(() => []); devices.length > 0 && Date.now() < deadline; devices = await loopDevicesOf(l.image).catch(() => [])) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const device of devices) await runTool("losetup", ["--detach", device]).catch(() => undefined);
    }
  }

  /** Unmounted and free of loop devices while `work` runs, checked first, mounted again after. */
  private async offline(l: Layout, slotId: string, work: () => Promise<void>): Promise<void> {
    await this.unmount(l, slotId);
    let failure: unknown;
    try {
      if ((await loopDevicesOf(l.image)).length > 0) {
        throw new RuntimeOperationError(`The home disk of slot ${slotId} is still in use, so it cannot be resized now. Try again once the slot has stopped.`, { status: 409 });
      }
      await checkExt4Image(l.image);
      await work();
    } catch (err) {
      failure = err;
    }
    try {
      await this.mount(l, slotId);
    } catch (err) {
      failure ??= err;
    }
    if (failure) throw failure instanceof RuntimeOperationError ? failure : diskError(`resize the home disk of slot ${slotId}`, failure, l);
  }

  /** The loop device mounted at the slot's mount point, or null; refuses a mount that is not its image. */
  private async mountedDevice(l: Layout, slotId: string): Promise<string | null> {
    const entry = await mountAt(l.mountPoint);
    if (!entry) return null;
    const backing = await loopBackingFile(entry.source);
    if (backing === null || backing.replace(/ \(deleted\)$/, "") !== l.image) {
      throw new RuntimeOperationError(`Something other than slot ${slotId}'s home disk is mounted where that disk belongs; an administrator must unmount it.`, { status: 409 });
    }
    return entry.source;
  }

  private async assertFreeSpace(l: Layout, bytes: number, what: string): Promise<void> {
    const s = await statfs(l.dir);
    const free = s.bavail * s.bsize;
    if (free < bytes) {
      throw new RuntimeOperationError(
        `The host has ${Math.floor(free / MiB)} MiB of free disk space, not enough for ${what}. An administrator must free space, or choose a smaller disk.`,
        { status: 507 },
      );
    }
  }

  /** Real paths (mountinfo and the loop driver report resolved ones); creates the homes directory. */
  private async layout(slotId: string): Promise<Layout> {
    if (!SLOT_ID.test(slotId)) throw new RuntimeOperationError(`"${slotId}" is not a valid slot id for a home disk.`, { status: 400 });
    const dir = await this.dir();
    const mountPoint = path.join(dir, slotId);
    return { dir, image: path.join(dir, `${slotId}.ext4`), mountPoint, home: path.join(mountPoint, "home") };
  }

  /** The homes directory's real path, made (mode 0700) on first use. */
  private dir(): Promise<string> {
    this.realDir ??= (async () => {
      const dir = path.resolve(typeof this.dirOption === "function" ? this.dirOption() : this.dirOption);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return realpath(dir);
    })().catch((err: unknown) => {
      this.realDir = undefined;
      throw err;
    });
    return this.realDir;
  }

  /** One operation at a time per slot (within this process); different slots run in parallel. */
  private locked<T>(slotId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(slotId) ?? Promise.resolve();
    const result = previous.then(fn);
    const settled = result.then(() => undefined, () => undefined);
    this.locks.set(slotId, settled);
    void settled.then(() => {
      if (this.locks.get(slotId) === settled) this.locks.delete(slotId);
    });
    return result;
  }
}

/** What docker-files.ts writeStaged names an upload's file at the home's top while its bytes arrive. */
const STAGED_UPLOAD = /^\.berth-upload-[0-9a-f]{24}$/;
/** An upload's file untouched this long was left by a Berth that stopped mid-upload (a live one is written every moment). */
const STALE_UPLOAD_MS = 60 * 60_000;

/**
 * Removes uploads' files that a Berth stopped mid-upload left at the home's top (root's, 0600: the
 * slot user can delete them but not read them). Names only at the top, never followed: lstat and
 * unlink act on the entry itself; the slot user's own files (theirs, not root's) are never touched.
 */
async function removeStaleUploads(home: string): Promise<void> {
  const before = Date.now() - STALE_UPLOAD_MS;
  for (const name of await readdir(home)) {
    if (!STAGED_UPLOAD.test(name)) continue;
    const entry = path.join(home, name);
    const s = await lstat(entry).catch(() => null);
    if (s?.isFile() && s.uid === 0 && s.mtimeMs < before) await unlink(entry).catch(() => undefined);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file, constants.F_OK).then(() => true, () => false);
}

function tooFull(slotId: string, usedBytes: number, sizeMiB: number): RuntimeOperationError {
  return new RuntimeOperationError(
    `Slot ${slotId}'s home holds ${Math.ceil(usedBytes / MiB)} MiB, more than a ${sizeMiB} MiB disk can hold. Delete files first, or keep a larger disk.`,
    { status: 409 },
  );
}

/** A failure people may read (it can reach a slot's last error): the host's paths are left out. */
function diskError(action: string, err: unknown, l: Layout, status?: number): RuntimeOperationError {
  if (err instanceof RuntimeOperationError) return err;
  const said = (err instanceof Error ? err.message : String(err)).split(l.dir).join("<homes>");
  return new RuntimeOperationError(`Berth could not ${action}: ${said}`, { cause: err, ...(status ? { status } : {}) });
}
