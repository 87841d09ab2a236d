// The reconciler against the real engine: orphans removed (only this installation's), orphan homes
// too (never a live slot's), stuck rows driven to their end, dead containers (exit, OOM kill)
// turned into events.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { slotEvents, slots, templates, users } from "@/server/db/schema";
import { env } from "@/server/env";
import { runtime, type WorkspaceSpec } from "@/server/runtime";
import { mountAt } from "@/server/runtime/docker/loop-mounts";
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
const spec = (slotId: string, instance: string): WorkspaceSpec => ({ slotId, ownerId: owner.id, image, env: {}, resources: { cpuMillicores: 200, memoryMiB: 64, diskMiB: 64, pids: 32 }, instanceId: instance });

/** A home with no container, as a removal cut short between the two leaves it. */
async function homeWithoutContainer(slotId: string, instance: string): Promise<void> {
  const { containerId } = await runtime().create(spec(slotId, instance));
  cleanup.push({ containerId, slotId });
  await runtime().remove(containerId, { slotId, withHome: false });
}

/** What the runtime holds of a slot's home: its volume's installation (null: not listed), its disk image and the disk's mount. */
async function home(slotId: string): Promise<{ instance: string | null; image: boolean; mounted: boolean }> {
  const dir = path.join(env().dataDir, "homes");
  return {
    instance: (await runtime().listHomes!()).find((h) => h.slotId === slotId)?.instanceId ?? null,
    image: existsSync(path.join(dir, `${slotId}.ext4`)),
    mounted: (await mountAt(path.join(dir, slotId))) !== null,
  };
}

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
  for (const c of cleanup) await runtime().removeHome?.(c.slotId).catch(() => undefined);
  for (const s of await db().select().from(slots)) await runtime().remove(`berth-${s.id}`, { slotId: s.id, withHome: true }).catch(() => undefined);
});

describe("reconciler", () => {
  it("removes this installation's containers that have no slot, and leaves another installation's alone", async () => {
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

  it("removes this installation's homes whose slot has no row or a deleted one, and keeps another installation's", async () => {
    const me = await instanceId();
    const noRow = `orphan-${randomBytes(4).toString("hex")}`;
    await homeWithoutContainer(noRow, me);
    // A slot deleted the usual way, and then a home under its id (as a failed removal would leave).
    const gone = await createSlot(as(owner), { name: "deleted-with-home-left", templateId: "tpl_r_tiny" });
    await runSlotAction(gone.id, "provision", owner.id);
    await requestSlotAction(as(owner), gone.id, "delete");
    await runSlotAction(gone.id, "delete", owner.id);
    expect((await row(gone.id)).status).toBe("deleted");
    await homeWithoutContainer(gone.id, me);
    const theirs = `foreign-${randomBytes(4).toString("hex")}`;
    await homeWithoutContainer(theirs, "another-installation");
    expect(await home(noRow)).toEqual({ instance: me, image: true, mounted: true });
    expect(await home(gone.id)).toEqual({ instance: me, image: true, mounted: true });
    expect(await home(theirs)).toEqual({ instance: "another-installation", image: true, mounted: true });

    const report = await reconcileSlots({ staleAfterMs: 0 });
    expect(report.removedHomes).toBeGreaterThanOrEqual(2);
    expect(await home(noRow)).toEqual({ instance: null, image: false, mounted: false });
    expect(await home(gone.id)).toEqual({ instance: null, image: false, mounted: false });
    expect(await home(theirs)).toEqual({ instance: "another-installation", image: true, mounted: true });

    // Nothing left to do: the next pass removes nothing of this installation's.
    expect((await reconcileSlots({ staleAfterMs: 0 })).removedHomes).toBe(0);
    await runtime().removeHome!(theirs);
  }, 60_000);

  it("keeps a stopped slot's home and its files, even when its container is gone", async () => {
    const s = await createSlot(as(owner), { name: "stopped-keeps-home", templateId: "tpl_r_tiny" });
    await runSlotAction(s.id, "provision", owner.id);
    await requestSlotAction(as(owner), s.id, "stop");
    await runSlotAction(s.id, "stop", owner.id);
    expect((await row(s.id)).status).toBe("stopped");
    const note = path.join(env().dataDir, "homes", s.id, "home", "note");
    await writeFile(note, "kept\n");

    expect((await reconcileSlots({ staleAfterMs: 0 })).removedHomes).toBe(0);
    expect(await home(s.id)).toEqual({ instance: await instanceId(), image: true, mounted: true });

    // Its container removed behind Berth's back: the home is still the slot's, files and all.
    await runtime().remove((await row(s.id)).containerId!, { slotId: s.id, withHome: false });
    await reconcileSlots({ staleAfterMs: 0 });
    expect(await home(s.id)).toEqual({ instance: await instanceId(), image: true, mounted: true });
    expect(existsSync(note)).toBe(true);
    expect((await row(s.id)).status).toBe("stopped");
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
