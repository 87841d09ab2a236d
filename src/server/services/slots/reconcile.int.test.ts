// The reconciler against the real engine: orphans removed (only this installation's), stuck rows
// driven to their end, dead containers (exit, OOM kill) turned into events.
import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { slotEvents, slots, templates, users } from "@/server/db/schema";
import { runtime } from "@/server/runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import type { Actor } from "../context";
import { createSlot } from "./create-slot";
import { instanceId } from "./instance";
import { reconcileSlots } from "./reconcile";
import { requestSlotAction, runSlotAction } from "./slot-actions";

setupTestDatabase();

let owner: Actor;
let image: string;
const cleanup: { containerId: string; slotId: string }[] = [];
const as = (actor: Actor) => ({ ...anonymousContext(), actor });
const row = async (id: string) => (await db().select().from(slots).where(eq(slots.id, id)))[0]!;

beforeAll(async () => {
  image = await ensureTinyImage();
  await db().insert(templates).values([
    { id: "tpl_r_tiny", slug: "r-tiny", name: "Tiny", image, cpuMillicores: 500, memoryMiB: 64, diskMiB: 64 },
    // Doubles a string until the memory limit kills it.
    { id: "tpl_r_hog", slug: "r-hog", name: "Memory hog", image, cpuMillicores: 1000, memoryMiB: 64, diskMiB: 64, startCommand: ["sh", "-c", "sleep 1; x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"] },
  ]);
  owner = await makeUser();
  await db().update(users).set({ plan: "team" }).where(eq(users.id, owner.id));
}, 120_000);

afterAll(async () => {
  for (const c of cleanup) await runtime().remove(c.containerId, { slotId: c.slotId, withHome: true }).catch(() => undefined);
  for (const s of await db().select().from(slots)) await runtime().remove(`berth-${s.id}`, { slotId: s.id, withHome: true }).catch(() => undefined);
});

describe("reconciler", () => {
  it("removes this installation's containers that have no slot, and leaves another installation's alone", async () => {
    const spec = (slotId: string, instance: string) => ({ slotId, ownerId: owner.id, image, env: {}, resources: { cpuMillicores: 200, memoryMiB: 64, diskMiB: 64, pids: 32 }, instanceId: instance });
    const mineId = `orphan-${randomBytes(4).toString("hex")}`;
    const theirsId = `foreign-${randomBytes(4).toString("hex")}`;
    const mine = await runtime().create(spec(mineId, await instanceId()));
    const theirs = await runtime().create(spec(theirsId, "another-installation"));
    cleanup.push({ ...theirs, slotId: theirsId }, { ...mine, slotId: mineId });
    const report = await reconcileSlots({ staleAfterMs: 0 });
    expect(report.removedContainers).toBeGreaterThanOrEqual(1);
    expect(await runtime().inspect(mine.containerId)).toBeNull();
    expect(await runtime().inspect(theirs.containerId)).not.toBeNull();
  }, 60_000);

  it("drives rows left mid-action to their end: creating → running, deleting → deleted", async () => {
    const fresh = await createSlot(as(owner), { name: "left-creating", templateId: "tpl_r_tiny" });
    const doomed = await createSlot(as(owner), { name: "left-deleting", templateId: "tpl_r_tiny" });
    await runSlotAction(doomed.id, "provision", owner.id);
    const doomedContainer = (await row(doomed.id)).containerId!;
    await requestSlotAction(as(owner), doomed.id, "delete"); // ...and the process "dies" before running it
    await reconcileSlots({ staleAfterMs: 0 });
    expect((await row(fresh.id)).status).toBe("running");
    expect((await row(doomed.id)).status).toBe("deleted");
    expect(await runtime().inspect(doomedContainer)).toBeNull();
    const stuck = (await db().select().from(slots)).filter((s) => ["creating", "starting", "stopping", "deleting"].includes(s.status));
    expect(stuck).toHaveLength(0);
  }, 60_000);

  it("marks a slot whose container was stopped behind Berth's back as stopped, with an event", async () => {
    const s = await createSlot(as(owner), { name: "stopped-outside", templateId: "tpl_r_tiny" });
    await runSlotAction(s.id, "provision", owner.id);
    await runtime().stop((await row(s.id)).containerId!);
    await reconcileSlots({ staleAfterMs: 0 });
    const after = await row(s.id);
    expect(["stopped", "error"]).toContain(after.status);
    const events = await db().select().from(slotEvents).where(eq(slotEvents.slotId, s.id)).orderBy(asc(slotEvents.createdAt));
    expect(events.at(-1)?.type).toBe("slot.exited");
  }, 60_000);

  it("turns an out-of-memory kill into an error with a slot.oom event, and the neighbour keeps running", async () => {
    const neighbour = await createSlot(as(owner), { name: "neighbour", templateId: "tpl_r_tiny" });
    await runSlotAction(neighbour.id, "provision", owner.id);
    const hog = await createSlot(as(owner), { name: "hog", templateId: "tpl_r_hog" });
    await runSlotAction(hog.id, "provision", owner.id);
    const containerId = (await row(hog.id)).containerId!;
    for (let i = 0; i < 100 && (await runtime().inspect(containerId))?.state === "running"; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await runtime().inspect(containerId))?.oomKilled).toBe(true);
    await reconcileSlots({ staleAfterMs: 0 });
    const after = await row(hog.id);
    expect(after.status).toBe("error");
    expect(after.lastError).toMatch(/ran out of memory/);
    const types = (await db().select().from(slotEvents).where(eq(slotEvents.slotId, hog.id))).map((e) => e.type);
    expect(types).toContain("slot.oom");
    expect((await row(neighbour.id)).status).toBe("running");
    expect((await runtime().inspect((await row(neighbour.id)).containerId!))?.state).toBe("running");
  }, 60_000);
});
