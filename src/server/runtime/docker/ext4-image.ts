// One ext4 filesystem in a regular file: made sparse, measured from its superblock, checked and
// resized offline. home-disk.ts decides when; this module knows how.
import { open, stat, truncate } from "node:fs/promises";
import { HostToolError, runTool } from "./host-tools";

/**
 * A sparse file formatted ext4 with no blocks reserved for root (the slot user gets the whole disk).
 * assume_storage_prezeroed: a new sparse file reads as zeros, so neither mke2fs nor the kernel's lazy
 * init writes the inode tables (which would allocate host space for nothing); e2fsprogs before 1.47
 * lacks the option, and then gets lazy init. The file is created exclusively: never an existing one.
 */
export async function makeExt4Image(file: string, bytes: number): Promise<void> {
  const handle = await open(file, "wx", 0o600);
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
  const mkfs = (extended: string) => runTool("mkfs.ext4", ["-F", "-q", "-m", "0", "-L", "berth-home", "-E", extended, file]);
  await mkfs("assume_storage_prezeroed=1,nodiscard").catch((err: unknown) => {
    if (err instanceof HostToolError && /assume_storage_prezeroed|bad option/i.test(err.stderr)) {
      return mkfs("lazy_itable_init=1,lazy_journal_init=1,nodiscard");
    }
    throw err;
  });
}

/** The filesystem's own size (block count × block size) from its superblock: the image file may be longer. */
export async function ext4Bytes(deviceOrImage: string): Promise<number> {
  const { stdout } = await runTool("dumpe2fs", ["-h", deviceOrImage], { timeoutMs: 30_000 });
  const count = /^Block count:\s+(\d+)/m.exec(stdout)?.[1];
  const size = /^Block size:\s+(\d+)/m.exec(stdout)?.[1];
  if (!count || !size) throw new Error("dumpe2fs did not report the filesystem's size");
  return Number(count) * Number(size);
}

/** e2fsck -f -p on an unmounted image (resize2fs insists on a fresh check); exits 1 and 2 mean "fixed". */
export async function checkExt4Image(image: string): Promise<void> {
  await runTool("e2fsck", ["-f", "-p", image]).catch((err: unknown) => {
    if (!(err instanceof HostToolError && (err.exitCode === 1 || err.exitCode === 2))) throw err;
  });
}

/** Grows or shrinks the filesystem in an unmounted, checked image, and the file with it. */
export async function resizeExt4Image(image: string, bytes: number): Promise<void> {
  await extendFile(image, bytes);
  await runTool("resize2fs", [image, `${Math.floor(bytes / 1024)}K`]);
  await truncate(image, bytes);
}

/** Grows a mounted filesystem through its loop device; needs CAP_SYS_RESOURCE, so it may be refused. */
export async function growMountedExt4(image: string, device: string, bytes: number): Promise<void> {
  await extendFile(image, bytes);
  await runTool("losetup", ["--set-capacity", device]);
  await runTool("resize2fs", [device, `${Math.floor(bytes / 1024)}K`]);
}

async function extendFile(file: string, bytes: number): Promise<void> {
  if ((await stat(file)).size < bytes) await truncate(file, bytes);
}
