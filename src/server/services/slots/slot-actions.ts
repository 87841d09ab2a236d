// Lifecycle: an action is requested (the row says what is intended, in a transaction with its
// event and audit row), then run against the runtime, then settled (final status + event). A
// failure settles the slot in `error` with the reason; the reconciler repairs anything cut short.
import { and, eq } from "drizzle-orm";
import type { Slot } from "@/lib/schemas/slots";
import { db } from "@/server/db";
import { secrets, slots, templates, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { runtime } from "@/server/runtime";
import { audited } from "../audit/audited";
import { secretEnvironment } from "../secrets/slot-environment";
import type { ServiceContext } from "../context";
import { requireWriter } from "../context";
import { runningCount } from "./create-slot";
import { instanceId } from "./instance";
import { effectiveLimits, limitOwner } from "./plan-limits";
import { assertRuntimeReachable, toBerthError } from "./runtime-errors";
import { toSlot, type SlotRow } from "./slot-view";
import { slotSettled } from "./slot-waits";
import { recordEvent, transition } from "./transitions";

export type SlotAction = "start" | "stop" | "restart" | "delete";

const REQUEST = {
  start: { from: ["stopped", "error"], to: "starting", event: "slot.starting" },
  stop: { from: ["running"], to: "stopping", event: "slot.stopping" },
  restart: { from: ["running"], to: "stopping", event: "slot.restarting" },
  delete: { from: ["stopped", "running", "error"], to: "deleting", event: "slot.deleting" },
} as const;

/** Checks ownership, state and quota, and records the intent. Returns the slot as it now is. */
export async function requestSlotAction(ctx: ServiceContext, slotId: string, action: SlotAction): Promise<Slot> {
  const actor = requireWriter(ctx);
  await assertRuntimeReachable();
  return audited(ctx, { action: `slot.${action}`, targetType: "slot", targetId: slotId }, async (tx) => {
    const [owned] = await tx.select({ id: slots.id }).from(slots).where(and(eq(slots.id, slotId), eq(slots.ownerId, actor.id)));
    if (!owned) throw new BerthError("NOT_FOUND", "No such slot.");
    if (action === "start") {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.id)).for("update");
      const limits = await effectiveLimits(tx, actor.id);
      const running = await runningCount(tx, actor.id);
      if (running >= limits.maxRunning) {
        throw new BerthError("QUOTA_EXCEEDED", `${limitOwner(limits, "maxRunning")} allows ${limits.maxRunning} running slot${limits.maxRunning === 1 ? "" : "s"} and you have ${running}. Stop one first.`, {
          details: { limit: limits.maxRunning, current: running, plan: limits.planId, quota: "running" },
        });
      }
    }
    const r = REQUEST[action];
    return toSlot(await transition(tx, { slotId, from: r.from, to: r.to, event: r.event, actorId: actor.id }));
  });
}

async function loadSlot(slotId: string): Promise<SlotRow & { image: string; env: Record<string, string>; startCommand: string[] | null }> {
  const [row] = await db()
    .select({ slot: slots, image: templates.image, env: templates.env, startCommand: templates.startCommand })
    .from(slots)
    .innerJoin(templates, eq(templates.id, slots.templateId))
    .where(eq(slots.id, slotId));
  if (!row) throw new BerthError("NOT_FOUND", "No such slot.");
  return { ...row.slot, image: row.image, env: row.env, startCommand: row.startCommand };
}

/** Makes sure the slot has a container, creating it when missing. */
async function ensureContainer(slot: Awaited<ReturnType<typeof loadSlot>>): Promise<string> {
  if (slot.containerId && (await runtime().inspect(slot.containerId))) return slot.containerId;
  if (!(await runtime().hasImage(slot.image))) {
    throw new BerthError("CONFLICT", `The template's image ${slot.image} is not on this container engine yet. An administrator builds it with \`npm run images\`.`);
  }
  const { containerId } = await runtime().create({
    slotId: slot.id,
    ownerId: slot.ownerId,
    image: slot.image,
    env: { ...slot.env, BERTH_SLOT_ID: slot.id },
    command: slot.startCommand ?? undefined,
    resources: { cpuMillicores: slot.cpuMillicores, memoryMiB: slot.memoryMiB, diskMiB: slot.diskMiB, pids: slot.pids },
    instanceId: await instanceId(),
  });
  await db().update(slots).set({ containerId, resourcesPending: false }).where(eq(slots.id, slot.id));
  return containerId;
}

async function startContainer(slotId: string, actorId: string | null): Promise<void> {
  const slot = await loadSlot(slotId);
  const containerId = await ensureContainer(slot);
  if (slot.resourcesPending) {
    await runtime().updateResources(containerId, { cpuMillicores: slot.cpuMillicores, memoryMiB: slot.memoryMiB, diskMiB: slot.diskMiB, pids: slot.pids });
  }
  await runtime().start(containerId, { env: await secretEnvironment(slot.ownerId, slot.id) });
  await db().transaction((tx) =>
    transition(tx, { slotId, from: ["starting"], to: "running", event: "slot.started", actorId, set: { startedAt: new Date(), lastActivityAt: new Date(), lastError: null, resourcesPending: false } }),
  );
}

async function stopContainer(slotId: string, actorId: string | null, then: "stopped" | "starting"): Promise<void> {
  const slot = await loadSlot(slotId);
  if (slot.containerId) await runtime().stop(slot.containerId);
  await db().transaction((tx) =>
    transition(tx, { slotId, from: ["stopping"], to: then, event: then === "stopped" ? "slot.stopped" : "slot.starting", actorId, set: { stoppedAt: new Date() } }),
  );
}

/** Runs a requested action against the runtime and settles the slot. Never throws: failures land in `error`. */
export async function runSlotAction(slotId: string, action: SlotAction | "provision", actorId: string | null = null): Promise<void> {
  try {
    await runSlotActionUnannounced(slotId, action, actorId);
  } finally {
    slotSettled(slotId);
  }
}

async function runSlotActionUnannounced(slotId: string, action: SlotAction | "provision", actorId: string | null): Promise<void> {
  try {
    switch (action) {
      case "provision": {
        const slot = await loadSlot(slotId);
        await ensureContainer(slot);
        // A new slot starts right away unless that would pass the plan's running limit; then it waits, stopped.
        const started = await db().transaction(async (tx) => {
          await tx.select({ id: users.id }).from(users).where(eq(users.id, slot.ownerId)).for("update");
          const limits = await effectiveLimits(tx, slot.ownerId);
          if ((await runningCount(tx, slot.ownerId)) >= limits.maxRunning) {
            await transition(tx, { slotId, from: ["creating"], to: "stopped", event: "slot.provisioned", actorId, details: { started: false, reason: `the ${limits.planId} plan allows ${limits.maxRunning} running` } });
            return false;
          }
          await transition(tx, { slotId, from: ["creating"], to: "starting", event: "slot.starting", actorId });
          return true;
        });
        if (started) await startContainer(slotId, actorId);
        break;
      }
      case "start":
        await startContainer(slotId, actorId);
        break;
      case "stop":
        await stopContainer(slotId, actorId, "stopped");
        break;
      case "restart":
        await stopContainer(slotId, actorId, "starting");
        await startContainer(slotId, actorId);
        break;
      case "delete": {
        const slot = await loadSlot(slotId);
        await runtime().remove(slot.containerId ?? `berth-${slotId}`, { slotId, withHome: true });
        await db().transaction(async (tx) => {
          await transition(tx, { slotId, from: ["deleting"], to: "deleted", event: "slot.deleted", actorId, set: { deletedAt: new Date(), containerId: null } });
          // The row stays (history); its secrets go with the slot — nobody could read or delete them after.
          await tx.delete(secrets).where(eq(secrets.slotId, slotId));
        });
        break;
      }
    }
  } catch (err) {
    // Another run of this slot's action (or a racing one) moved the row first: it owns the slot now.
    if (err instanceof BerthError && err.code === "CONFLICT" && err.details && "allowed" in err.details) {
      logger().warn({ slotId, action, status: err.details.status }, "slot action found the slot already moved on; leaving it to the action that did");
      return;
    }
    const reason = toBerthError(err)?.message ?? (err instanceof Error ? err.message : String(err));
    logger().error({ err, slotId, action }, "slot action failed");
    await db()
      .transaction(async (tx) => {
        const [current] = await tx
          .select({ status: slots.status, id: slots.id, ownerId: slots.ownerId, name: slots.name, templateId: slots.templateId })
          .from(slots)
          .where(eq(slots.id, slotId))
          .for("update");
        if (!current || current.status === "deleted") return;
        await tx.update(slots).set({ status: "error", lastError: reason.slice(0, 1000), updatedAt: new Date() }).where(eq(slots.id, slotId));
        await recordEvent(tx, { slotId, type: "slot.error", fromStatus: current.status, toStatus: "error", actorId, details: { action, reason: reason.slice(0, 1000) }, slot: current });
      })
      .catch((e: unknown) => logger().error({ err: e, slotId }, "could not record a slot error"));
  }
}
