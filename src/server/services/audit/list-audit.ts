// The admin audit page and GET /admin/audit: filters by actor, action prefix, outcome, target, time.
import { and, desc, eq, gte, ilike, lte, or, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { auditLog, type AuditOutcome } from "@/server/db/schema";
import { afterCursor, pageFrom } from "../pagination";

export type AuditFilters = { actor?: string; action?: string; outcome?: AuditOutcome; targetId?: string; since?: string; until?: string; limit: number; cursor?: string };

const like = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listAudit(f: AuditFilters) {
  const where: (SQL | undefined)[] = [afterCursor(f.cursor, auditLog.createdAt, auditLog.id)];
  if (f.actor) where.push(or(eq(auditLog.actorId, f.actor), ilike(auditLog.actorEmail, `%${like(f.actor)}%`)));
  if (f.action) where.push(ilike(auditLog.action, `${like(f.action)}%`));
  if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
  if (f.targetId) where.push(eq(auditLog.targetId, f.targetId));
  if (f.since) where.push(gte(auditLog.createdAt, new Date(f.since)));
  if (f.until) where.push(lte(auditLog.createdAt, new Date(f.until)));
  const rows = await db().select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.createdAt), desc(auditLog.id)).limit(f.limit + 1);
  const page = pageFrom(rows, f.limit);
  return {
    data: page.rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    nextCursor: page.nextCursor,
  };
}
