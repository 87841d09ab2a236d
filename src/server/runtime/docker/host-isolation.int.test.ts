// From inside a slot, try to reach a service listening on every interface of the host (as
// PostgreSQL or Berth could be) through the bridge's gateway: the INPUT rule must stop it.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLOT_NETWORK } from "./docker-network";
import { DockerRuntime } from "./docker-runtime";
import { ensureTinyImage } from "./test-images";

const rt = new DockerRuntime({ homeDisksDir: path.join(os.tmpdir(), "berth-test-homes") });
const docker = new Dockerode({ socketPath: "/var/run/docker.sock" });
const slotIds: string[] = [];
let image: string;
let server: net.Server;
let port: number;
let accepted = 0;

async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += String(chunk);
  return out;
}

beforeAll(async () => {
  image = await ensureTinyImage();
  server = net.createServer((socket) => {
    accepted++;
    socket.end("hello from the host\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  port = (server.address() as net.AddressInfo).port;
}, 120_000);

afterAll(async () => {
  server.close();
  for (const id of slotIds) await rt.remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => undefined);
});

describe("host isolation", () => {
  it("keeps a slot from connecting to a host service on 0.0.0.0 through the gateway", async () => {
    await rt.ensureNetwork();
    const gateway = (await docker.getNetwork(SLOT_NETWORK).inspect()).IPAM?.Config?.[0]?.Gateway as string;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    // Control: the service really answers on the gateway address (from the host itself).
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect(port, gateway, () => undefined);
      let data = "";
      c.on("data", (d) => (data += String(d)));
      c.on("end", () => resolve(data));
      c.on("error", reject);
    });
    expect(reply).toBe("hello from the host\n");
    const before = accepted;

    // The rule Berth added is in place.
    expect(() => execFileSync("iptables", ["-w", "5", "-C", "INPUT", "-i", SLOT_NETWORK, "-j", "DROP"])).not.toThrow();

    const slotId = `test-host-${randomBytes(4).toString("hex")}`;
    slotIds.push(slotId);
    const { containerId } = await rt.create({
      slotId,
      ownerId: "owner-test",
      image,
      env: {},
      command: ["sh", "-c", `if nc -w 3 ${gateway} ${port} </dev/null; then echo CONNECTED; else echo BLOCKED; fi`],
      resources: { cpuMillicores: 500, memoryMiB: 64, diskMiB: 64, pids: 64 },
    });
    await rt.start(containerId);
    let logs = "";
    for (let i = 0; i < 60 && !/CONNECTED|BLOCKED/.test(logs); i++) {
      await new Promise((r) => setTimeout(r, 250));
      logs = await text(await rt.logs(containerId, {}));
    }
    expect(logs).toContain("BLOCKED");
    expect(accepted).toBe(before);
  }, 60_000);
});
