// Admin catalog against the real Postgres and Docker engine: templates and plans (CRUD, validation,
// conflicts, in-use protection, exactly one default, audit rows), limit overrides (maxRunning
// enforced by starting slots), GET /me's effective plan, and every user's slots.
import { TRPCError } from "@trpc/server";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousContext, callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { toPublicError } from "@/server/api/trpc";
import { db } from "@/server/db";
import { auditLog, plans, slots, templates, users } from "@/server/db/schema";
import { runtime } from "@/server/runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import type { Actor } from "../context";
import { listPlans, listTemplates } from "../slots/catalog";
import { createSlot } from "../slots/create-slot";
import { requestSlotAction, runSlotAction } from "../slots/slot-actions";

setupTestDatabase();

let admin: Actor;
let tinyImage: string;
const createdSlots: string[] = [];
const as = (actor: Actor) => ({ ...anonymousContext(), actor });
type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];
let api: Caller;

/** The public error (code, message, details) a call fails with, as REST would show it. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "the call must fail").toBeInstanceOf(TRPCError);
  return toPublicError(err as TRPCError, "test");
}

async function auditRows(action: string, targetId: string) {
  return db().select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.targetId, targetId)));
}

const tiny = (slug: string, extra: Record<string, unknown> = {}) => ({
  slug,
  name: `Tiny ${slug}`,
  image: tinyImage,
  resources: { cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 },
  ...extra,
});

const smallPlan = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Plan ${id}`,
  maxSlots: 3,
  maxRunning: 1,
  cpuMillicores: 1000,
  memoryMiB: 512,
  diskMiB: 1024,
  idleTimeoutMinutes: 30,
  ...extra,
});

async function waitForStatus(slotId: string, status: string): Promise<void> {
  let current: string | undefined;
  for (let i = 0; i < 100; i++) {
    [{ status: current } = { status: undefined }] = await db().select({ status: slots.status }).from(slots).where(eq(slots.id, slotId));
    if (current === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(current, `slot ${slotId}`).toBe(status);
}

async function defaults(table: typeof templates | typeof plans): Promise<string[]> {
  return (await db().select({ id: table.id }).from(table).where(eq(table.isDefault, true))).map((r) => r.id);
}

beforeAll(async () => {
  tinyImage = await ensureTinyImage();
  admin = await makeUser("admin");
  api = (await callerFor(admin)).caller;
}, 180_000);

afterAll(async () => {
  for (const id of createdSlots) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => {});
});

describe("templates", () => {
  it("creates a template, says whether the engine has its image, and audits it", async () => {
    const t = await api.admin.templates.create({ ...tiny("tiny-a"), env: { GREETING: "hi" }, startCommand: ["sleep", "1000"] });
    expect(t).toMatchObject({ slug: "tiny-a", image: tinyImage, env: { GREETING: "hi" }, startCommand: ["sleep", "1000"], enabled: true, isDefault: false, slots: 0, imageAvailable: true });
    expect(t.id).toMatch(/^tpl_/);
    expect(await api.admin.templates.get({ id: t.id })).toEqual(t);
    const [row] = await auditRows("admin.template.create", t.id);
    expect(row).toMatchObject({ outcome: "success", actorId: admin.id, details: { slug: "tiny-a", image: tinyImage } });

    const missing = await api.admin.templates.create(tiny("not-built", { image: "berth/not-built-here:1" }));
    expect(missing.imageAvailable).toBe(false);
    const list = await api.admin.templates.list();
    expect(list.data.map((x) => x.slug)).toEqual(expect.arrayContaining(["default", "tiny-a", "not-built"]));
    expect(list.data[0]!.isDefault).toBe(true);
  });

  it("refuses a taken slug with CONFLICT, and audits the refusal", async () => {
    const err = await failure(api.admin.templates.create(tiny("tiny-a")));
    expect(err.code).toBe("CONFLICT");
    expect(err.details).toMatchObject({ fields: { slug: ["Already used"] } });
    const other = await api.admin.templates.create(tiny("tiny-b"));
    expect((await failure(api.admin.templates.update({ id: other.id, slug: "tiny-a" }))).code).toBe("CONFLICT");
    const [denied] = await auditRows("admin.template.update", other.id);
    expect(denied).toMatchObject({ outcome: "failure", details: { error: "CONFLICT" } });
  });

  it.each([
    ["slug", { slug: "Not A Slug" }],
    ["image", { image: "not an image!" }],
    ["env", { env: { BERTH_SLOT_ID: "spoof" } }],
    ["env", { env: { "1BAD": "x" } }],
    ["resources.cpuMillicores", { resources: { cpuMillicores: 5, memoryMiB: 128, diskMiB: 256 } }],
    ["resources.memoryMiB", { resources: { cpuMillicores: 500, memoryMiB: 10_000_000, diskMiB: 256 } }],
    ["startCommand", { startCommand: [] }],
    ["name", { name: "" }],
  ])("validates %s", async (field, bad) => {
    const err = await failure(api.admin.templates.create({ ...tiny(`v-${field.replace(/\W/g, "")}`), ...bad } as never));
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(Object.keys((err.details as { fields: Record<string, unknown> }).fields).some((k) => k.startsWith(field))).toBe(true);
  });

  it("hides a disabled template from users and from slot creation; existing data stays", async () => {
    const t = await api.admin.templates.create(tiny("hidden-soon"));
    expect((await listTemplates()).data.map((x) => x.id)).toContain(t.id);
    const off = await api.admin.templates.update({ id: t.id, enabled: false });
    expect(off.enabled).toBe(false);
    expect((await listTemplates()).data.map((x) => x.id)).not.toContain(t.id);
    const user = await makeUser();
    const refused = await createSlot(as(user), { name: "from-hidden", templateId: t.id }).then(
      () => null,
      (e: { code: string }) => e.code,
    );
    expect(refused).toBe("VALIDATION_ERROR");
    expect((await api.admin.templates.update({ id: t.id, enabled: true })).enabled).toBe(true);
  });

  it("keeps exactly one default: setting it moves it, unsetting or disabling the default is refused", async () => {
    expect(await defaults(templates)).toEqual(["tpl_default"]);
    const t = await api.admin.templates.create(tiny("new-default", { isDefault: true }));
    expect(t.isDefault).toBe(true);
    expect(await defaults(templates)).toEqual([t.id]);

    expect((await failure(api.admin.templates.update({ id: t.id, isDefault: false }))).code).toBe("CONFLICT");
    expect((await failure(api.admin.templates.update({ id: t.id, enabled: false }))).code).toBe("CONFLICT");
    expect((await failure(api.admin.templates.create(tiny("disabled-default", { isDefault: true, enabled: false })))).code).toBe("VALIDATION_ERROR");
    expect((await failure(api.admin.templates.delete({ id: t.id }))).code).toBe("CONFLICT");

    // Many admins racing to make different templates the default: still exactly one.
    const racers = await Promise.all(["r1", "r2", "r3", "r4", "r5"].map((s) => api.admin.templates.create(tiny(`race-${s}`))));
    await Promise.all(racers.map((r) => api.admin.templates.update({ id: r.id, isDefault: true })));
    expect(await defaults(templates)).toHaveLength(1);

    await api.admin.templates.update({ id: "tpl_default", isDefault: true });
    expect(await defaults(templates)).toEqual(["tpl_default"]);
    expect((await api.admin.templates.get({ id: t.id })).isDefault).toBe(false);
  });

  it("deletes an unused template, and refuses one that slots use (now or in their history)", async () => {
    const unused = await api.admin.templates.create(tiny("unused"));
    await api.admin.templates.delete({ id: unused.id });
    expect((await failure(api.admin.templates.get({ id: unused.id }))).code).toBe("NOT_FOUND");
    expect((await failure(api.admin.templates.delete({ id: unused.id }))).code).toBe("NOT_FOUND");
    expect(await auditRows("admin.template.delete", unused.id)).toEqual(expect.arrayContaining([expect.objectContaining({ outcome: "success" })]));

    const used = await api.admin.templates.create(tiny("used"));
    const user = await makeUser();
    const slot = await createSlot(as(user), { name: "uses-it", templateId: used.id });
    createdSlots.push(slot.id);
    expect((await api.admin.templates.get({ id: used.id })).slots).toBe(1);
    const inUse = await failure(api.admin.templates.delete({ id: used.id }));
    expect(inUse.code).toBe("CONFLICT");
    expect(inUse.message).toMatch(/1 slot uses this template.*Disable it instead/);
    expect(inUse.details).toEqual({ slots: 1 });

    await db().update(slots).set({ status: "deleted", deletedAt: new Date() }).where(eq(slots.id, slot.id));
    const history = await failure(api.admin.templates.delete({ id: used.id }));
    expect(history.code).toBe("CONFLICT");
    expect(history.details).toEqual({ slots: 0, deletedSlots: 1 });
  });

  it("answers NOT_FOUND and VALIDATION_ERROR for updates that make no sense", async () => {
    expect((await failure(api.admin.templates.update({ id: "tpl_nope", name: "x" }))).code).toBe("NOT_FOUND");
    expect((await failure(api.admin.templates.update({ id: "tpl_default" }))).code).toBe("VALIDATION_ERROR");
  });
});

describe("plans", () => {
  it("creates, reads, updates and lists plans, audited", async () => {
    const p = await api.admin.plans.create(smallPlan("starter", { pricePerHourCents: 2 }));
    expect(p).toMatchObject({ id: "starter", maxSlots: 3, maxRunning: 1, pids: 512, maxUptimeMinutes: null, pricePerHourCents: 2, maxFileMiB: 100, filesQuotaMiB: 1024, requestsPerMinute: 600, isDefault: false, users: 0 });
    const updated = await api.admin.plans.update({ id: "starter", maxSlots: 5, maxRunning: 2, maxUptimeMinutes: 60 });
    expect(updated).toMatchObject({ maxSlots: 5, maxRunning: 2, maxUptimeMinutes: 60 });
    expect(await api.admin.plans.update({ id: "starter", maxFileMiB: 20, filesQuotaMiB: 300 })).toMatchObject({ maxFileMiB: 20, filesQuotaMiB: 300 });
    expect(await api.admin.plans.update({ id: "starter", requestsPerMinute: 90 })).toMatchObject({ requestsPerMinute: 90 });
    expect((await api.admin.plans.list()).data.map((x) => x.id)).toEqual(expect.arrayContaining(["free", "pro", "team", "starter"]));
    expect((await listPlans()).data.find((x) => x.id === "starter")).toMatchObject({ requestsPerMinute: 90 });
    expect(await auditRows("admin.plan.update", "starter")).toEqual([
      expect.objectContaining({ outcome: "success", details: { maxSlots: 5, maxRunning: 2, maxUptimeMinutes: 60 } }),
      expect.objectContaining({ details: { maxFileMiB: 20, filesQuotaMiB: 300 } }),
      expect.objectContaining({ details: { requestsPerMinute: 90 } }),
    ]);
  });

  it("validates numbers and refuses a taken id", async () => {
    expect((await failure(api.admin.plans.create(smallPlan("starter")))).code).toBe("CONFLICT");
    for (const bad of [{ maxSlots: 0 }, { maxSlots: -1 }, { cpuMillicores: 10 }, { memoryMiB: 1e12 }, { idleTimeoutMinutes: 0 }, { pricePerHourCents: -5 }, { maxSlots: 1.5 }, { maxFileMiB: 0 }, { filesQuotaMiB: -1 }, { maxFileMiB: "big" }, { requestsPerMinute: 0 }, { requestsPerMinute: 2.5 }, { id: "Bad Id" }]) {
      const err = await failure(api.admin.plans.create(smallPlan("valid-id", bad) as never));
      expect(err.code, JSON.stringify(bad)).toBe("VALIDATION_ERROR");
    }
    const over = await failure(api.admin.plans.create(smallPlan("over", { maxSlots: 2, maxRunning: 3 })));
    expect(over).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: { maxRunning: ["At most maxSlots (2)"] } } });
    expect((await failure(api.admin.plans.update({ id: "starter", maxSlots: 1 }))).code).toBe("VALIDATION_ERROR");
  });

  it("keeps exactly one default plan", async () => {
    expect(await defaults(plans)).toEqual(["free"]);
    await api.admin.plans.update({ id: "pro", isDefault: true });
    expect(await defaults(plans)).toEqual(["pro"]);
    expect((await failure(api.admin.plans.update({ id: "pro", isDefault: false }))).code).toBe("CONFLICT");
    expect((await failure(api.admin.plans.delete({ id: "pro" }))).code).toBe("CONFLICT");
    await api.admin.plans.create(smallPlan("racer-a"));
    await api.admin.plans.create(smallPlan("racer-b"));
    await Promise.all(["racer-a", "racer-b", "team", "free"].map((id) => api.admin.plans.update({ id, isDefault: true })));
    expect(await defaults(plans)).toHaveLength(1);
    await api.admin.plans.update({ id: "free", isDefault: true });
    expect(await defaults(plans)).toEqual(["free"]);
  });

  it("refuses to delete a plan users are on, deletes an unused one", async () => {
    const user = await makeUser();
    await api.admin.users.update({ id: user.id, plan: "starter" });
    expect((await api.admin.plans.get({ id: "starter" })).users).toBe(1);
    const err = await failure(api.admin.plans.delete({ id: "starter" }));
    expect(err).toMatchObject({ code: "CONFLICT", details: { users: 1 } });
    expect(err.message).toMatch(/1 user is on this plan/);
    await api.admin.users.update({ id: user.id, plan: null });
    await api.admin.plans.delete({ id: "starter" });
    expect((await failure(api.admin.plans.get({ id: "starter" }))).code).toBe("NOT_FOUND");
  });
});

describe("a user's plan and limit overrides", () => {
  it("refuses an unknown plan", async () => {
    const user = await makeUser();
    const err = await failure(api.admin.users.update({ id: user.id, plan: "platinum" }));
    expect(err).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: { plan: ["Unknown plan"] } } });
  });

  it("GET /me shows the plan that applies and the limits with overrides on top", async () => {
    const user = await makeUser();
    const me = (await callerFor(user)).caller.me;
    expect(await me.get()).toMatchObject({
      plan: "free",
      planAssigned: false,
      limits: { slots: 2, maxRunning: 1, cpuMillicores: 1000, memoryMiB: 1024, diskMiB: 2048, pids: 256, idleTimeoutMinutes: 30, maxUptimeMinutes: 480, maxFileMiB: 100, filesQuotaMiB: 1024, requestsPerMinute: 600 },
      limitOverrides: {},
    });
    await api.admin.users.update({ id: user.id, limits: { maxFileMiB: 5, filesQuotaMiB: 50 } });
    expect(await (await callerFor(user)).caller.me.get()).toMatchObject({ limits: { maxFileMiB: 5, filesQuotaMiB: 50 }, limitOverrides: { maxFileMiB: 5, filesQuotaMiB: 50 } });
    await api.admin.users.update({ id: user.id, plan: "pro", limits: { maxRunning: 7, memoryMiB: 512 } });
    // A fresh caller: the profile is read with the credential.
    const after = await (await callerFor(user)).caller.me.get();
    expect(after).toMatchObject({ plan: "pro", planAssigned: true, limits: { slots: 10, maxRunning: 7, memoryMiB: 512, cpuMillicores: 2000 }, limitOverrides: { maxRunning: 7, memoryMiB: 512 } });
    expect((await (await callerFor(user)).caller.me.update({ name: "Renamed" })).limits.maxRunning).toBe(7);
  });

  it("enforces a maxRunning override when slots start", async () => {
    const t = await api.admin.templates.create(tiny("runner"));
    const user = await makeUser();
    // The free plan allows 2 slots, 1 running; the override allows 3 slots, 2 running.
    await api.admin.users.update({ id: user.id, limits: { slots: 3, maxRunning: 2 } });
    const made = [];
    for (const name of ["one", "two", "three"]) {
      const slot = await createSlot(as(user), { name, templateId: t.id });
      createdSlots.push(slot.id);
      await runSlotAction(slot.id, "provision", user.id);
      made.push(slot.id);
    }
    const statuses = await db().select({ id: slots.id, status: slots.status }).from(slots).where(inArray(slots.id, made));
    expect(statuses.filter((s) => s.status === "running")).toHaveLength(2);
    const waiting = statuses.find((s) => s.status === "stopped")!;
    const refused = await requestSlotAction(as(user), waiting.id, "start").then(
      () => null,
      (e: { code: string; details: unknown; message: string }) => e,
    );
    expect(refused).toMatchObject({ code: "QUOTA_EXCEEDED", details: { limit: 2, current: 2, quota: "running" } });
    // The limit in force is the administrator's, not the plan's, and the message says so.
    expect(refused?.message).toMatch(/^Your account allows 2 running slots/);

    // Raising the override lets the third one start.
    await api.admin.users.update({ id: user.id, limits: { slots: 3, maxRunning: 3 } });
    await requestSlotAction(as(user), waiting.id, "start");
    await runSlotAction(waiting.id, "start", user.id);
    expect((await db().select({ status: slots.status }).from(slots).where(eq(slots.id, waiting.id)))[0]!.status).toBe("running");
    const [row] = await db().select({ limits: users.limits }).from(users).where(eq(users.id, user.id));
    expect(row!.limits).toEqual({ slots: 3, maxRunning: 3 });
  }, 90_000);
});

describe("every user's slots", () => {
  it("lists them with their owners, filters and pages; stops and deletes any of them", async () => {
    const t = await api.admin.templates.create(tiny("admin-view"));
    const alice = await makeUser("user", { email: `alice-${Date.now()}@example.com` });
    const bob = await makeUser();
    await api.admin.users.update({ id: alice.id, plan: "team" });
    const a1 = await createSlot(as(alice), { name: "alice-one", templateId: t.id });
    const a2 = await createSlot(as(alice), { name: "alice-two", templateId: t.id });
    const b1 = await createSlot(as(bob), { name: "bob-one", templateId: t.id });
    createdSlots.push(a1.id, a2.id, b1.id);
    await runSlotAction(a1.id, "provision", alice.id);
    await runSlotAction(b1.id, "provision", bob.id);

    const all = await api.admin.slots.list({ limit: 100 });
    const mine = all.data.filter((s) => [a1.id, a2.id, b1.id].includes(s.id));
    expect(mine).toHaveLength(3);
    expect(mine.find((s) => s.id === b1.id)).toMatchObject({ ownerId: bob.id, ownerEmail: bob.email, templateName: "Tiny admin-view", status: "running" });

    expect((await api.admin.slots.list({ limit: 100, ownerId: alice.id })).data.map((s) => s.id).sort()).toEqual([a1.id, a2.id].sort());
    expect((await api.admin.slots.list({ limit: 100, q: "alice-" })).data.map((s) => s.id).sort()).toEqual([a1.id, a2.id].sort());
    expect((await api.admin.slots.list({ limit: 100, q: b1.id })).data.map((s) => s.id)).toEqual([b1.id]);
    expect((await api.admin.slots.list({ limit: 100, q: "100%_\\" })).data).toEqual([]);
    const running = await api.admin.slots.list({ limit: 100, status: "running", ownerId: alice.id });
    expect(running.data.map((s) => s.id)).toEqual([a1.id]);

    const page1 = await api.admin.slots.list({ limit: 1, ownerId: alice.id });
    expect(page1.data).toHaveLength(1);
    const page2 = await api.admin.slots.list({ limit: 1, ownerId: alice.id, cursor: page1.nextCursor! });
    expect(page2.nextCursor).toBeNull();
    expect([page1.data[0]!.id, page2.data[0]!.id].sort()).toEqual([a1.id, a2.id].sort());
    expect((await failure(api.admin.slots.list({ limit: 5, cursor: "garbage" }))).code).toBe("VALIDATION_ERROR");

    // Stop bob's running slot.
    expect((await failure(api.admin.slots.stop({ id: a2.id }))).code).toBe("CONFLICT"); // a2 is not running
    // (The router runs the runtime work in the background, as for the owner's own actions.)
    const stopping = await api.admin.slots.stop({ id: b1.id });
    expect(stopping.status).toBe("stopping");
    await waitForStatus(b1.id, "stopped");
    expect(await auditRows("admin.slot.stop", b1.id)).toEqual([expect.objectContaining({ outcome: "success", actorId: admin.id, details: { ownerId: bob.id, name: "bob-one" } })]);

    // Delete alice's running slot: container and row go, the slot is listed only when asked for.
    expect((await api.admin.slots.delete({ id: a1.id })).status).toBe("deleting");
    await waitForStatus(a1.id, "deleted");
    expect(await runtime().inspect(`berth-${a1.id}`)).toBeNull();
    expect((await api.admin.slots.list({ limit: 100, ownerId: alice.id })).data.map((s) => s.id)).toEqual([a2.id]);
    expect((await api.admin.slots.list({ limit: 100, ownerId: alice.id, status: "deleted" })).data.map((s) => s.id)).toEqual([a1.id]);
    expect((await api.admin.slots.get({ id: a1.id })).status).toBe("deleted");
    expect((await failure(api.admin.slots.delete({ id: a1.id }))).code).toBe("NOT_FOUND");
    expect((await failure(api.admin.slots.get({ id: "slt_nope" }))).code).toBe("NOT_FOUND");
  }, 90_000);

  it("is for administrators only", async () => {
    const user = await makeUser();
    const { caller } = await callerFor(user);
    expect((await failure(caller.admin.slots.list({ limit: 5 }))).code).toBe("FORBIDDEN");
    expect((await failure(caller.admin.templates.create(tiny("sneaky")))).code).toBe("FORBIDDEN");
    expect((await failure(caller.admin.plans.update({ id: "free", maxSlots: 999 }))).code).toBe("FORBIDDEN");
  });
});
