// Auto-stop and metrics against the real engine and Postgres, and both running as pg-boss jobs.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { plans, slotEvents, slotMetrics, slots, templates, users } from "@/server/db/schema";
import { QUEUES, startJobs, type Jobs } from "@/server/jobs";
import { runtime, setRuntime } from "@/server/runtime";
import { DockerRuntime } from "@/server/runtime/docker/docker-runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import type { Actor } from "../context";
import { autoStopPass } from "./auto-stop";
import { createSlot } from "./create-slot";
import { liveMetrics, pruneMetrics, sampleMetrics, slotMetricsFor } from "./metrics";
import { runSlotAction } from "./slot-actions";
import { getSlot, heartbeat } from "./slot-queries";

const { handle } = setupTestDatabase({ BERTH_METRICS_INTERVAL: "5", BERTH_AUTOSTOP_WARNING_MINUTES: "5" });

let owner: Actor;
let stranger: Actor;
const as = (actor: Actor) => ({ ...anonymousContext(), actor });
const row = async (id: string) => (await db().select().from(slots).where(eq(slots.id, id)))[0]!;
const events = async (id: string) => (await db().select().from(slotEvents).where(eq(slotEvents.slotId, id))).map((e) => e);

async function runningSlot(name: string): Promise<string> {
  const slot = await createSlot(as(owner), { name, templateId: "tpl_as_tiny" });
  await runSlotAction(slot.id, "provision", owner.id);
  expect((await row(slot.id)).status).toBe("running");
  return slot.id;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const image = await ensureTinyImage();
  await db().insert(templates).values({ id: "tpl_as_tiny", slug: "as-tiny", name: "Tiny", image, cpuMillicores: 500, memoryMiB: 64, diskMiB: 64 });
  await db().insert(plans).values({ id: "plan_as", name: "Auto-stop test", maxSlots: 10, maxRunning: 10, cpuMillicores: 1000, memoryMiB: 256, diskMiB: 256, idleTimeoutMinutes: 30, maxUptimeMinutes: 120 });
  owner = await makeUser();
  stranger = await makeUser();
  await db().update(users).set({ plan: "plan_as" }).where(eq(users.id, owner.id));
}, 120_000);

afterAll(async () => {
  for (const s of await db().select().from(slots)) await runtime().remove(s.containerId ?? `berth-${s.id}`, { slotId: s.id, withHome: true }).catch(() => undefined);
});

describe("auto-stop", () => {
  it("warns before the idle deadline, once, then stops the slot with an event saying why", async () => {
    const id = await runningSlot("idle-one");
    const last = (await row(id)).lastActivityAt.getTime();
    const minutes = (n: number) => new Date(last + n * 60_000);

    expect((await autoStopPass(minutes(20))).warned).not.toContain(id);
    expect((await autoStopPass(minutes(26))).warned).toContain(id);
    expect((await autoStopPass(minutes(27))).warned).not.toContain(id);
    const warning = (await events(id)).find((e) => e.type === "slot.autostop_warning")!;
    expect(warning.details).toMatchObject({ reason: "idle", stopsAt: minutes(30).toISOString() });

    const pass = await autoStopPass(minutes(30));
    expect(pass.stopped).toContain(id);
    const after = await row(id);
    expect(after.status).toBe("stopped");
    expect(await runtime().inspect(after.containerId!)).toMatchObject({ state: "exited" });
    const stop = (await events(id)).find((e) => e.type === "slot.autostop")!;
    expect(stop).toMatchObject({ fromStatus: "running", toStatus: "stopping", actorId: null });
    expect(stop.details).toMatchObject({ reason: "idle" });
  }, 60_000);

  it("a heartbeat defers the idle stop; max uptime stops it anyway", async () => {
    const id = await runningSlot("busy-one");
    const started = (await row(id)).startedAt!.getTime();
    const minutes = (n: number) => new Date(started + n * 60_000);
    // Activity at minute 100 (the heartbeat writes "now", so set the row as a heartbeat would then).
    const beat = await heartbeat(as(owner), id);
    expect(beat.autoStop).toMatchObject({ reason: "idle" });
    await db().update(slots).set({ lastActivityAt: minutes(100) }).where(eq(slots.id, id));
    expect((await autoStopPass(minutes(110))).stopped).not.toContain(id);
    expect((await getSlot(as(owner), id)).autoStop).toEqual({ at: minutes(120).toISOString(), reason: "max-uptime" });
    expect((await autoStopPass(minutes(116))).warned).toContain(id);
    expect((await autoStopPass(minutes(120))).stopped).toContain(id);
    expect((await row(id)).status).toBe("stopped");
    expect((await events(id)).find((e) => e.type === "slot.autostop")!.details).toMatchObject({ reason: "max-uptime" });
  }, 60_000);

  it("waits while the engine is unreachable instead of putting the slot in error", async () => {
    const id = await runningSlot("engine-down");
    const late = new Date((await row(id)).lastActivityAt.getTime() + 31 * 60_000);
    setRuntime(new DockerRuntime({ socketPath: "/nonexistent/docker.sock" }));
    try {
      expect((await autoStopPass(late)).stopped).not.toContain(id);
      expect((await row(id)).status).toBe("running");
      const metrics = await sampleMetrics();
      expect(metrics.sampled).toBe(0);
    } finally {
      setRuntime(undefined);
    }
    expect((await autoStopPass(late)).stopped).toContain(id);
    expect((await row(id)).status).toBe("stopped");
  }, 60_000);

  it("another user's heartbeat is NOT_FOUND", async () => {
    const id = await runningSlot("private-one");
    await expect(heartbeat(as(stranger), id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await runSlotAction(id, "stop", owner.id).catch(() => undefined);
  }, 60_000);
});

describe("metrics", () => {
  it("samples running slots, reads them back for the owner only, and prunes old samples", async () => {
    const id = await runningSlot("measured");
    const result = await sampleMetrics();
    expect(result.sampled).toBeGreaterThanOrEqual(1);
    const view = await slotMetricsFor(as(owner), { id, minutes: 60 });
    expect(view.latest).toMatchObject({ cpuLimitMillicores: 500, memoryLimitBytes: 64 * 1024 * 1024, diskLimitBytes: 64 * 1024 * 1024 });
    expect(view.latest!.memoryBytes).toBeGreaterThan(0);
    expect(view.latest!.pids).toBeGreaterThanOrEqual(1);
    expect(view.samples).toHaveLength(1);
    await expect(slotMetricsFor(as(stranger), { id, minutes: 60 })).rejects.toMatchObject({ code: "NOT_FOUND" });

    await db().insert(slotMetrics).values({ slotId: id, at: new Date(Date.now() - 48 * 3_600_000), cpuMillicores: 1, memoryBytes: 1, memoryLimitBytes: 1, diskBytes: null, networkRxBytes: 0, networkTxBytes: 0, pids: 1 });
    expect(await pruneMetrics()).toBe(1);
    expect(await db().select().from(slotMetrics).where(eq(slotMetrics.slotId, id))).toHaveLength(1);
  }, 60_000);

  it("streams live samples of the owner's running slot until the reader goes away", async () => {
    const [slot] = await db().select().from(slots).where(and(eq(slots.name, "measured"), eq(slots.status, "running")));
    const abort = new AbortController();
    const seen = [];
    for await (const sample of liveMetrics(as(owner), slot!.id, abort.signal, 100)) {
      seen.push(sample);
      if (seen.length === 2) abort.abort();
    }
    expect(seen).toHaveLength(2);
    expect(new Date(seen[1]!.at).getTime()).toBeGreaterThanOrEqual(new Date(seen[0]!.at).getTime());
    const stranger$ = liveMetrics(as(stranger), slot!.id, new AbortController().signal);
    await expect(stranger$.next()).rejects.toMatchObject({ code: "NOT_FOUND" });
  }, 60_000);
});

describe("as pg-boss jobs", () => {
  let jobs: Jobs;
  beforeAll(async () => {
    jobs = await startJobs(handle(), { pollingIntervalSeconds: 0.5 });
  }, 60_000);
  afterAll(async () => {
    await jobs?.stop();
  });

  it("samples metrics on a chain of jobs every interval", async () => {
    const [slot] = await db().select().from(slots).where(and(eq(slots.name, "measured"), eq(slots.status, "running")));
    const before = (await db().select().from(slotMetrics).where(eq(slotMetrics.slotId, slot!.id))).length;
    // The first job runs at once, the next one BERTH_METRICS_INTERVAL (5 s) later.
    await waitFor("two more samples", async () => (await db().select().from(slotMetrics).where(eq(slotMetrics.slotId, slot!.id))).length >= before + 2, 40_000);
  }, 60_000);

  it("runs the auto-stop pass as a job", async () => {
    const id = await runningSlot("job-stopped");
    await db().update(slots).set({ lastActivityAt: new Date(Date.now() - 31 * 60_000) }).where(eq(slots.id, id));
    await jobs.boss.send(QUEUES.autostop, {});
    await waitFor("the slot to be stopped", async () => (await row(id)).status === "stopped");
    expect((await events(id)).map((e) => e.type)).toContain("slot.autostop");
  }, 60_000);
});
