// Slots against the real Docker engine (the tiny test image): lifecycle, events, quotas under
// concurrency, racing actions, tenancy, and an unreachable engine.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { slotEvents, slots, templates, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { runtime, setRuntime } from "@/server/runtime";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import { DockerRuntime } from "@/server/runtime/docker/docker-runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { checkHealth } from "../health/check-health";
import type { Actor } from "../context";
import { createSlot } from "./create-slot";
import { requestSlotAction, runSlotAction } from "./slot-actions";
import { getSlot, listSlotEvents, listSlots } from "./slot-queries";
import { updateSlot } from "./update-slot";

setupTestDatabase();

const TEMPLATE = "tpl_tiny_test";
const created: string[] = [];
let owner: Actor;

const as = (actor: Actor) => ({ ...anonymousContext(), actor });

async function newSlot(actor: Actor, name: string) {
  const slot = await createSlot(as(actor), { name, templateId: TEMPLATE, resources: { cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 } });
  created.push(slot.id);
  return slot;
}

async function errorOf(p: Promise<unknown>): Promise<BerthError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(BerthError);
  return e as BerthError;
}

beforeAll(async () => {
  const image = await ensureTinyImage();
  await db().insert(templates).values({ id: TEMPLATE, slug: "tiny-test", name: "Tiny (tests)", image, cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 });
  owner = await makeUser();
  // Room for every test's slots; the quota tests use their own users on the default plan.
  await db().update(users).set({ plan: "team", limits: { slots: 20 } }).where(eq(users.id, owner.id));
}, 180_000);

afterAll(async () => {
  setRuntime(undefined);
  for (const id of created) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => {});
});

describe("slot lifecycle on the real engine", () => {
  it("creates, provisions to running, stops, starts, restarts and deletes, with an event for every step", async () => {
    const slot = await newSlot(owner, "lifecycle");
    expect(slot.status).toBe("creating");
    await runSlotAction(slot.id, "provision", owner.id);
    const running = await getSlot(as(owner), slot.id);
    expect(running.status).toBe("running");
    const [row] = await db().select().from(slots).where(eq(slots.id, slot.id));
    expect((await runtime().inspect(row!.containerId!))?.state).toBe("running");

    expect((await requestSlotAction(as(owner), slot.id, "stop")).status).toBe("stopping");
    await runSlotAction(slot.id, "stop", owner.id);
    expect((await getSlot(as(owner), slot.id)).status).toBe("stopped");
    expect((await runtime().inspect(row!.containerId!))?.state).toBe("exited");

    await requestSlotAction(as(owner), slot.id, "start");
    await runSlotAction(slot.id, "start", owner.id);
    await requestSlotAction(as(owner), slot.id, "restart");
    await runSlotAction(slot.id, "restart", owner.id);
    expect((await getSlot(as(owner), slot.id)).status).toBe("running");

    await requestSlotAction(as(owner), slot.id, "delete");
    await runSlotAction(slot.id, "delete", owner.id);
    expect(await runtime().inspect(row!.containerId!)).toBeNull();
    expect((await errorOf(getSlot(as(owner), slot.id))).code).toBe("NOT_FOUND");

    const events = await db().select().from(slotEvents).where(eq(slotEvents.slotId, slot.id)).orderBy(asc(slotEvents.createdAt));
    expect(events.map((e) => e.toStatus)).toEqual(["creating", "starting", "running", "stopping", "stopped", "starting", "running", "stopping", "starting", "running", "deleting", "deleted"]);
  }, 60_000);

  it("lets exactly one of two racing actions win; the other gets CONFLICT", async () => {
    const slot = await newSlot(owner, "race");
    await runSlotAction(slot.id, "provision", owner.id);
    const results = await Promise.allSettled([requestSlotAction(as(owner), slot.id, "stop"), requestSlotAction(as(owner), slot.id, "restart")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as BerthError).code).toBe("CONFLICT");
  }, 60_000);

  it("a second run of an action that already happened leaves the slot as it is, not in error", async () => {
    const slot = await newSlot(owner, "twice");
    await runSlotAction(slot.id, "provision", owner.id);
    await runSlotAction(slot.id, "provision", owner.id);
    const after = (await listSlots(as(owner), { limit: 50 })).data.find((s) => s.id === slot.id)!;
    expect(after.status).toBe("running");
    expect(after.lastError).toBeNull();
  }, 60_000);

  it("refuses to shrink a disk below the files in it, with CONFLICT and nothing changed", async () => {
    const slot = await newSlot(owner, "full-home");
    await runSlotAction(slot.id, "provision", owner.id);
    const [row] = await db().select().from(slots).where(eq(slots.id, slot.id));
    const wrote = await execAsSlotUser(row!.containerId!, "dd if=/dev/zero of=/home/berth/big bs=1M count=100 2>&1 && sync");
    expect(wrote.code).toBe(0);
    const err = await errorOf(updateSlot(as(owner), slot.id, { resources: { diskMiB: 64, memoryMiB: 96 } }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/64 MiB/);
    const [after] = await db().select().from(slots).where(eq(slots.id, slot.id));
    expect({ disk: after!.diskMiB, memory: after!.memoryMiB }).toEqual({ disk: row!.diskMiB, memory: row!.memoryMiB });
  }, 60_000);

  it("changes limits of a running slot live", async () => {
    const slot = (await listSlots(as(owner), { limit: 10 })).data.find((s) => s.name === "lifecycle" || s.status === "running");
    const target = slot ?? (await newSlot(owner, "resize"));
    if (target.status !== "running") await runSlotAction(target.id, "provision", owner.id);
    const result = await updateSlot(as(owner), target.id, { resources: { memoryMiB: 192 } });
    expect(result.slot.resources.memoryMiB).toBe(192);
    expect(["live", "next-start"]).toContain(result.applied);
  }, 60_000);
});

describe("waiting for a slot to settle (wait: true)", () => {
  it("answers 201 once the new slot runs, 200 once it stopped; without wait, 202 at once", async () => {
    const { handleRest } = await import("@/server/api/rest/handler");
    const { issueTokenPair } = await import("../tokens/token-pairs");
    const token = (await issueTokenPair(anonymousContext(), owner)).accessToken;
    const rest = (method: string, route: string, body: unknown) =>
      handleRest(new Request(`http://berth.test/api/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }));

    const made = await rest("POST", "/slots", { name: "waited", templateId: TEMPLATE, resources: { cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 }, wait: true });
    expect(made.status).toBe(201);
    const { slot } = (await made.json()) as { slot: { id: string; status: string } };
    created.push(slot.id); // removed after the file, like every other slot here
    expect(slot.status).toBe("running");
    expect(made.headers.get("location")).toBe(`/api/v1/slots/${slot.id}`);

    const stopped = await rest("POST", `/slots/${slot.id}/stop`, { wait: true });
    expect(stopped.status).toBe(200);
    expect(((await stopped.json()) as { status: string }).status).toBe("stopped");

    // Only true/false (or "true"/"false"): the REST adapter's coercion used to turn "yes" and "false" into true.
    const junk = await rest("POST", `/slots/${slot.id}/start`, { wait: "yes" });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: { details: { fields: Record<string, string[]> } } }).error.details.fields.wait).toEqual(["wait must be true or false"]);
    const started = await rest("POST", `/slots/${slot.id}/start`, { wait: "false" });
    expect(started.status).toBe(202);
    expect(((await started.json()) as { status: string }).status).toBe("starting");
    const { waitUntilSettled } = await import("./slot-waits");
    expect((await waitUntilSettled(as(owner), slot.id)).slot.status).toBe("running");
    await expect(waitUntilSettled(as(await makeUser()), slot.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  }, 60_000);
});

describe("pagination", () => {
  it("pages through rows created within the same millisecond without losing or repeating any", async () => {
    const slot = await newSlot(owner, "paged");
    for (let i = 0; i < 60; i++) await db().insert(slotEvents).values({ id: `sev_page_${String(i).padStart(3, "0")}`, slotId: slot.id, type: "test.page" });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listSlotEvents(as(owner), { id: slot.id, limit: 7, cursor });
      seen.push(...page.data.filter((e) => e.type === "test.page").map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
  }, 60_000);
});

describe("quotas", () => {
  it("holds under concurrency: 50 parallel creates against a quota of 3 make exactly 3 slots", async () => {
    const u = await makeUser();
    await db().update(users).set({ limits: { slots: 3 } }).where(eq(users.id, u.id));
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => createSlot(as(u), { name: `q${i}`, templateId: TEMPLATE, resources: { cpuMillicores: 200, memoryMiB: 64, diskMiB: 64 } })));
    const ok = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>[];
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    created.push(...ok.map((r) => r.value.id));
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(47);
    for (const r of refused) {
      expect((r.reason as BerthError).code).toBe("QUOTA_EXCEEDED");
      expect((r.reason as BerthError).details).toMatchObject({ limit: 3, current: 3, quota: "slots" });
    }
    expect(await db().select().from(slots).where(eq(slots.ownerId, u.id))).toHaveLength(3);
  }, 60_000);

  it("refuses resources above the plan with the ceiling in the message", async () => {
    const err = await errorOf(createSlot(as(owner), { name: "huge", templateId: TEMPLATE, resources: { memoryMiB: 999_999 } }));
    expect(err.code).toBe("QUOTA_EXCEEDED");
    expect(err.message).toMatch(/memoryMiB at most 8192 on the team plan/);
  });

  it("counts running slots against the plan's maxRunning", async () => {
    const u = await makeUser();
    const a = await newSlot(u, "first");
    await runSlotAction(a.id, "provision", u.id);
    const b = await newSlot(u, "second");
    await db().update(slots).set({ status: "stopped" }).where(eq(slots.id, b.id));
    const err = await errorOf(requestSlotAction(as(u), b.id, "start"));
    expect(err.code).toBe("QUOTA_EXCEEDED");
    expect(err.details).toMatchObject({ limit: 1, current: 1, quota: "running" });
  }, 60_000);
});

describe("tenancy", () => {
  it("answers NOT_FOUND for another user's slot, everywhere", async () => {
    const mine = await newSlot(owner, "private");
    const intruder = await makeUser();
    for (const attempt of [
      () => getSlot(as(intruder), mine.id),
      () => updateSlot(as(intruder), mine.id, { name: "stolen" }),
      () => requestSlotAction(as(intruder), mine.id, "delete"),
      () => requestSlotAction(as(intruder), mine.id, "start"),
    ]) {
      expect((await errorOf(attempt())).code).toBe("NOT_FOUND");
    }
    expect((await listSlots(as(intruder), { limit: 100 })).data).toHaveLength(0);
    const [row] = await db().select().from(slots).where(and(eq(slots.id, mine.id), eq(slots.name, "private")));
    expect(row).toBeTruthy();
  });
});

describe("logs", () => {
  it("serves the owner's container output over REST, tail and follow; others get 404, strangers 401", async () => {
    const { GET } = await import("@/app/api/v1/slots/[id]/logs/route");
    const image = await ensureTinyImage();
    await db().insert(templates).values({ id: "tpl_echo_test", slug: "echo-test", name: "Echo (tests)", image, cpuMillicores: 500, memoryMiB: 128, diskMiB: 256, startCommand: ["sh", "-c", "echo line1; echo line2; sleep 2; echo line3; sleep 1000"] });
    const slot = await createSlot(as(owner), { name: "chatty", templateId: "tpl_echo_test" });
    created.push(slot.id);
    await runSlotAction(slot.id, "provision", owner.id);
    const { issueTokenPair } = await import("../tokens/token-pairs");
    const bearer = async (a: Actor) => ({ authorization: `Bearer ${(await issueTokenPair(anonymousContext(), a)).accessToken}` });
    const call = async (query: string, headers: Record<string, string>) =>
      GET(new Request(`http://berth.test/api/v1/slots/${slot.id}/logs${query}`, { headers }), { params: Promise.resolve({ id: slot.id }) });

    let body = "";
    for (let i = 0; i < 40 && !body.includes("line2"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = await (await call("?tail=1", await bearer(owner))).text();
    }
    expect(body).toBe("line2\n");

    const follow = await call("?tail=0&follow=true", await bearer(owner));
    expect(follow.headers.get("content-type")).toMatch(/text\/plain/);
    const reader = follow.body!.getReader();
    // The first chunk is empty (it makes Next send the headers at once); output follows.
    const first = await reader.read();
    expect(first.value?.byteLength).toBe(0);
    let followed = "";
    while (!followed.includes("line3")) {
      const { value, done } = await reader.read();
      if (done) break;
      followed += new TextDecoder().decode(value);
    }
    expect(followed).toBe("line3\n");
    await reader.cancel();

    expect((await call("", await bearer(await makeUser()))).status).toBe(404);
    expect((await call("", {})).status).toBe(401);
    expect((await call("?tail=-5", await bearer(owner))).status).toBe(400);
  }, 60_000);
});

describe("without a container engine", () => {
  it("answers RUNTIME_UNAVAILABLE for slot actions, reports health degraded, and writes nothing", async () => {
    setRuntime(new DockerRuntime({ socketPath: "/nonexistent/docker.sock" }));
    try {
      const before = await db().select().from(slots).where(eq(slots.ownerId, owner.id));
      expect((await errorOf(createSlot(as(owner), { name: "nodocker", templateId: TEMPLATE }))).code).toBe("RUNTIME_UNAVAILABLE");
      const health = await checkHealth();
      expect(health.status).toBe("degraded");
      expect(health.checks.runtime.status).toBe("error");
      expect(health.checks.db.status).toBe("ok");
      expect(await db().select().from(slots).where(eq(slots.ownerId, owner.id))).toHaveLength(before.length);
      expect((await listSlots(as(owner), { limit: 100 })).data.length).toBe(before.filter((r) => r.status !== "deleted").length);
    } finally {
      setRuntime(undefined);
    }
  });
});
