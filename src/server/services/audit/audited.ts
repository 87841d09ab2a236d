// Runs a mutation and its audit row in one transaction; a refused or failed attempt is audited too.
import type { Tx } from "@/server/db";
import { db } from "@/server/db";
import { auditLog, type AuditOutcome } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { logger } from "@/server/logger";
import type { ServiceContext } from "../context";
import { emitQuotaExceeded } from "../events/sources";

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
    await auditFailure(ctx, record, err);
    throw err;
  }
}

/**
 * For a change outside the database (files in a slot): runs it, then writes its audit row, success
 * or not. There is no transaction to share, so the row follows the effect.
 */
export async function auditedEffect<T>(ctx: ServiceContext, record: AuditRecord, fn: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await auditFailure(ctx, record, err);
    throw err;
  }
  await writeAudit(db(), ctx, record, "success").catch((auditErr: unknown) => {
    logger().error({ err: auditErr, action: record.action, requestId: ctx.meta.requestId }, "could not write the audit row of an action");
  });
  return result;
}

/**
 * The attempt, written on its own: `denied` when it was not allowed, `failure` otherwise. A
 * QUOTA_EXCEEDED refusal is also announced (quota.exceeded, the feed and webhooks), with its audit
 * row in one small transaction: every such refusal passes through here.
 */
async function auditFailure(ctx: ServiceContext, record: AuditRecord, err: unknown): Promise<void> {
  const outcome: AuditOutcome =
    err instanceof BerthError && (err.code === "FORBIDDEN" || err.code === "UNAUTHORIZED" || err.code === "NOT_FOUND") ? "denied" : "failure";
  const details = { ...record.details, error: err instanceof BerthError ? err.code : "INTERNAL" };
  const actor = record.actor !== undefined ? record.actor : ctx.actor;
  const write =
    err instanceof BerthError && err.code === "QUOTA_EXCEEDED" && actor
      ? db().transaction(async (tx) => {
          await writeAudit(tx, ctx, { ...record, details }, outcome);
          await emitQuotaExceeded(tx, actor.id, err, record.action);
        })
      : writeAudit(db(), ctx, { ...record, details }, outcome);
  await write.catch((auditErr: unknown) => {
    logger().error({ err: auditErr, action: record.action, requestId: ctx.meta.requestId }, "could not write the audit row of a failed action");
  });
}
