// The default template image (berth/workspace, built by `npm run images`) run through the driver:
// the tools a workspace promises, the `berth` user, its home on the slot's volume.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkspaceSpec } from "../types";
import { DockerRuntime } from "./docker-runtime";

const IMAGE = "berth/workspace:latest";
const rt = new DockerRuntime({ homeDisksDir: path.join(os.tmpdir(), "berth-test-homes") });
const slotIds: string[] = [];

function spec(command?: string[]): WorkspaceSpec {
  const slotId = `test-${randomBytes(5).toString("hex")}`;
  slotIds.push(slotId);
  return {
    slotId,
    ownerId: "owner-test",
    image: IMAGE,
    env: {},
    command,
    resources: { cpuMillicores: 1000, memoryMiB: 256, diskMiB: 512, pids: 128 },
  };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  if (!(await rt.hasImage(IMAGE))) {
    throw new Error(`${IMAGE} is not built on this engine: run \`npm run images\` (about 1–2 minutes, needs root and the Debian mirror).`);
  }
});

afterAll(async () => {
  for (const slotId of slotIds) await rt.remove(`berth-${slotId}`, { slotId, withHome: true }).catch(() => undefined);
});

describe(`default template image ${IMAGE}`, () => {
  it("has bash, git, tmux, python3 and curl, runs as berth (uid 1000) with a writable home at /home/berth", async () => {
    const script = [
      "id -un; id -u; echo HOME=$HOME; pwd",
      'for c in bash git tmux python3 curl less nano ps; do command -v "$c" >/dev/null && echo "have $c" || echo "missing $c"; done',
      "git --version; python3 --version; tmux -V; curl --version | head -1",
      'touch "$HOME/probe" && echo home-writable; test -f "$HOME/.bashrc" && echo has-bashrc',
      "echo done",
    ].join("; ");
    const { containerId } = await rt.create(spec(["bash", "-c", script]));
    await rt.start(containerId);
    let logs = "";
    const deadline = Date.now() + 15_000;
    while (!logs.includes("done\n") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      logs = await text(await rt.logs(containerId, {}));
    }
    const lines = logs.split("\n");
    expect(lines.slice(0, 4)).toEqual(["berth", "1000", "HOME=/home/berth", "/home/berth"]);
    for (const tool of ["bash", "git", "tmux", "python3", "curl", "less", "nano", "ps"]) expect(lines).toContain(`have ${tool}`);
    expect(logs).toMatch(/^git version \d/m);
    expect(logs).toMatch(/^Python 3\.\d+/m);
    expect(logs).toMatch(/^tmux \d/m);
    expect(logs).toMatch(/^curl \d/m);
    expect(lines).toContain("home-writable");
    expect(lines).toContain("has-bashrc");
    let info = await rt.inspect(containerId);
    while (info?.state === "running" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      info = await rt.inspect(containerId);
    }
    expect(info).toMatchObject({ state: "exited", exitCode: 0 });
  });

  it("stays up with the default command and stops quickly", async () => {
    const { containerId } = await rt.create(spec());
    await rt.start(containerId);
    expect((await rt.inspect(containerId))?.state).toBe("running");
    const t0 = Date.now();
    await rt.stop(containerId);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect((await rt.inspect(containerId))?.state).toBe("exited");
  });
});
