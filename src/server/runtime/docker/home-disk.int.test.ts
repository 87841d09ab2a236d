// The slot's home disk on the real engine and kernel: a full home stops writes for that slot alone,
// files survive stop/start and a "reboot" (loop devices gone), resizes, concurrent creates, removal,
// listing homes left without containers, and the plain-volume fallback where Berth cannot make disks.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { RuntimeOperationError, type SlotResources, type WorkspaceSpec } from "../types";
import { DockerRuntime } from "./docker-runtime";
import { runTool } from "./host-tools";
import { loopBackingFile, loopDevicesOf, mountAt } from "./loop-mounts";
import { execInSlot } from "./test-exec";
import { ensureTinyImage } from "./test-images";

const MiB = 1024 * 1024;
const HOMES = path.join(os.tmpdir(), "berth-test-homes");
const rt = new DockerRuntime({ homeDisksDir: HOMES });
const docker = new Dockerode({ socketPath: "/var/run/docker.sock" });
const RESOURCES: SlotResources = { cpuMillicores: 500, memoryMiB: 64, diskMiB: 64, pids: 64 };

let image: string;
const slotIds: string[] = [];

const disk = (slotId: string) => ({ image: path.join(HOMES, `${slotId}.ext4`), mountPoint: path.join(HOMES, slotId) });
const sh = (containerId: string, script: string) => execInSlot(docker, containerId, script);

function spec(over: Partial<WorkspaceSpec> = {}): WorkspaceSpec {
  const slotId = `test-${randomBytes(5).toString("hex")}`;
  slotIds.push(slotId);
  return { slotId, ownerId: "owner-test", image, env: {}, resources: RESOURCES, ...over };
}

async function runningSlot(over: Partial<WorkspaceSpec> = {}): Promise<{ slotId: string; containerId: string }> {
  const s = spec(over);
  const { containerId } = await rt.create(s);
  await rt.start(containerId);
  return { slotId: s.slotId, containerId };
}

/** The size of the filesystem the slot sees as its home, from inside (df -k: total KiB). */
async function homeSizeMiB(containerId: string): Promise<number> {
  const { output } = await sh(containerId, "df -k /home/berth | tail -1");
  return Math.round(Number(output.trim().split(/\s+/)[1]) / 1024);
}

beforeAll(async () => {
  image = await ensureTinyImage();
  expect(await rt.capabilities()).toEqual({ diskLimitEnforced: true }); // root, loop devices, local engine: this machine can
}, 120_000);

afterAll(async () => {
  for (const slotId of slotIds) await rt.remove(`berth-${slotId}`, { slotId, withHome: true }).catch(() => undefined);
}, 120_000);

describe("a slot's home disk", () => {
  it("stops dd with 'No space left on device' near 64 MiB, while a neighbour keeps writing to its own home", async () => {
    const full = await runningSlot();
    const neighbour = await runningSlot();

    const raw = await docker.getContainer(full.containerId).inspect();
    expect(raw.Mounts).toEqual([expect.objectContaining({ Type: "volume", Name: `berth-home-${full.slotId}`, Destination: "/home/berth", RW: true })]);
    expect((await docker.getVolume(`berth-home-${full.slotId}`).inspect()).Options).toEqual({ type: "none", o: "bind", device: path.join(disk(full.slotId).mountPoint, "home") });

    // Both write at once: one fills its disk, the other writes 24 MiB of its own.
    const [fill, other] = await Promise.all([
      sh(full.containerId, "dd if=/dev/zero of=/home/berth/fill bs=1M 2>&1; echo exit=$?; stat -c %s /home/berth/fill"),
      sh(neighbour.containerId, "dd if=/dev/zero of=/home/berth/mine bs=1M count=24 2>&1 && echo neighbour-ok"),
    ]);
    const written = Number(fill.output.trim().split("\n").at(-1));
    console.info(`dd in a 64 MiB home wrote ${written} bytes (${(written / 1e6).toFixed(1)} MB, ${(written / MiB).toFixed(1)} MiB) before ENOSPC`);
    expect(fill.output).toMatch(/No space left on device/);
    expect(fill.output).toContain("exit=1");
    expect(written).toBeGreaterThan(48 * MiB);
    expect(written).toBeLessThanOrEqual(64 * MiB);
    expect(other.output).toContain("neighbour-ok");

    // Still full for that slot (give or take the few blocks ext4 held back for delayed allocation);
    // the neighbour, meanwhile, writes on.
    const again = await sh(full.containerId, "dd if=/dev/zero of=/home/berth/more bs=1M count=4 2>&1");
    expect(again.code).not.toBe(0);
    expect(again.output).toMatch(/No space left on device/);
    expect((await sh(neighbour.containerId, "dd if=/dev/zero of=/home/berth/more bs=1M count=16 2>&1 && echo still-ok")).output).toContain("still-ok");

    // The runtime reports what the home holds, measured on the disk.
    const stats = await rt.stats(full.containerId);
    expect(stats.diskBytes).toBeGreaterThanOrEqual(written);
    expect(stats.diskBytes).toBeLessThanOrEqual(64 * MiB);
    const neighbourStats = await rt.stats(neighbour.containerId);
    expect(neighbourStats.diskBytes).toBeGreaterThanOrEqual(40 * MiB);
    expect(neighbourStats.diskBytes).toBeLessThan(48 * MiB);

    // Freeing space frees the slot (and, with discard, the host's blocks).
    expect((await sh(full.containerId, "rm /home/berth/fill && echo x > /home/berth/after && echo freed")).output).toContain("freed");
  });

  it("refuses an upload larger than the disk's free space with NO_SPACE, leaving nothing (the bytes go onto the disk from the host)", async () => {
    const { slotId, containerId } = await runningSlot();
    const target = { slotId, containerId, running: true };
    const chunk = Buffer.alloc(1024 * 1024, 7);
    async function* body(mib: number) {
      for (let i = 0; i < mib; i++) yield chunk;
    }
    await expect(rt.files.write(target, ["big.bin"], body(80), { size: 80 * MiB })).rejects.toMatchObject({ name: "SlotFileError", code: "NO_SPACE", message: "The slot's disk is full." });
    expect((await sh(containerId, "ls -A /home/berth")).output).toBe("");
    // The space is back: a file that fits goes in.
    expect(await rt.files.write(target, ["fits.bin"], body(8), { size: 8 * MiB })).toEqual({ size: 8 * MiB });
    expect((await sh(containerId, "stat -c '%u %s' /home/berth/fits.bin")).output).toBe(`1000 ${8 * MiB}\n`);
  });

  it("ends an upload under way when the slot's home is removed, rather than holding its disk busy", async () => {
    const { slotId, containerId } = await runningSlot();
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    async function* body() {
      yield Buffer.alloc(2 * MiB, 1);
      await paused;
      yield Buffer.alloc(MiB, 2);
    }
    const writing = rt.files.write({ slotId, containerId, running: true }, ["slow.bin"], body(), { size: 3 * MiB });
    writing.catch(() => undefined);
    for (let i = 0; !(await sh(containerId, "ls -A /home/berth")).output.includes(".berth-upload-"); i++) {
      if (i > 100) throw new Error("the upload never reached the disk");
      await new Promise((r) => setTimeout(r, 50));
    }
    // Its open file would keep the disk from unmounting (EBUSY, then a 409 after a few seconds).
    await rt.remove(containerId, { slotId, withHome: true });
    expect(existsSync(disk(slotId).image)).toBe(false);
    expect(await mountAt(disk(slotId).mountPoint)).toBeNull();
    resume();
    await expect(writing).rejects.toMatchObject({ name: "SlotFileError", code: "INCOMPLETE" });
  });

  it("clears at the next start what an upload cut short by a Berth that stopped left at the home's top, and nothing else", async () => {
    const { slotId, containerId } = await runningSlot();
    const home = path.join(disk(slotId).mountPoint, "home");
    const name = (c: string) => `.berth-upload-${c.repeat(24)}`;
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    // Root's and old: left behind. Root's and fresh: an upload under way. The slot user's, or another name: theirs.
    for (const [file, uid, old] of [[name("a"), 0, true], [name("b"), 0, false], [name("c"), 1000, true], [".berth-upload-mine", 0, true]] as const) {
      await writeFile(path.join(home, file), "x", { mode: 0o600 });
      await chown(path.join(home, file), uid, uid);
      if (old) await utimes(path.join(home, file), hoursAgo, hoursAgo);
    }
    await rt.stop(containerId, { timeoutSeconds: 1 });
    await rt.start(containerId);
    expect((await readdir(home)).sort()).toEqual([name("b"), name("c"), ".berth-upload-mine"].sort());
  });

  it("keeps files across stop/start, and mounts the disk again after a host reboot took its loop device", async () => {
    const { slotId, containerId } = await runningSlot();
    expect((await sh(containerId, "echo kept > /home/berth/note && ls -a /home/berth")).output).not.toContain("lost+found");
    await rt.stop(containerId, { timeoutSeconds: 1 });
    await rt.start(containerId);
    expect((await sh(containerId, "cat /home/berth/note")).output).toBe("kept\n");

    // A reboot, simulated: the container stopped, the mount and the loop device gone.
    await rt.stop(containerId, { timeoutSeconds: 1 });
    const { image: file, mountPoint } = disk(slotId);
    await runTool("umount", [mountPoint]);
    for (const device of await loopDevicesOf(file)) await runTool("losetup", ["--detach", device]);
    expect(await mountAt(mountPoint)).toBeNull();
    expect(await loopDevicesOf(file)).toEqual([]);
    expect((await rt.stats(containerId)).diskBytes).toBeNull(); // nothing mounted to measure

    // Started behind Berth's back, the container refuses: no unlimited host directory instead.
    await expect(docker.getContainer(containerId).start()).rejects.toThrow(/no such file or directory/);

    await rt.start(containerId); // Berth mounts it again first
    expect((await rt.inspect(containerId))?.state).toBe("running");
    expect((await sh(containerId, "cat /home/berth/note")).output).toBe("kept\n");
    expect(await loopDevicesOf(file)).toHaveLength(1);
    expect((await rt.stats(containerId)).diskBytes).toBeGreaterThan(0);
    await rt.start(containerId); // and again: idempotent, still one loop device
    expect(await loopDevicesOf(file)).toHaveLength(1);
  });

  it("removes the disk with the slot: the loop device is freed and the image deleted", async () => {
    const { slotId, containerId } = await runningSlot();
    const { image: file, mountPoint } = disk(slotId);
    const [device] = await loopDevicesOf(file);
    expect(device).toMatch(/^\/dev\/loop\d+$/);
    expect(await loopBackingFile(device!)).toBe(file);

    await rt.remove(containerId, { slotId, withHome: true });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(mountPoint)).toBe(false);
    expect(await mountAt(mountPoint)).toBeNull();
    expect(await loopBackingFile(device!)).not.toBe(file);
    await expect(docker.getVolume(`berth-home-${slotId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await rt.remove(containerId, { slotId, withHome: true }); // again: not an error
  });

  it("grows a disk (live where the kernel allows, else when stopped), refuses a shrink the files cannot fit, shrinks one they fit", async () => {
    const { containerId } = await runningSlot();
    expect(await homeSizeMiB(containerId)).toBeLessThanOrEqual(64);

    const grown = await rt.updateResources(containerId, { ...RESOURCES, diskMiB: 128 });
    console.info(`growing a running slot's disk: ${grown.applied} (live needs CAP_SYS_RESOURCE)`);
    if (grown.applied === "next-start") {
      await rt.stop(containerId, { timeoutSeconds: 1 });
      expect(await rt.updateResources(containerId, { ...RESOURCES, diskMiB: 128 })).toEqual({ applied: "live" });
      await rt.start(containerId);
    }
    expect(await homeSizeMiB(containerId)).toBeGreaterThan(110);
    expect((await sh(containerId, "dd if=/dev/zero of=/home/berth/big bs=1M count=80 2>&1 && echo wrote-80")).output).toContain("wrote-80");

    // 80 MiB of files cannot go on a 64 MiB disk: refused at once, and nothing else changes either.
    const refused = await rt.updateResources(containerId, { ...RESOURCES, cpuMillicores: 250, diskMiB: 64 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RuntimeOperationError);
    expect(refused).toMatchObject({ status: 409, message: expect.stringMatching(/home holds \d+ MiB, more than a 64 MiB disk/) });
    expect((await docker.getContainer(containerId).inspect()).HostConfig.NanoCpus).toBe(500_000_000);

    // 60 MiB pass the first check but not ext4's overhead: the offline resize says no, the files stay.
    await sh(containerId, "rm /home/berth/big; dd if=/dev/zero of=/home/berth/big bs=1M count=60 2>/dev/null");
    expect(await rt.updateResources(containerId, { ...RESOURCES, diskMiB: 64 })).toEqual({ applied: "next-start" });
    await rt.stop(containerId, { timeoutSeconds: 1 });
    await expect(rt.updateResources(containerId, { ...RESOURCES, diskMiB: 64 })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/do not fit in 64 MiB/) });
    await rt.start(containerId);
    expect(await homeSizeMiB(containerId)).toBeGreaterThan(110);
    expect((await sh(containerId, "stat -c %s /home/berth/big")).output).toBe(`${60 * MiB}\n`);

    // With room to spare, a stopped slot's disk shrinks now.
    await sh(containerId, "rm /home/berth/big");
    await rt.stop(containerId, { timeoutSeconds: 1 });
    expect(await rt.updateResources(containerId, { ...RESOURCES, diskMiB: 64 })).toEqual({ applied: "live" });
    await rt.start(containerId);
    expect(await homeSizeMiB(containerId)).toBeLessThanOrEqual(64);
    expect(await rt.updateResources(containerId, { ...RESOURCES, diskMiB: 64 })).toEqual({ applied: "live" }); // same size: nothing to do
  }, 60_000);

  it("lists homes without containers with their installation, and removes one only once its container is gone", async () => {
    const labelled = spec({ instanceId: "instance-test" });
    const { containerId } = await rt.create(labelled);
    const bare = await runningSlot();
    expect(await rt.listHomes()).toEqual(expect.arrayContaining([{ slotId: labelled.slotId, instanceId: "instance-test" }, { slotId: bare.slotId, instanceId: null }]));

    // While a container (even a stopped one) uses the home, it stays.
    await expect(rt.removeHome(labelled.slotId)).rejects.toMatchObject({ status: 409 });
    expect(existsSync(disk(labelled.slotId).image)).toBe(true);

    // A disk whose volume is gone (a removal cut short) is still listed; nothing says whose it is.
    await rt.remove(bare.containerId, { slotId: bare.slotId, withHome: false });
    await docker.getVolume(`berth-home-${bare.slotId}`).remove();
    expect(await mountAt(disk(bare.slotId).mountPoint)).not.toBeNull();
    expect((await rt.listHomes()).filter((h) => h.slotId === bare.slotId)).toEqual([{ slotId: bare.slotId, instanceId: null }]);

    await rt.remove(containerId, { slotId: labelled.slotId, withHome: false });
    for (const slotId of [labelled.slotId, bare.slotId]) {
      await rt.removeHome(slotId);
      expect(existsSync(disk(slotId).image)).toBe(false);
      expect(existsSync(disk(slotId).mountPoint)).toBe(false);
      await expect(docker.getVolume(`berth-home-${slotId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
      await rt.removeHome(slotId); // again: not an error
    }
    expect((await rt.listHomes()).filter((h) => h.slotId === labelled.slotId || h.slotId === bare.slotId)).toEqual([]);
  });

  it("gives 20 slots created at once 20 disks on 20 distinct loop devices", async () => {
    const specs = Array.from({ length: 20 }, () => spec());
    const created = await Promise.all(specs.map((s) => rt.create(s)));
    const devices = await Promise.all(specs.map(async (s) => (await mountAt(disk(s.slotId).mountPoint))?.source));
    expect(devices.every((d) => d && /^\/dev\/loop\d+$/.test(d))).toBe(true);
    expect(new Set(devices).size).toBe(20);
    for (const [i, device] of devices.entries()) expect(await loopBackingFile(device!)).toBe(disk(specs[i]!.slotId).image);

    await Promise.all(specs.map((s, i) => rt.remove(created[i]!.containerId, { slotId: s.slotId, withHome: true })));
    for (const s of specs) expect(existsSync(disk(s.slotId).image)).toBe(false);
    // Each device is free (or already holds another test's disk: the number is reused at once).
    for (const [i, device] of devices.entries()) expect(await loopBackingFile(device!)).not.toBe(disk(specs[i]!.slotId).image);
  }, 120_000);

  it("refuses plainly when the host has no room for the disk, and leaves nothing behind", async () => {
    // A 24 MiB filesystem for the homes: room for the 8 MiB probe, not for a 64 MiB disk.
    const small = await mkdtemp(path.join(os.tmpdir(), "berth-test-small-"));
    await runTool("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", small]);
    onTestFinished(async () => {
      await runTool("umount", [small]).catch(() => undefined);
      await rm(small, { recursive: true, force: true });
    });
    const cramped = new DockerRuntime({ homeDisksDir: small });
    expect(await cramped.capabilities()).toEqual({ diskLimitEnforced: true });
    const s = spec();
    const err = await cramped.create(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeOperationError);
    expect(err).toMatchObject({ status: 507, message: expect.stringMatching(/^The host has \d+ MiB of free disk space, not enough for a 64 MiB home disk\./) });
    expect((err as Error).message).not.toContain(small); // no host paths in what people read
    expect(await readdir(small)).toEqual([]);
    await expect(docker.getVolume(`berth-home-${s.slotId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await cramped.inspect(`berth-${s.slotId}`)).toBeNull();
  });

  it("falls back to a plain volume, says so once, and still runs the slot where disks cannot be made", async () => {
    const warnings: Array<{ fields: object; message: string }> = [];
    // A homes directory that cannot exist (its parent is a file) fails the probe as a host without loop devices would.
    const notADir = path.join(os.tmpdir(), `berth-test-not-a-dir-${randomBytes(4).toString("hex")}`);
    await writeFile(notADir, "");
    onTestFinished(() => rm(notADir, { force: true }));
    const plain = new DockerRuntime({ homeDisksDir: path.join(notADir, "homes"), logger: { warn: (fields, message) => warnings.push({ fields, message }) } });
    const capabilities = await plain.capabilities();
    expect(capabilities).toMatchObject({ diskLimitEnforced: false, diskLimitReason: expect.stringMatching(/test disk could not be made/) });

    const s = spec();
    const { containerId } = await plain.create(s);
    await plain.start(containerId);
    expect((await docker.getVolume(`berth-home-${s.slotId}`).inspect()).Options ?? {}).toEqual({});
    expect((await sh(containerId, "echo hi > /home/berth/x && cat /home/berth/x")).output).toBe("hi\n");
    // Uploads to a plain volume go through the engine (the script writes them in the slot, with no
    // disk of Berth's to write to): byte-identical, owned by the slot user, no temporary file left.
    const bytes = randomBytes(2 * MiB + 7);
    const target = { slotId: s.slotId, containerId, running: true };
    async function* chunks() {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    }
    expect(await plain.files.write(target, ["up", "blob.bin"], chunks(), { size: bytes.length })).toEqual({ size: bytes.length });
    expect((await sh(containerId, "stat -c '%u %a %s' /home/berth/up/blob.bin; ls -A /home/berth /home/berth/up")).output).toBe(`1000 644 ${bytes.length}\n/home/berth:\nup\nx\n\n/home/berth/up:\nblob.bin\n`);
    const opened = await plain.files.open(target, ["up", "blob.bin"]);
    const back: Buffer[] = [];
    for await (const c of opened.read()) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(bytes)).toBe(true);
    expect((await plain.stats(containerId)).diskBytes).toBeNull();
    expect(await plain.capabilities()).toEqual(capabilities);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/disk limits are not enforced/);
    await plain.remove(containerId, { slotId: s.slotId, withHome: true });
    await expect(docker.getVolume(`berth-home-${s.slotId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });

    // A remote engine cannot see Berth's mounts at all.
    const remote = new DockerRuntime({ host: "tcp://127.0.0.1:9", homeDisksDir: HOMES });
    expect(await remote.capabilities()).toMatchObject({ diskLimitEnforced: false, diskLimitReason: expect.stringMatching(/remote/) });
  });
});
