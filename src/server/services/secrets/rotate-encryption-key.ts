// Key rotation: re-encrypts every secret not under the keyring's current key, a batch per
// transaction (rows locked, skipped by a concurrent rotation), so it can stop and be run again at
// any point. Counts only: no value, name of a value, or key ever reaches the report or a log.
import { and, asc, count, eq, gt, ne } from "drizzle-orm";
import { resealSecret, SecretOpenError, type Keyring } from "@/server/crypto/secret-box";
import { db } from "@/server/db";
import { secrets, webhooks } from "@/server/db/schema";
import { writeAudit } from "../audit/audited";
import { systemContext } from "../context";

export type RotationReport = {
  /** The current key's fingerprint: every rotated row now carries it. */
  keyId: string;
  rotated: number;
  /** Rows under a key the keyring does not hold (set BERTH_ENCRYPTION_KEY_PREVIOUS), or that fail to decrypt. */
  unreadable: number;
  batches: number;
};

export async function rotateEncryptionKey(keyring: Keyring, opts: { batchSize?: number; onBatch?: (report: RotationReport) => void } = {}): Promise<RotationReport> {
  const batchSize = opts.batchSize ?? 200;
  const currentId = keyring.current.id;
  const report: RotationReport = { keyId: currentId, rotated: 0, unreadable: 0, batches: 0 };
  // Walks ids upwards: a row that cannot be opened is passed over, not met again in every batch.
  let after = "";
  for (;;) {
    const seenInBatch = await db().transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(secrets)
        .where(and(ne(secrets.keyId, currentId), gt(secrets.id, after)))
        .orderBy(asc(secrets.id))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      for (const row of rows) {
        const binding = { userId: row.userId, slotId: row.slotId, kind: row.kind, name: row.name };
        let sealed;
        try {
          sealed = resealSecret(keyring, binding, row);
        } catch (err) {
          if (!(err instanceof SecretOpenError)) throw err;
          report.unreadable++;
          continue;
        }
        // The row is locked (FOR UPDATE): nobody rewrote it since it was read.
        if (sealed) await tx.update(secrets).set(sealed).where(eq(secrets.id, row.id));
        report.rotated++;
      }
      return rows.length === 0 ? null : rows[rows.length - 1]!.id;
    });
    if (seenInBatch === null) break;
    after = seenInBatch;
    report.batches++;
    opts.onBatch?.(report);
  }
  await rotateWebhookSecrets(keyring, report);
  if (report.rotated > 0 || report.unreadable > 0) {
    await writeAudit(db(), systemContext("secrets-rotate"), { action: "secret.rotate", targetType: "secrets", targetId: null, details: { ...report } }, report.unreadable > 0 ? "failure" : "success");
  }
  return report;
}

/** Webhook signing secrets are sealed the same way (bound to their owner and endpoint id). */
async function rotateWebhookSecrets(keyring: Keyring, report: RotationReport): Promise<void> {
  const currentId = keyring.current.id;
  await db().transaction(async (tx) => {
    const rows = await tx.select().from(webhooks).where(ne(webhooks.secretKeyId, currentId)).for("update", { skipLocked: true });
    for (const row of rows) {
      try {
        const sealed = resealSecret(keyring, { userId: row.userId, slotId: null, kind: "webhook", name: row.id }, { ciphertext: row.secretCiphertext, nonce: row.secretNonce, keyId: row.secretKeyId });
        if (sealed) await tx.update(webhooks).set({ secretCiphertext: sealed.ciphertext, secretNonce: sealed.nonce, secretKeyId: sealed.keyId }).where(eq(webhooks.id, row.id));
        report.rotated++;
      } catch (err) {
        if (!(err instanceof SecretOpenError)) throw err;
        report.unreadable++;
      }
    }
  });
}

/**
 * Rows (secrets and webhook signing secrets) not under `keyId` right now. The walk above passes over rows another transaction holds
 * (skip locked) and rows written behind its cursor: this count, not the report, says when the old
 * key may go.
 */
export async function secretsNotUnder(keyId: string): Promise<number> {
  const [row] = await db().select({ n: count() }).from(secrets).where(ne(secrets.keyId, keyId));
  const [hooks] = await db().select({ n: count() }).from(webhooks).where(ne(webhooks.secretKeyId, keyId));
  return (row?.n ?? 0) + (hooks?.n ?? 0);
}
