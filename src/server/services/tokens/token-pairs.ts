// REST bearer tokens (POST /auth/token, /auth/refresh, /auth/logout). Opaque random strings,
// stored as SHA-256; a refresh token is spent on use, and presenting a spent one revokes its family.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { db, preparedQuery, type Db, type DbOrTx, type Tx } from "@/server/db";
import { authTokens, users } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { newId, newSecret, sha256 } from "@/server/ids";
import { logger } from "@/server/logger";
import { meColumns } from "../accounts/user-view";
import { writeAudit } from "../audit/audited";
import type { Actor, ServiceContext } from "../context";

export const ACCESS_PREFIX = "bat";
export const REFRESH_PREFIX = "brf";

export type TokenPair = { accessToken: string; refreshToken: string; tokenType: "Bearer"; expiresIn: number };

async function insertPair(tx: Tx, userId: string, familyId: string): Promise<TokenPair> {
  const e = env();
  const accessToken = newSecret(ACCESS_PREFIX);
  const refreshToken = newSecret(REFRESH_PREFIX);
  const now = Date.now();
  await tx.insert(authTokens).values([
    { id: newId("tok"), userId, kind: "access", tokenHash: sha256(accessToken), familyId, expiresAt: new Date(now + e.BERTH_ACCESS_TOKEN_TTL * 1000) },
    { id: newId("tok"), userId, kind: "refresh", tokenHash: sha256(refreshToken), familyId, expiresAt: new Date(now + e.BERTH_REFRESH_TOKEN_TTL * 1000) },
  ]);
  return { accessToken, refreshToken, tokenType: "Bearer", expiresIn: e.BERTH_ACCESS_TOKEN_TTL };
}

export async function issueTokenPair(ctx: ServiceContext, actor: Actor): Promise<TokenPair> {
  const familyId = newId("tfam");
  return db().transaction(async (tx) => {
    const pair = await insertPair(tx, actor.id, familyId);
    await writeAudit(tx, { ...ctx, actor }, { action: "auth.token.issue", targetType: "token_family", targetId: familyId }, "success");
    return pair;
  });
}

const INVALID_REFRESH = "This refresh token is not valid. Sign in again with POST /api/v1/auth/token.";

export async function refreshTokenPair(ctx: ServiceContext, refreshToken: string): Promise<TokenPair> {
  const hash = sha256(refreshToken);
  const outcome = await db().transaction(async (tx) => {
    const [row] = await tx
      .select({ id: authTokens.id, userId: authTokens.userId, familyId: authTokens.familyId, usedAt: authTokens.usedAt, revokedAt: authTokens.revokedAt, expiresAt: authTokens.expiresAt, email: users.email, role: users.role, status: users.status })
      .from(authTokens)
      .innerJoin(users, eq(users.id, authTokens.userId))
      .where(and(eq(authTokens.tokenHash, hash), eq(authTokens.kind, "refresh")))
      .for("update", { of: authTokens });
    if (!row || row.revokedAt || row.expiresAt <= new Date() || row.status !== "active") return { kind: "invalid" as const };
    const actor = { id: row.userId, email: row.email, role: row.role };
    if (row.usedAt) {
      // A spent token came back: someone holds a copy. Revoke the whole family.
      await revokeFamily(tx, row.familyId);
      await writeAudit(tx, { ...ctx, actor }, { action: "auth.token.reuse", targetType: "token_family", targetId: row.familyId }, "denied");
      return { kind: "reused" as const, familyId: row.familyId };
    }
    await tx.update(authTokens).set({ usedAt: new Date() }).where(eq(authTokens.id, row.id));
    // The family keeps one live pair: the previous access token ends with its refresh token.
    await tx.update(authTokens).set({ revokedAt: new Date() }).where(and(eq(authTokens.familyId, row.familyId), eq(authTokens.kind, "access"), isNull(authTokens.revokedAt)));
    const pair = await insertPair(tx, row.userId, row.familyId);
    await writeAudit(tx, { ...ctx, actor }, { action: "auth.token.refresh", targetType: "token_family", targetId: row.familyId }, "success");
    return { kind: "ok" as const, pair };
  });
  if (outcome.kind === "reused") {
    logger().warn({ familyId: outcome.familyId, requestId: ctx.meta.requestId }, "refresh token reused; token family revoked");
  }
  if (outcome.kind !== "ok") throw new BerthError("UNAUTHORIZED", INVALID_REFRESH);
  return outcome.pair;
}

async function revokeFamily(tx: DbOrTx, familyId: string): Promise<void> {
  await tx.update(authTokens).set({ revokedAt: new Date() }).where(and(eq(authTokens.familyId, familyId), isNull(authTokens.revokedAt)));
}

/** Revokes the family of the presented access token (and, if given, of a refresh token of the same user). */
export async function logoutTokens(ctx: ServiceContext, args: { accessToken: string; refreshToken?: string }): Promise<void> {
  await db().transaction(async (tx) => {
    const hashes = [sha256(args.accessToken), ...(args.refreshToken ? [sha256(args.refreshToken)] : [])];
    const families = new Set<string>();
    for (const hash of hashes) {
      const [row] = await tx.select({ familyId: authTokens.familyId, userId: authTokens.userId }).from(authTokens).where(eq(authTokens.tokenHash, hash));
      if (row && row.userId === ctx.actor?.id) families.add(row.familyId);
    }
    for (const familyId of families) {
      await revokeFamily(tx, familyId);
      await writeAudit(tx, ctx, { action: "auth.logout", targetType: "token_family", targetId: familyId }, "success");
    }
  });
}

/** The active user behind an access token, or null. */
const accessTokenLookup = (d: Db) =>
  d
    .select({ profile: meColumns, familyId: authTokens.familyId })
    .from(authTokens)
    .innerJoin(users, eq(users.id, authTokens.userId))
    .where(and(eq(authTokens.tokenHash, sql.placeholder("hash")), eq(authTokens.kind, "access"), isNull(authTokens.revokedAt), gt(authTokens.expiresAt, sql`now()`), eq(users.status, "active")))
    .prepare("resolve_access_token");

export async function resolveAccessToken(token: string): Promise<(Actor & { familyId: string }) | null> {
  const [row] = await preparedQuery("resolve_access_token", accessTokenLookup).execute({ hash: sha256(token) });
  return row ? { id: row.profile.id, email: row.profile.email, role: row.profile.role, profile: row.profile, familyId: row.familyId } : null;
}

export async function revokeUserTokens(tx: DbOrTx, userId: string): Promise<void> {
  await tx.update(authTokens).set({ revokedAt: new Date() }).where(and(eq(authTokens.userId, userId), isNull(authTokens.revokedAt)));
}
