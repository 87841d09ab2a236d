// Tests only: a user with a running slot of the tiny image on a plan with small file limits, and
// calls of the raw-byte routes the way a client makes them (in process, with a bearer token).
import { eq } from "drizzle-orm";
import { GET as archiveGet } from "@/app/api/v1/slots/[id]/files/archive/route";
import { GET as contentGet, PUT as contentPut } from "@/app/api/v1/slots/[id]/files/content/route";
import { anonymousContext, makeUser } from "@/test/factories";
import { db } from "@/server/db";
import { plans, slots, templates, users } from "@/server/db/schema";
import { runtime } from "@/server/runtime";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import type { Actor } from "../context";
import { createSlot } from "../slots/create-slot";
import { requestSlotAction, runSlotAction } from "../slots/slot-actions";
import { issueTokenPair } from "../tokens/token-pairs";

export const as = (actor: Actor) => ({ ...anonymousContext(), actor });

export async function filesPlan(id: string, opts: { maxFileMiB: number; filesQuotaMiB: number }): Promise<void> {
  await db()
    .insert(plans)
    .values({ id, name: id, maxSlots: 10, maxRunning: 10, cpuMillicores: 1000, memoryMiB: 256, diskMiB: 256, idleTimeoutMinutes: 60, ...opts })
    .onConflictDoNothing();
}

export async function slotOfTinyImage(owner: Actor, opts: { template: string; name: string }): Promise<{ id: string; containerId: string }> {
  const image = await ensureTinyImage();
  await db().insert(templates).values({ id: opts.template, slug: opts.template, name: opts.template, image, cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 }).onConflictDoNothing();
  const slot = await createSlot(as(owner), { name: opts.name, templateId: opts.template });
  await runSlotAction(slot.id, "provision", owner.id);
  const [row] = await db().select().from(slots).where(eq(slots.id, slot.id));
  if (row?.status !== "running") throw new Error(`slot ${slot.id} is ${row?.status}`);
  return { id: slot.id, containerId: row.containerId! };
}

export async function userOnPlan(plan: string, role: "user" | "readonly" = "user"): Promise<Actor> {
  const u = await makeUser(role);
  await db().update(users).set({ plan }).where(eq(users.id, u.id));
  return u;
}

export async function stopSlot(owner: Actor, id: string): Promise<void> {
  await requestSlotAction(as(owner), id, "stop");
  for (let i = 0; i < 300; i++) {
    const [row] = await db().select({ status: slots.status }).from(slots).where(eq(slots.id, id));
    if (row?.status === "stopped") return;
    if (row?.status === "stopping") await runSlotAction(id, "stop", owner.id).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`slot ${id} did not stop`);
}

export async function removeSlots(ids: string[]): Promise<void> {
  for (const id of ids) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => {});
}

export async function bearer(actor: Actor): Promise<Record<string, string>> {
  return { authorization: `Bearer ${(await issueTokenPair(anonymousContext(), actor)).accessToken}` };
}

const url = (id: string, route: string, path: string, extra = "") => `http://berth.test/api/v1/slots/${id}/files/${route}?path=${encodeURIComponent(path)}${extra}`;
const params = (id: string) => ({ params: Promise.resolve({ id }) });

export async function upload(actor: Actor, id: string, path: string, body: Uint8Array | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...(await bearer(actor)), ...headers };
  if (body instanceof Uint8Array && !("content-length" in h)) h["content-length"] = String(body.byteLength);
  const init: RequestInit & { duplex: "half" } = { method: "PUT", headers: h, body: body as BodyInit, duplex: "half" };
  return contentPut(new Request(url(id, "content", path), init), params(id));
}

export async function download(actor: Actor, id: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return contentGet(new Request(url(id, "content", path), { headers: { ...(await bearer(actor)), ...headers } }), params(id));
}

export async function archive(actor: Actor, id: string, path: string, format = "tar"): Promise<Response> {
  return archiveGet(new Request(url(id, "archive", path, `&format=${format}`), { headers: await bearer(actor) }), params(id));
}
