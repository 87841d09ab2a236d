// Encrypted environment variables: the user's own (every slot of theirs) and a slot's (that slot
// only, winning on a clash). Writes are audited with the name only; reads show a masked hint.
import type { EnvVar, EnvVarList } from "@/lib/schemas/secrets";
import { BerthError } from "@/server/errors";
import { audited } from "../audit/audited";
import { requireActor, type ServiceContext } from "../context";
import { requireWriter } from "../context";
import { ownedSlot } from "../slots/slot-queries";
import { maskedHint } from "./masked-hint";
import { listSecretInfo, putSecret, removeSecret, type SecretInfo } from "./secret-store";

function toEnvVar(info: SecretInfo, overridden = false): EnvVar {
  return { name: info.name, scope: info.slotId ? "slot" : "user", hint: info.hint, overridden, updatedAt: info.updatedAt.toISOString() };
}

/** The slot's own variables, then the user's (marked overridden where the slot has the same name). */
export async function listSlotEnv(ctx: ServiceContext, slotId: string): Promise<EnvVarList> {
  const slot = await ownedSlot(ctx, slotId);
  const [own, inherited] = await Promise.all([
    listSecretInfo({ userId: slot.ownerId, slotId: slot.id, kind: "env" }),
    listSecretInfo({ userId: slot.ownerId, slotId: null, kind: "env" }),
  ]);
  const names = new Set(own.map((r) => r.name));
  return { data: [...own.map((r) => toEnvVar(r)), ...inherited.map((r) => toEnvVar(r, names.has(r.name)))], nextCursor: null };
}

export async function listUserEnv(ctx: ServiceContext): Promise<EnvVarList> {
  const actor = requireActor(ctx);
  const rows = await listSecretInfo({ userId: actor.id, slotId: null, kind: "env" });
  return { data: rows.map((r) => toEnvVar(r)), nextCursor: null };
}

export type SetEnvResult = { variable: EnvVar; created: boolean };

export async function setSlotEnv(ctx: ServiceContext, args: { id: string; name: string; value: string }): Promise<SetEnvResult> {
  requireWriter(ctx);
  const slot = await ownedSlot(ctx, args.id);
  return audited(ctx, { action: "secret.env.set", targetType: "slot", targetId: slot.id, details: { name: args.name, scope: "slot" } }, async (tx, record) => {
    const { info, created } = await putSecret(tx, { userId: slot.ownerId, slotId: slot.id, kind: "env" }, args.name, args.value, maskedHint(args.value));
    record.details = { name: args.name, scope: "slot", created };
    return { variable: toEnvVar(info), created };
  });
}

export async function setUserEnv(ctx: ServiceContext, args: { name: string; value: string }): Promise<SetEnvResult> {
  const actor = requireWriter(ctx);
  return audited(ctx, { action: "secret.env.set", targetType: "user", targetId: actor.id, details: { name: args.name, scope: "user" } }, async (tx, record) => {
    const { info, created } = await putSecret(tx, { userId: actor.id, slotId: null, kind: "env" }, args.name, args.value, maskedHint(args.value));
    record.details = { name: args.name, scope: "user", created };
    return { variable: toEnvVar(info), created };
  });
}

export async function deleteSlotEnv(ctx: ServiceContext, args: { id: string; name: string }): Promise<void> {
  requireWriter(ctx);
  const slot = await ownedSlot(ctx, args.id);
  await audited(ctx, { action: "secret.env.delete", targetType: "slot", targetId: slot.id, details: { name: args.name, scope: "slot" } }, async (tx) => {
    if (!(await removeSecret(tx, { userId: slot.ownerId, slotId: slot.id, kind: "env" }, args.name))) {
      throw new BerthError("NOT_FOUND", `This slot has no variable named ${args.name}.`);
    }
  });
}

export async function deleteUserEnv(ctx: ServiceContext, args: { name: string }): Promise<void> {
  const actor = requireWriter(ctx);
  await audited(ctx, { action: "secret.env.delete", targetType: "user", targetId: actor.id, details: { name: args.name, scope: "user" } }, async (tx) => {
    if (!(await removeSecret(tx, { userId: actor.id, slotId: null, kind: "env" }, args.name))) {
      throw new BerthError("NOT_FOUND", `You have no variable named ${args.name}.`);
    }
  });
}
