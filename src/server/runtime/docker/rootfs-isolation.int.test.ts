// From inside real slots: the slot user can write nowhere on the container's root filesystem (which
// lives on the host's disk, with no size limit) except the home disk and the tmpfs mounts, which are
// bounded by the slot's memory; filling them hurts that slot alone, and tmux still finds its /tmp.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlotResources, WorkspaceSpec } from "../types";
import { DockerRuntime } from "./docker-runtime";
import { execInSlot } from "./test-exec";
import { ensureTinyImage } from "./test-images";

const WORKSPACE_IMAGE = "berth/workspace:latest";
const rt = new DockerRuntime({ homeDisksDir: path.join(os.tmpdir(), "berth-test-homes") });
const docker = new Dockerode({ socketPath: "/var/run/docker.sock" });
const MiB = 1024 * 1024;
const RESOURCES: SlotResources = { cpuMillicores: 500, memoryMiB: 128, diskMiB: 64, pids: 64 };
/** What the slot user may write: its home (the slot's disk) and the tmpfs mounts (slotTmpfs). */
const WRITABLE = ["/home/berth", "/run/lock", "/tmp", "/var/tmp"];

let tiny: string;
const slotIds: string[] = [];

async function runningSlot(image: string, resources: SlotResources = RESOURCES): Promise<string> {
  const slotId = `test-${randomBytes(5).toString("hex")}`;
  slotIds.push(slotId);
  const spec: WorkspaceSpec = { slotId, ownerId: "owner-test", image, env: {}, resources };
  const { containerId } = await rt.create(spec);
  await rt.start(containerId);
  return containerId;
}

const sh = (containerId: string, script: string) => execInSlot(docker, containerId, script);

/**
 * As the slot user, walks the root filesystem and every other disk-backed mount but the home (-xdev:
 * a mount's contents are its own filesystem's business; the pseudo filesystems under /proc, /sys
 * and /dev are not disks) and prints each path it may write, or owns (an owner can chmod its way to
 * writing). Symlinks are skipped: writing through one writes where it points, which is checked
 * there (Debian's /var/lock points to /run/lock; /etc/mtab to the process's own /proc/<pid>/mounts).
 * Plain POSIX sh and busybox find, so both images run it.
 */
const SCAN = `
walk() { find "$1" -xdev ! -type l 2>/dev/null | while IFS= read -r p; do if [ -w "$p" ] || [ -O "$p" ]; then printf 'W\\t%s\\n' "$p"; fi; done; }
walk /
while read -r src mp fstype rest; do
  printf 'M\\t%s\\t%s\\t%s\\n' "$mp" "$fstype" "$rest"
  case "$mp" in /|/home/berth|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue;; esac
  [ "$fstype" = tmpfs ] || walk "$mp"
done < /proc/mounts
echo scanned`;

type Scan = { writable: string[]; mounts: Map<string, { fsType: string; options: string }> };

async function scanRootfs(containerId: string): Promise<Scan> {
  const { code, output } = await sh(containerId, SCAN);
  expect(code).toBe(0);
  expect(output).toMatch(/^scanned$/m);
  const writable: Scan["writable"] = [];
  const mounts: Scan["mounts"] = new Map();
  for (const line of output.split("\n")) {
    const [kind, a = "", b = "", c = ""] = line.split("\t");
    if (kind === "W") writable.push(a);
    if (kind === "M") mounts.set(a, { fsType: b, options: c });
  }
  return { writable, mounts };
}

/** Bytes the container's writable layer takes on the host's disk (what an unbounded /tmp would fill). */
async function layerBytes(containerId: string): Promise<number> {
  const [listed] = await docker.listContainers({ all: true, size: true, filters: { id: [containerId] } });
  if (!listed) throw new Error(`no container ${containerId}`);
  return (listed as Dockerode.ContainerInfo & { SizeRw?: number }).SizeRw ?? 0;
}

beforeAll(async () => {
  tiny = await ensureTinyImage();
  if (!(await rt.hasImage(WORKSPACE_IMAGE))) {
    throw new Error(`${WORKSPACE_IMAGE} is not built on this engine: run \`npm run images\` (about 1–2 minutes, needs root and the Debian mirror).`);
  }
}, 120_000);

afterAll(async () => {
  for (const slotId of slotIds) await rt.remove(`berth-${slotId}`, { slotId, withHome: true }).catch(() => undefined);
}, 60_000);

describe("the root filesystem of a slot", () => {
  it.each([
    ["berth/workspace", () => WORKSPACE_IMAGE],
    ["berth/tiny", () => tiny],
  ])("of %s: uid 1000 can write only its home and the tmpfs mounts", async (name, image) => {
    const containerId = await runningSlot(image());
    const { writable, mounts } = await scanRootfs(containerId);
    console.info(`writable by uid 1000 on ${name}'s root filesystem: ${writable.join(", ")}`);

    // Exactly the expected mount points (whose contents are their own filesystems), nothing else.
    expect(writable.sort()).toEqual(WRITABLE);

    // ...and each is what it should be: the home the slot's ext4 disk, the rest memory-backed and sized.
    expect(mounts.get("/home/berth")?.fsType).toBe("ext4");
    expect(mounts.get("/tmp")).toEqual({ fsType: "tmpfs", options: expect.stringMatching(/^rw,nosuid,nodev,.*size=65536k/) });
    expect(mounts.get("/var/tmp")).toEqual({ fsType: "tmpfs", options: expect.stringMatching(/^rw,nosuid,nodev,.*size=32768k/) });
    expect(mounts.get("/run/lock")).toEqual({ fsType: "tmpfs", options: expect.stringMatching(/^rw,nosuid,nodev,noexec,.*size=1024k/) });
    expect(`${mounts.get("/tmp")?.options} ${mounts.get("/var/tmp")?.options}`).not.toContain("noexec"); // tools run what they build there
    // No other disk-backed mount is writable (the walk covered them): Docker's /etc/hosts,
    // /etc/hostname and /etc/resolv.conf are files on the host's disk, root's and read-only to the slot.
    expect(mounts.get("/etc/hosts")).toBeDefined();
    expect((await sh(containerId, "for f in /etc/hosts /etc/hostname /etc/resolv.conf; do { echo x >> $f; } 2>/dev/null && echo wrote $f; done; echo checked")).output).toBe("checked\n");
  }, 60_000);

  it("fails a 1 GiB write to /tmp in a 128 MiB slot, keeps it off the host's disk, and a neighbour writes on", async () => {
    const full = await runningSlot(tiny);
    const neighbour = await runningSlot(tiny, { ...RESOURCES, memoryMiB: 64 });

    const [fill, other] = await Promise.all([
      sh(full, "dd if=/dev/zero of=/tmp/fill bs=1M count=1024 2>&1; echo exit=$?; stat -c %s /tmp/fill"),
      sh(neighbour, "dd if=/dev/zero of=/tmp/mine bs=1M count=16 2>&1 && echo neighbour-ok"),
    ]);
    const written = Number(fill.output.trim().split("\n").at(-1));
    console.info(`dd of 1 GiB to /tmp in a 128 MiB slot wrote ${(written / MiB).toFixed(1)} MiB before: ${fill.output.split("\n")[0]}`);
    expect(fill.output).toMatch(/No space left on device/);
    expect(fill.output).toContain("exit=1");
    expect(written).toBeLessThanOrEqual(64 * MiB);
    expect(other.output).toContain("neighbour-ok");

    // Everything memory-backed at once (/tmp full, then /var/tmp and Docker's 64 MiB /dev/shm) is
    // more than 128 MiB: each write fails (ENOSPC, or the memory limit's OOM kill), nothing passes
    // the memory limit, and the slot itself stays up.
    const more = await sh(full, "for d in /var/tmp /dev/shm; do dd if=/dev/zero of=$d/fill bs=1M count=1024 2>&1; echo exit=$?; done; cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.peak 2>/dev/null || echo 0");
    expect(more.output.match(/exit=\d+/g)).toHaveLength(2);
    expect(more.output).not.toContain("exit=0");
    expect(Number(more.output.trim().split("\n").at(-1))).toBeLessThanOrEqual(128 * MiB);
    expect((await rt.inspect(full))?.state).toBe("running");

    // None of it reached the host's disk: the container's own layer stayed (nearly) empty.
    expect(await layerBytes(full)).toBeLessThan(1 * MiB);
    // The neighbour answers and writes on.
    expect((await sh(neighbour, "dd if=/dev/zero of=/tmp/more bs=1M count=8 2>&1 && rm /tmp/more && echo still-ok")).output).toContain("still-ok");
    expect((await rt.inspect(neighbour))?.state).toBe("running");
  }, 60_000);

  it("keeps tmux working in berth/workspace: its socket goes in the tmpfs /tmp", async () => {
    const containerId = await runningSlot(WORKSPACE_IMAGE);
    const { code, output } = await sh(containerId, "tmux new -d -s t && tmux ls && ls -l /tmp/tmux-1000/default && tmux kill-server");
    expect(output).toMatch(/^t: 1 windows/m);
    expect(output).toMatch(/^s\S+ .* \/tmp\/tmux-1000\/default$/m);
    expect(code).toBe(0);
  }, 60_000);
});
