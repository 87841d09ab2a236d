// The Docker driver against the real engine, with the tiny busybox image: lifecycle, isolation
// settings, limits, the home volume, logs, stats, slot-to-slot isolation, a fork bomb, and an
// engine that is not there. (The home's disk itself: home-disk.int.test.ts.)
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeOperationError, RuntimeUnavailableError, type SlotResources, type WorkspaceSpec } from "../types";
import { resolveDockerEndpoint } from "./docker-client";
import { ensureSlotNetwork, SLOT_NETWORK } from "./docker-network";
import { DockerRuntime } from "./docker-runtime";
import { ensureTinyImage } from "./test-images";
import { execInSlot } from "./test-exec";

const HOMES = path.join(os.tmpdir(), "berth-test-homes");
const rt = new DockerRuntime({ homeDisksDir: HOMES });
const docker = new Dockerode({ socketPath: "/var/run/docker.sock" });
const MiB = 1024 * 1024;
const RESOURCES: SlotResources = { cpuMillicores: 500, memoryMiB: 64, diskMiB: 256, pids: 64 };

let image: string;
const slotIds: string[] = [];
const foreignContainers: string[] = [];
const networks: string[] = [];

function newSlotId(): string {
  const id = `test-${randomBytes(5).toString("hex")}`;
  slotIds.push(id);
  return id;
}

function spec(slotId: string, over: Partial<WorkspaceSpec> = {}): WorkspaceSpec {
  return { slotId, ownerId: "owner-test", image, env: {}, resources: RESOURCES, ...over };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const logsOf = async (containerId: string) => text(await rt.logs(containerId, {}));
const waitForLog = (containerId: string, pattern: RegExp) =>
  waitFor(`logs matching ${pattern}`, async () => {
    const logs = await logsOf(containerId);
    return pattern.test(logs) ? logs : undefined;
  });
const waitForState = (containerId: string, state: string) =>
  waitFor(`state ${state}`, async () => ((await rt.inspect(containerId))?.state === state ? true : undefined));

async function ipOf(containerId: string): Promise<string> {
  const raw = await docker.getContainer(containerId).inspect();
  const ip = raw.NetworkSettings.Networks[SLOT_NETWORK]?.IPAddress;
  if (!ip) throw new Error(`${containerId} has no address on ${SLOT_NETWORK}`);
  return ip;
}

beforeAll(async () => {
  image = await ensureTinyImage();
}, 120_000);

afterAll(async () => {
  for (const id of slotIds) {
    await rt.remove(`berth-${id}`, { slotId: id, withHome: true }).catch(async () => {
      await docker.getContainer(`berth-${id}`).remove({ force: true }).catch(() => undefined);
      await docker.getVolume(`berth-home-${id}`).remove().catch(() => undefined);
    });
  }
  for (const name of foreignContainers) await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  for (const name of networks) await docker.getNetwork(name).remove().catch(() => undefined);
});

describe("DockerRuntime on the real engine", () => {
  it("creates a slot container with Berth's labels, isolation and limits, then runs, logs and stops it", async () => {
    const slotId = newSlotId();
    const { containerId } = await rt.create(
      spec(slotId, { command: ["sh", "-c", "id -u; echo hello; echo oops >&2; exec sleep infinity"], env: { GREETING: "hi" } }),
    );
    expect((await rt.create(spec(slotId))).containerId).toBe(containerId); // idempotent per slot

    const raw = await docker.getContainer(containerId).inspect();
    expect(raw.Name).toBe(`/berth-${slotId}`);
    expect(raw.Config.Labels).toMatchObject({ "berth.managed": "1", "berth.slot": slotId, "berth.owner": "owner-test" });
    expect(raw.Config.User).toBe("1000:1000");
    expect(raw.Config.Env).toContain("GREETING=hi");
    expect(raw.HostConfig).toMatchObject({
      Init: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Privileged: false,
      ReadonlyRootfs: false,
      Memory: 64 * MiB,
      MemorySwap: 64 * MiB,
      NanoCpus: 500_000_000,
      PidsLimit: 64,
      // The root filesystem's writable directories are memory, sized from the 64 MiB (rootfs-isolation.int.test.ts).
      Tmpfs: {
        "/tmp": "rw,exec,nosuid,nodev,size=32m,mode=1777",
        "/var/tmp": "rw,exec,nosuid,nodev,size=16m,mode=1777",
        "/run/lock": "rw,noexec,nosuid,nodev,size=1m,mode=1777",
      },
    });
    expect(raw.HostConfig.CapAdd ?? []).toEqual([]);
    expect(raw.HostConfig.Binds ?? []).toEqual([]);
    expect(raw.Mounts).toEqual([expect.objectContaining({ Type: "volume", Name: `berth-home-${slotId}`, Destination: "/home/berth" })]);
    const volume = await docker.getVolume(`berth-home-${slotId}`).inspect();
    expect(volume.Labels).toMatchObject({ "berth.managed": "1", "berth.slot": slotId, "berth.owner": "owner-test" });
    // The volume binds the slot's own disk (a 256 MiB ext4 image, loop-mounted by Berth).
    expect(volume.Options).toEqual({ type: "none", o: "bind", device: path.join(HOMES, slotId, "home") });
    expect(existsSync(path.join(HOMES, `${slotId}.ext4`))).toBe(true);

    expect(await rt.inspect(containerId)).toMatchObject({ containerId, slotId, ownerId: "owner-test", state: "created", exitCode: null, startedAt: null });
    await rt.start(containerId);
    await rt.start(containerId); // starting a running slot is not an error
    const running = await rt.inspect(containerId);
    expect(running?.state).toBe("running");
    expect(running?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Object.keys((await docker.getContainer(containerId).inspect()).NetworkSettings.Networks)).toEqual([SLOT_NETWORK]);

    // stdout and stderr, demultiplexed (no frame headers left in the text): uid 1000 inside. The
    // engine reads the two pipes separately, so their relative order is not guaranteed.
    const logs = await waitForLog(containerId, /hello\n[^]*oops|oops\n[^]*hello/);
    expect(logs.split("\n").sort()).toEqual(["", "1000", "hello", "oops"]);
    // Within stdout the order holds: uid first, then hello.
    expect(logs.split("\n").filter((l) => l === "1000" || l === "hello")).toEqual(["1000", "hello"]);
    expect(await text(await rt.logs(containerId, { tail: 1 }))).toMatch(/^(hello|oops)\n$/);
    expect(await text(await rt.logs(containerId, { since: new Date(Date.now() + 60_000) }))).toBe("");

    const t0 = Date.now();
    await rt.stop(containerId);
    const stopMs = Date.now() - t0;
    console.info(`stop took ${stopMs} ms (tini forwards SIGTERM; without it the 5 s timeout would pass)`);
    expect(stopMs).toBeLessThan(4_000);
    await rt.stop(containerId); // stopping a stopped slot is not an error
    expect(await rt.inspect(containerId)).toMatchObject({ state: "exited", oomKilled: false, finishedAt: expect.any(String) });
  });

  it("follows logs until the reader lets go", async () => {
    const slotId = newSlotId();
    const { containerId } = await rt.create(spec(slotId, { command: ["sh", "-c", "i=0; while :; do i=$((i+1)); echo line$i; sleep 0.1; done"] }));
    await rt.start(containerId);
    const stream = await rt.logs(containerId, { follow: true });
    let seen = "";
    for await (const chunk of stream) {
      seen += Buffer.from(chunk as Buffer).toString();
      if (seen.includes("line3\n")) break; // leaving the loop destroys the stream
    }
    expect(seen.startsWith("line1\nline2\nline3\n")).toBe(true);
    expect(stream.destroyed).toBe(true);
    await rt.stop(containerId, { timeoutSeconds: 1 });
  });

  it("keeps the home across stop/start and container re-creation; remove withHome deletes it", async () => {
    const slotId = newSlotId();
    const command = ["sh", "-c", "test -f /home/berth/x && echo again || (echo first; touch /home/berth/x)"];
    const { containerId } = await rt.create(spec(slotId, { command }));
    await rt.start(containerId);
    await waitForState(containerId, "exited");
    await rt.stop(containerId);
    await rt.start(containerId);
    await waitForLog(containerId, /again/);
    expect(await logsOf(containerId)).toBe("first\nagain\n");
    // The output can arrive before the engine records the exit: wait for it.
    await waitForState(containerId, "exited");
    expect((await rt.inspect(containerId))?.exitCode).toBe(0);

    // Without withHome the volume outlives the container: a new container for the slot finds the file.
    await rt.remove(containerId, { slotId, withHome: false });
    expect(await rt.inspect(containerId)).toBeNull();
    const second = await rt.create(spec(slotId, { command }));
    expect(second.containerId).not.toBe(containerId);
    await rt.start(second.containerId);
    expect(await waitForLog(second.containerId, /again/)).toBe("again\n");

    await rt.remove(second.containerId, { slotId, withHome: true });
    expect(await rt.inspect(second.containerId)).toBeNull();
    await expect(docker.getVolume(`berth-home-${slotId}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(existsSync(path.join(HOMES, `${slotId}.ext4`))).toBe(false);
    await rt.remove(second.containerId, { slotId, withHome: true }); // removing a missing slot is not an error
  });

  it("gives the main process the start's env through its stdin, fresh at each start, never in the container's config or log; the image's entrypoint still runs", async () => {
    // An image of our own with an entrypoint (committed from the tiny image: nothing to pull).
    const base = await docker.createContainer({ Image: image, Cmd: ["true"] });
    const tag = `berth-test/entrypoint:${randomBytes(4).toString("hex")}`;
    try {
      await base.commit({ repo: tag.split(":")[0], tag: tag.split(":")[1], changes: 'ENTRYPOINT ["/bin/sh", "-c", "echo \\"entry $0: $*\\" > /tmp/entry; exec \\"$@\\"", "ep"]' });
    } finally {
      await base.remove({ force: true });
    }
    const slotId = newSlotId();
    try {
      const secret = `start-Secret-${randomBytes(6).toString("hex")}`;
      const tricky = `it's $HOME \`id\` "q" \\ \nsecond line`;
      const { containerId } = await rt.create(
        spec(slotId, { image: tag, env: { PLAIN: "config" }, command: ["sh", "-c", 'printf "%s|%s|%s" "$PLAIN" "$SECRET_A" "$TRICKY" > /tmp/boot; exec sleep 1000'] }),
      );
      const boot = () => waitFor("the main process to record its env", async () => {
        const r = await execInSlot(docker, containerId, "cat /tmp/boot 2>/dev/null");
        return r.code === 0 ? r.output : undefined;
      });

      await rt.start(containerId, { env: { SECRET_A: secret, TRICKY: tricky, "NOT A NAME": "x" } });
      expect(await boot()).toBe(`config|${secret}|${tricky}`);
      expect((await execInSlot(docker, containerId, "cat /tmp/entry")).output).toBe("entry ep: sh -c printf \"%s|%s|%s\" \"$PLAIN\" \"$SECRET_A\" \"$TRICKY\" > /tmp/boot; exec sleep 1000\n");
      const raw = await docker.getContainer(containerId).inspect();
      expect(raw.Config.Env).toEqual(["PLAIN=config"]);
      expect(JSON.stringify(raw)).not.toContain(secret);
      expect(JSON.stringify(raw)).not.toContain("second line");
      expect(await logsOf(containerId)).toBe("");

      // The next start reads the values of that start (tmpfs /tmp starts empty each time).
      await rt.stop(containerId, { timeoutSeconds: 1 });
      await rt.start(containerId, { env: { SECRET_A: "second" } });
      expect(await boot()).toBe("config|second|");
      // A start with no env: the main process runs at once, without any.
      await rt.stop(containerId, { timeoutSeconds: 1 });
      await rt.start(containerId);
      expect(await boot()).toBe("config||");
      await rt.stop(containerId, { timeoutSeconds: 1 });
    } finally {
      await rt.remove(`berth-${slotId}`, { slotId, withHome: true }).catch(() => undefined);
      await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    }
  });

  it("lists only Berth's containers and refuses to remove a container it does not own", async () => {
    const slotId = newSlotId();
    const { containerId } = await rt.create(spec(slotId));
    const foreign = `test-foreign-${randomBytes(4).toString("hex")}`;
    foreignContainers.push(foreign);
    const other = await docker.createContainer({ name: foreign, Image: image, Cmd: ["true"] });

    const listed = await rt.list();
    expect(listed.map((w) => w.containerId)).toContain(containerId);
    expect(listed.map((w) => w.containerId)).not.toContain(other.id);
    expect(listed.every((w) => w.slotId !== "")).toBe(true);
    expect(listed.find((w) => w.containerId === containerId)).toMatchObject({ slotId, ownerId: "owner-test", state: "created" });

    await expect(rt.remove(other.id, { slotId, withHome: false })).rejects.toBeInstanceOf(RuntimeOperationError);
    expect(await rt.inspect(other.id)).not.toBeNull();
  });

  it("changes resources live, and reports next-start when the kernel refuses", async () => {
    const slotId = newSlotId();
    const { containerId } = await rt.create(
      spec(slotId, { command: ["sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null; echo filled; exec sleep infinity"] }),
    );
    await rt.start(containerId);
    await waitForLog(containerId, /filled/);

    const bigger = { cpuMillicores: 1000, memoryMiB: 96, diskMiB: 256, pids: 100 };
    expect(await rt.updateResources(containerId, bigger)).toEqual({ applied: "live" });
    expect((await docker.getContainer(containerId).inspect()).HostConfig).toMatchObject({
      Memory: 96 * MiB,
      MemorySwap: 96 * MiB,
      NanoCpus: 1_000_000_000,
      PidsLimit: 100,
    });

    // 40 MiB sit in shared memory, which cannot be reclaimed without swap: 16 MiB is refused.
    expect(await rt.updateResources(containerId, { ...bigger, memoryMiB: 16 })).toEqual({ applied: "next-start" });
    expect((await docker.getContainer(containerId).inspect()).HostConfig.Memory).toBe(96 * MiB);
    // Lowering to what still fits is live.
    expect(await rt.updateResources(containerId, { ...bigger, memoryMiB: 64 })).toEqual({ applied: "live" });
    expect((await docker.getContainer(containerId).inspect()).HostConfig).toMatchObject({ Memory: 64 * MiB, MemorySwap: 64 * MiB });
    // Values no start could accept are errors, not "later".
    await expect(rt.updateResources(containerId, { ...bigger, cpuMillicores: 512_000 })).rejects.toBeInstanceOf(RuntimeOperationError);
    await rt.stop(containerId, { timeoutSeconds: 1 });
  });

  it("reports stats: CPU in millicores under the quota, memory, pids and network", async () => {
    const slotId = newSlotId();
    const { containerId } = await rt.create(spec(slotId, { command: ["sh", "-c", "while :; do :; done"] }));
    await rt.start(containerId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const stats = await rt.stats(containerId);
    console.info(`stats of a busy loop under a 500m quota: ${JSON.stringify(stats)}`);
    // Busy, and held under the quota. How busy depends on what else this shared 2-core machine runs
    // (seen: 154 m under a concurrent CI run), so no lower bound beyond "measured".
    expect(stats.cpuMillicores).toBeGreaterThan(0);
    expect(stats.cpuMillicores).toBeLessThan(700);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.memoryBytes).toBeLessThan(64 * MiB);
    expect(stats.memoryLimitBytes).toBe(64 * MiB);
    expect(stats.pids).toBeGreaterThanOrEqual(1);
    expect(stats.networkRxBytes).toBeGreaterThanOrEqual(0);
    expect(stats.networkTxBytes).toBeGreaterThanOrEqual(0);
    // The home's usage, read from its disk: a new, nearly empty 256 MiB filesystem.
    expect(stats.diskBytes).toBeGreaterThan(0);
    expect(stats.diskBytes).toBeLessThan(MiB);
    expect(Date.parse(stats.at)).toBeGreaterThan(Date.now() - 60_000);
    await rt.stop(containerId, { timeoutSeconds: 1 });
  });

  it("keeps slots from reaching each other on berth-slots", async () => {
    const server = newSlotId();
    const client = newSlotId();
    const listener = await rt.create(spec(server, { command: ["sh", "-c", "while :; do echo pong | nc -l -p 8080; done"] }));
    await rt.start(listener.containerId);
    const ip = await ipOf(listener.containerId);

    // Control: the listener answers (from the host, which is allowed to reach the bridge).
    const answer = await waitFor("the listener", async () => {
      const reply = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: ip, port: 8080, timeout: 1_000 }, () => socket.end("ping\n"));
        let data = "";
        socket.on("data", (d) => (data += d.toString()));
        socket.on("close", () => resolve(data));
        socket.on("error", () => resolve(""));
        socket.on("timeout", () => socket.destroy());
      });
      return reply.includes("pong") ? reply : undefined;
    });
    expect(answer).toContain("pong");

    const probe = await rt.create(
      spec(client, {
        command: [
          "sh",
          "-c",
          `if echo ping | nc -w 2 ${ip} 8080; then echo NC-REACHED; else echo NC-BLOCKED; fi; ` +
            `if wget -q -T 2 -O- http://${ip}:8080/; then echo WGET-REACHED; else echo WGET-BLOCKED; fi`,
        ],
      }),
    );
    await rt.start(probe.containerId);
    const logs = await waitForLog(probe.containerId, /WGET-/);
    expect(logs).toContain("NC-BLOCKED");
    expect(logs).toContain("WGET-BLOCKED");
    expect(logs).not.toContain("pong");
    await rt.stop(listener.containerId, { timeoutSeconds: 1 });
  });

  it("holds a fork bomb at the pids limit and still stops the slot", async () => {
    const slotId = newSlotId();
    const { containerId } = await rt.create(
      // An inner shell forks long-lived children until fork fails (ash then gives up); they stay,
      // holding the slot at its limit. (The classic `b(){ b|b& }` dies out as soon as forks fail.)
      spec(slotId, {
        command: ["sh", "-c", "sh -c 'while :; do sleep 1000 & done'; echo bomb-stopped; exec sleep infinity"],
        resources: { ...RESOURCES, pids: 32 },
      }),
    );
    await rt.start(containerId);
    expect(await waitForLog(containerId, /bomb-stopped/)).toMatch(/can't fork/);
    const stats = await rt.stats(containerId);
    console.info(`fork bomb: ${stats.pids} pids (limit 32)`);
    expect(stats.pids).toBeGreaterThanOrEqual(28);
    expect(stats.pids).toBeLessThanOrEqual(32);
    expect((await rt.inspect(containerId))?.state).toBe("running");
    expect(await rt.ping()).toMatchObject({ ok: true }); // the engine is fine
    const t0 = Date.now();
    await rt.stop(containerId, { timeoutSeconds: 1 });
    console.info(`stopping the fork bomb took ${Date.now() - t0} ms`);
    expect((await rt.inspect(containerId))?.state).toBe("exited");
  });

  it("creates its network once when several callers race", async () => {
    const name = `berth-t-${randomBytes(3).toString("hex")}`;
    networks.push(name);
    const endpoint = resolveDockerEndpoint({});
    const clients = Array.from({ length: 4 }, () => new Dockerode({ socketPath: "/var/run/docker.sock" }));
    const ids = await Promise.all(clients.map((c) => ensureSlotNetwork(c, endpoint, name)));
    expect(new Set(ids).size).toBe(1);
    const found = (await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name);
    expect(found).toHaveLength(1);
    expect(found[0]?.Options).toMatchObject({ "com.docker.network.bridge.enable_icc": "false" });
  });

  it("says plainly, and quickly, when the engine is not there", async () => {
    const gone = new DockerRuntime({ socketPath: "/nonexistent.sock" });
    const t0 = Date.now();
    const err = await gone.create(spec(`test-${randomBytes(5).toString("hex")}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeUnavailableError);
    expect((err as Error).message).toMatch(/^The Docker engine at \/nonexistent\.sock is not reachable: /);
    const ping = await gone.ping();
    expect(ping).toMatchObject({ ok: false, message: expect.stringContaining("/nonexistent.sock") });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await rt.ping()).toMatchObject({ ok: true, version: expect.any(String) });
  });
});
