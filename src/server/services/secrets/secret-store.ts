// The secrets table's one writer and reader: seal on write (under the per-user lock that keeps the
// caps true), open on read for injection only, and the keyring's absence as a clear error. Values
// never leave this module except as the environment given to a slot's process.
import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { ENV_VALUE_MAX_BYTES, SECRET_BYTES_PER_SCOPE, SECRETS_PER_SCOPE } from "@/lib/schemas/secrets";
import { processKeyring } from "@/server/crypto/keyring";
import { openSecret, sealSecret, SecretOpenError, type Keyring } from "@/server/crypto/secret-box";
import type { Tx } from "@/server/db";
import { db } from "@/server/db";
import { secrets, users, type SecretKind } from "@/server/db/schema";
import { ConfigError } from "@/server/env";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { logger } from "@/server/logger";

export type SecretScope = { userId: string; slotId: string | null; kind: SecretKind };
export type SecretRow = typeof secrets.$inferSelect;
/** What reads may show: everything but the sealed value. */
export type SecretInfo = Pick<SecretRow, "id" | "userId" | "slotId" | "kind" | "name" | "hint" | "updatedAt">;

const infoColumns = { id: secrets.id, userId: secrets.userId, slotId: secrets.slotId, kind: secrets.kind, name: secrets.name, hint: secrets.hint, updatedAt: secrets.updatedAt };

/** The keyring, or RUNTIME_UNAVAILABLE (503) saying the operator must set a key. */
export function keyringOrRefuse(): Keyring {
  try {
    return processKeyring();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger().error({ err }, "secrets: no encryption key configured");
    throw new BerthError("RUNTIME_UNAVAILABLE", "Secrets are unavailable on this Berth: its administrator has not set BERTH_ENCRYPTION_KEY.");
  }
}

const scopeWhere = (s: SecretScope) =>
  and(eq(secrets.userId, s.userId), s.slotId ? eq(secrets.slotId, s.slotId) : isNull(secrets.slotId), eq(secrets.kind, s.kind));

/** The scope's secrets (no values), by name. */
export async function listSecretInfo(scope: SecretScope): Promise<SecretInfo[]> {
  return db().select(infoColumns).from(secrets).where(scopeWhere(scope)).orderBy(asc(secrets.name));
}

/**
 * Seals `value` into the scope under `name` (insert or replace), inside the caller's transaction.
 * The user's row is locked first, so two writes cannot both pass the count and size caps.
 */
export async function putSecret(tx: Tx, scope: SecretScope, name: string, value: string, hint: string): Promise<{ info: SecretInfo; created: boolean }> {
  const keyring = keyringOrRefuse();
  await tx.select({ id: users.id }).from(users).where(eq(users.id, scope.userId)).for("update");
  const [existing] = await tx.select({ id: secrets.id }).from(secrets).where(and(scopeWhere(scope), eq(secrets.name, name)));
  // Plaintext bytes of the scope's other values (GCM: ciphertext = plaintext + a 16-byte tag).
  const [usage] = (await tx
    .select({ count: sql<number>`count(*)::int`, bytes: sql<number>`coalesce(sum(octet_length(decode(${secrets.ciphertext}, 'base64')) - 16), 0)::int` })
    .from(secrets)
    .where(and(eq(secrets.userId, scope.userId), scope.slotId ? eq(secrets.slotId, scope.slotId) : isNull(secrets.slotId), sql`(${secrets.name} <> ${name} or ${secrets.kind} <> ${scope.kind})`))) as [{ count: number; bytes: number }];
  const where = scope.slotId ? "this slot" : "your account";
  const Where = scope.slotId ? "This slot" : "Your account";
  if (!existing && usage.count >= SECRETS_PER_SCOPE) {
    throw new BerthError("QUOTA_EXCEEDED", `${Where} already has ${usage.count} secrets, the most allowed (${SECRETS_PER_SCOPE}). Delete one first.`, {
      details: { limit: SECRETS_PER_SCOPE, current: usage.count, quota: "secrets" },
    });
  }
  const bytes = Buffer.byteLength(value, "utf8");
  if (usage.bytes + bytes > SECRET_BYTES_PER_SCOPE) {
    throw new BerthError("QUOTA_EXCEEDED", `The values of ${where} would total more than ${SECRET_BYTES_PER_SCOPE / 1024} KiB (a process's environment has to fit in the kernel's limit). Delete or shorten some first.`, {
      details: { limit: SECRET_BYTES_PER_SCOPE, quota: "secretBytes", maxValueBytes: ENV_VALUE_MAX_BYTES },
    });
  }
  const sealed = sealSecret(keyring, { userId: scope.userId, slotId: scope.slotId, kind: scope.kind, name }, value);
  const now = new Date();
  const [row] = existing
    ? await tx.update(secrets).set({ ...sealed, hint, updatedAt: now }).where(eq(secrets.id, existing.id)).returning(infoColumns)
    : await tx
        .insert(secrets)
        .values({ id: newId("sec"), ...scope, name, ...sealed, hint, createdAt: now, updatedAt: now })
        .returning(infoColumns);
  return { info: row!, created: !existing };
}

/** Removes one secret of the scope; false when there was none. */
export async function removeSecret(tx: Tx, scope: SecretScope, name: string): Promise<boolean> {
  const gone = await tx.delete(secrets).where(and(scopeWhere(scope), eq(secrets.name, name))).returning({ id: secrets.id });
  return gone.length > 0;
}

/** Every secret that applies to the slot (the user's own and the slot's), opened. Only injection calls this. */
export async function openSecretsForSlot(userId: string, slotId: string): Promise<Array<Pick<SecretRow, "slotId" | "kind" | "name"> & { value: string }>> {
  const rows = await db()
    .select({ slotId: secrets.slotId, kind: secrets.kind, name: secrets.name, ciphertext: secrets.ciphertext, nonce: secrets.nonce, keyId: secrets.keyId })
    .from(secrets)
    .where(and(eq(secrets.userId, userId), or(isNull(secrets.slotId), eq(secrets.slotId, slotId))))
    .orderBy(asc(secrets.name));
  if (rows.length === 0) return [];
  const keyring = keyringOrRefuse();
  return rows.map((r) => {
    try {
      return { slotId: r.slotId, kind: r.kind, name: r.name, value: openSecret(keyring, { userId, slotId: r.slotId, kind: r.kind, name: r.name }, r) };
    } catch (err) {
      if (!(err instanceof SecretOpenError)) throw err;
      logger().error({ err, userId, slotId, secret: r.name, kind: r.kind, keyId: r.keyId }, "secrets: a stored secret could not be decrypted");
      const what = r.kind === "provider" ? `The ${r.name} credential` : `The variable ${r.name}`;
      throw new BerthError("CONFLICT", `${what} could not be decrypted (the encryption key was changed without a rotation?). Set it again or delete it.`, {
        details: { name: r.name, kind: r.kind, scope: r.slotId ? "slot" : "user" },
      });
    }
  });
}
