// From inside a slot, try to starve a neighbour of CPU: the spinning slot is held at its quota and
// the neighbour keeps answering. The bounds are behaviour, not benchmarks: this may run on a shared
// 2-core machine next to other test files, so times and rates get generous margins.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlotResources, WorkspaceSpec } from "../types";
import { DockerRuntime } from "./docker-runtime";
import { execInSlot } from "./test-exec";
import { ensureTinyImage } from "./test-images";

const rt = new DockerRuntime({ homeDisksDir: path.join(os.tmpdir(), "berth-test-homes") });
const docker = new Dockerode({ socketPath: "/var/run/docker.sock" });
const LIMIT_MILLICORES = 500;
const RESOURCES: SlotResources = { cpuMillicores: LIMIT_MILLICORES, memoryMiB: 64, diskMiB: 64, pids: 64 };
/** The quota is enforced per 100 ms period; one ~1 s sample may catch a little more than its share. */
const CPU_TOLERANCE = 1.5;
/** An exec on an idle machine takes ~50-150 ms; anything under this means "not starved". */
const PROMPT_MS = 10_000;

let image: string;
const slotIds: string[] = [];

function spec(over: Partial<WorkspaceSpec> = {}): WorkspaceSpec {
  const slotId = `test-${randomBytes(5).toString("hex")}`;
  slotIds.push(slotId);
  return { slotId, ownerId: "owner-test", image, env: {}, resources: RESOURCES, ...over };
}

beforeAll(async () => {
  image = await ensureTinyImage();
}, 120_000);

afterAll(async () => {
  for (const slotId of slotIds) await rt.remove(`berth-${slotId}`, { slotId, withHome: true }).catch(() => undefined);
}, 60_000);

describe("neighbour isolation", () => {
  it("holds a slot spinning four busy loops near its CPU quota while a neighbour answers promptly", async () => {
    const spinner = await rt.create(spec({ command: ["sh", "-c", "for i in 1 2 3 4; do yes > /dev/null & done; echo spinning; exec sleep infinity"] }));
    const neighbour = await rt.create(spec());
    await rt.start(neighbour.containerId);
    await rt.start(spinner.containerId);

    // Four `yes` processes (each would take a whole core) plus sh and sleep.
    for (let i = 0; i < 50 && (await rt.stats(spinner.containerId)).pids < 6; i++) await new Promise((r) => setTimeout(r, 100));

    const answers: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      // Both at once: the neighbour's command while the engine samples the spinner's CPU over ~1 s.
      const [answer, stats] = await Promise.all([execInSlot(docker, neighbour.containerId, "echo ok"), rt.stats(spinner.containerId)]);
      expect(answer).toMatchObject({ code: 0, output: "ok\n" });
      answers.push(answer.ms);
      cpu.push(stats.cpuMillicores);
    }
    console.info(`CPU spin: spinner at ${cpu.join(", ")} millicores (limit ${LIMIT_MILLICORES}); neighbour's \`echo ok\` answered in ${answers.join(", ")} ms`);

    expect(Math.max(...answers)).toBeLessThan(PROMPT_MS);
    expect(Math.max(...cpu)).toBeLessThanOrEqual(LIMIT_MILLICORES * CPU_TOLERANCE);
    // It really spun (a quiet slot would show ~0): the quota, not idleness, kept it down.
    expect(Math.max(...cpu)).toBeGreaterThan(LIMIT_MILLICORES * 0.3);
    expect((await rt.stats(spinner.containerId)).pids).toBeGreaterThanOrEqual(5);
    expect((await rt.inspect(spinner.containerId))?.state).toBe("running");

    await rt.stop(spinner.containerId, { timeoutSeconds: 1 });
    await rt.stop(neighbour.containerId, { timeoutSeconds: 1 });
  }, 60_000);
});
