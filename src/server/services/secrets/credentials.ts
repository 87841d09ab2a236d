// Provider credentials of a slot (Anthropic, OpenAI, GitHub, Google): a secret of kind "provider"
// named by the provider's id, shape-checked by the input schema, exposed inside the slot under the
// provider's usual variable names.
import { CREDENTIAL_PROVIDER_IDS, CREDENTIAL_PROVIDERS, isCredentialProviderId, type Credential, type CredentialProviderId } from "@/lib/schemas/secrets";
import { BerthError } from "@/server/errors";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";
import { requireWriter } from "../context";
import { ownedSlot } from "../slots/slot-queries";
import { maskedHint } from "./masked-hint";
import { listSecretInfo, putSecret, removeSecret, type SecretInfo } from "./secret-store";


export function credentialProviders() {
  return { data: CREDENTIAL_PROVIDER_IDS.map((id) => ({ id, name: CREDENTIAL_PROVIDERS[id].name, variables: CREDENTIAL_PROVIDERS[id].variables, format: CREDENTIAL_PROVIDERS[id].format })) };
}

function toCredential(info: SecretInfo & { name: CredentialProviderId }): Credential {
  const spec = CREDENTIAL_PROVIDERS[info.name];
  return { provider: info.name, name: spec.name, variables: spec.variables, hint: info.hint, updatedAt: info.updatedAt.toISOString() };
}

export async function listSlotCredentials(ctx: ServiceContext, slotId: string): Promise<{ data: Credential[]; nextCursor: null }> {
  const slot = await ownedSlot(ctx, slotId);
  const rows = await listSecretInfo({ userId: slot.ownerId, slotId: slot.id, kind: "provider" });
  // A provider Berth no longer knows stays stored (and injected by nobody) but is not listed.
  return { data: rows.flatMap((r) => (isCredentialProviderId(r.name) ? [toCredential({ ...r, name: r.name })] : [])), nextCursor: null };
}

export async function setSlotCredential(ctx: ServiceContext, args: { id: string; provider: CredentialProviderId; value: string }): Promise<{ credential: Credential; created: boolean }> {
  requireWriter(ctx);
  const slot = await ownedSlot(ctx, args.id);
  return audited(ctx, { action: "secret.credential.set", targetType: "slot", targetId: slot.id, details: { provider: args.provider } }, async (tx, record) => {
    const hint = maskedHint(args.value, CREDENTIAL_PROVIDERS[args.provider].prefix);
    const { info, created } = await putSecret(tx, { userId: slot.ownerId, slotId: slot.id, kind: "provider" }, args.provider, args.value, hint);
    record.details = { provider: args.provider, created };
    return { credential: toCredential({ ...info, name: args.provider }), created };
  });
}

export async function deleteSlotCredential(ctx: ServiceContext, args: { id: string; provider: CredentialProviderId }): Promise<void> {
  requireWriter(ctx);
  const slot = await ownedSlot(ctx, args.id);
  await audited(ctx, { action: "secret.credential.delete", targetType: "slot", targetId: slot.id, details: { provider: args.provider } }, async (tx) => {
    if (!(await removeSecret(tx, { userId: slot.ownerId, slotId: slot.id, kind: "provider" }, args.provider))) {
      throw new BerthError("NOT_FOUND", `This slot has no ${CREDENTIAL_PROVIDERS[args.provider].name} credential.`);
    }
  });
}
