// What the kernel says about Berth's home disks: which path is mounted from which device, and which
// loop devices hold an image file. Read from /proc and /sys, so it is true after a restart or a
// reboot whatever Berth remembered.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { runTool } from "./host-tools";

export type MountEntry = { mountPoint: string; source: string; fsType: string };

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/<pid>/mountinfo text (see proc(5)): the fields before " - " and the fs type and source after it. */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const separator = line.indexOf(" - ");
    if (separator < 0) continue;
    const before = line.slice(0, separator).split(" ");
    const [fsType, source] = line.slice(separator + 3).split(" ");
    const mountPoint = before[4];
    if (!mountPoint || !fsType || source === undefined) continue;
    entries.push({ mountPoint: unescapeMountField(mountPoint), source: unescapeMountField(source), fsType });
  }
  return entries;
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile("/proc/self/mountinfo", "utf8"));
}

/** The mount visible at `mountPoint` (the last one when several are stacked), or null. */
export async function mountAt(mountPoint: string): Promise<MountEntry | null> {
  const entries = (await readMounts()).filter((m) => m.mountPoint === mountPoint);
  return entries.at(-1) ?? null;
}

/** Mounts strictly below `dir` (used before deleting a directory, never to recurse into a mount). */
export async function mountsBelow(dir: string): Promise<MountEntry[]> {
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return (await readMounts()).filter((m) => m.mountPoint.startsWith(prefix));
}

/** The file behind a loop device (/dev/loopN), or null when it is not a loop device or is detached. */
export async function loopBackingFile(device: string): Promise<string | null> {
  const match = /^\/dev\/(loop\d+)$/.exec(device);
  if (!match) return null;
  const text = await readFile(`/sys/block/${match[1]}/loop/backing_file`, "utf8").catch(() => null);
  return text === null ? null : text.replace(/\n$/, "");
}

/** Every loop device attached to `file` (matched by inode by losetup, so a renamed path still counts). */
export async function loopDevicesOf(file: string): Promise<string[]> {
  const { stdout } = await runTool("losetup", ["--noheadings", "--output", "NAME", "--associated", file], { timeoutMs: 15_000 });
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}
