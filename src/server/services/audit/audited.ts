// Runs a mutation and its audit row in one transaction; a refused or failed attempt is audited too.
import type { Tx } from "@/server/db";
import { db } from "@/server/db";
import { auditLog, type AuditOutcome } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { logger } from "@/server/logger";
import type { ServiceContext } from "../context";

export type AuditRecord = {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
  /** Overrides the acting user (e.g. sign-up, where the actor is the new user). */
  actor?: { id: string; email: string } | null;
};

export async function writeAudit(
  executor: Pick<Tx, "insert">,
  ctx: ServiceContext,
  record: AuditRecord,
  outcome: AuditOutcome,
): Promise<void> {
  const actor = record.actor !== undefined ? record.actor : ctx.actor;
  await executor.insert(auditLog).values({
    id: newId("aud"),
    actorId: actor?.id ?? null,
    actorEmail: actor?.email ?? null,
    action: record.action,
    targetType: record.targetType ?? null,
    targetId: record.targetId ?? null,
    outcome,
    ip: ctx.meta.ip,
    requestId: ctx.meta.requestId,
    details: record.details ?? {},
  });
}

/**
 * `fn` gets the transaction and the record to fill in (target id, details). On success the
 * record is written inside the same transaction; on a BerthError the change rolls back and the
 * attempt is written on its own, with outcome `denied` (not allowed) or `failure` (anything else).
 */
export async function audited<T>(
  ctx: ServiceContext,
  record: AuditRecord,
  fn: (tx: Tx, record: AuditRecord) => Promise<T>,
): Promise<T> {
  try {
    return await db().transaction(async (tx) => {
      const result = await fn(tx, record);
      await writeAudit(tx, ctx, record, "success");
      return result;
    });
  } catch (err) {
    const outcome: AuditOutcome =
      err instanceof BerthError && (err.code === "FORBIDDEN" || err.code === "UNAUTHORIZED" || err.code === "NOT_FOUND")
        ? "denied"
        : "failure";
    const details = { ...record.details, error: err instanceof BerthError ? err.code : "INTERNAL" };
    await writeAudit(db(), ctx, { ...record, details }, outcome).catch((auditErr: unknown) => {
      logger().error({ err: auditErr, action: record.action, requestId: ctx.meta.requestId }, "could not write the audit row of a failed action");
    });
    throw err;
  }
}
