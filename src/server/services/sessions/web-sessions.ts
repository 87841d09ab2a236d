// Dashboard sessions: a row per sign-in, looked up on every request so that sign-out,
// suspension and password changes take effect at once.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { db, preparedQuery, type Db, type DbOrTx } from "@/server/db";
import { users, webSessions } from "@/server/db/schema";
import { env } from "@/server/env";
import { newId } from "@/server/ids";
import { meColumns } from "../accounts/user-view";
import { writeAudit } from "../audit/audited";
import type { Actor, ServiceContext } from "../context";

export async function createWebSession(ctx: ServiceContext, actor: Actor, via: string): Promise<{ id: string; expiresAt: Date }> {
  const id = newId("ses");
  const expiresAt = new Date(Date.now() + env().BERTH_SESSION_TTL * 1000);
  await db().transaction(async (tx) => {
    await tx.insert(webSessions).values({ id, userId: actor.id, ip: ctx.meta.ip, userAgent: ctx.meta.userAgent?.slice(0, 500) ?? null, expiresAt });
    await writeAudit(tx, { ...ctx, actor }, { action: "auth.login", targetType: "session", targetId: id, details: { via } }, "success");
  });
  return { id, expiresAt };
}

const sessionLookup = (d: Db) =>
  d
    .select({ profile: meColumns })
    .from(webSessions)
    .innerJoin(users, eq(users.id, webSessions.userId))
    .where(and(eq(webSessions.id, sql.placeholder("sessionId")), isNull(webSessions.revokedAt), gt(webSessions.expiresAt, sql`now()`), eq(users.status, "active")))
    .prepare("resolve_web_session");

/** The active user behind a session id, or null when the session is gone, expired or the user suspended. */
export async function resolveWebSession(sessionId: string): Promise<Actor | null> {
  const [row] = await preparedQuery("resolve_web_session", sessionLookup).execute({ sessionId });
  return row ? { id: row.profile.id, email: row.profile.email, role: row.profile.role, profile: row.profile } : null;
}

/** Signs a dashboard session out; the audit row names the session's owner when no actor is given. */
export async function revokeWebSession(ctx: ServiceContext, sessionId: string): Promise<void> {
  await db().transaction(async (tx) => {
    const [revoked] = await tx
      .update(webSessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(webSessions.id, sessionId), isNull(webSessions.revokedAt)))
      .returning({ userId: webSessions.userId });
    if (!revoked) return;
    const [owner] = ctx.actor ? [ctx.actor] : await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, revoked.userId));
    await writeAudit(tx, ctx, { action: "auth.logout", targetType: "session", targetId: sessionId, actor: owner ?? null }, "success");
  });
}

/** Revokes every dashboard session of a user, optionally sparing one (the caller's own). */
export async function revokeUserWebSessions(tx: DbOrTx, userId: string, except?: string): Promise<number> {
  const rows = await tx
    .update(webSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt)))
    .returning({ id: webSessions.id });
  if (except && rows.some((r) => r.id === except)) {
    await tx.update(webSessions).set({ revokedAt: null }).where(eq(webSessions.id, except));
    return rows.length - 1;
  }
  return rows.length;
}
