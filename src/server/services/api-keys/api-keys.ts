// API keys: made by their owner (shown once, `brt_` prefix, stored as SHA-256), named, scoped,
// optionally expiring, revocable. A key acts as its owner narrowed to its scopes (api/scopes.ts);
// the key's last use (time and IP) is recorded at most once a minute per key.
import { and, count, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { API_KEYS_PER_USER, type ApiKey, type ApiKeyCreateInput, type ApiKeyScope, type CreatedApiKey } from "@/lib/schemas/api-keys";
import { db, preparedQuery, type Db } from "@/server/db";
import { apiKeys, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId, newSecret, sha256 } from "@/server/ids";
import { logger } from "@/server/logger";
import { meColumns } from "../accounts/user-view";
import { audited } from "../audit/audited";
import { requireActor, type Actor, type ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";

export const API_KEY_PREFIX = "brt";
/** How much of the key lists show: "brt_" and 8 characters of the random part (48 bits: tells keys apart, useless to guess with). */
const SHOWN = API_KEY_PREFIX.length + 1 + 8;
const LAST_USED_EVERY_MS = 60_000;

type KeyRow = typeof apiKeys.$inferSelect;

function statusOf(row: Pick<KeyRow, "revokedAt" | "expiresAt">, now = new Date()): ApiKey["status"] {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt <= now) return "expired";
  return "active";
}

function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: row.lastUsedIp,
    status: statusOf(row),
  };
}

const live = (now: Date) => and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)));

export async function createApiKey(ctx: ServiceContext, input: ApiKeyCreateInput): Promise<CreatedApiKey> {
  const actor = requireActor(ctx);
  if (input.scopes.includes("admin") && actor.role !== "admin") {
    throw new BerthError("FORBIDDEN", "Only administrators may make keys with the admin scope.", { details: { fields: { scopes: ["admin is for administrators"] } } });
  }
  const key = newSecret(API_KEY_PREFIX);
  const id = newId("key");
  const prefix = key.slice(0, SHOWN);
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  await audited(ctx, { action: "api_key.create", targetType: "api_key", targetId: id, details: { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt ?? null } }, async (tx) => {
    // The owner's row, locked: two creates at once cannot both pass the count.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.id)).for("update");
    const [held] = await tx.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.userId, actor.id), live(new Date())));
    if ((held?.n ?? 0) >= API_KEYS_PER_USER) {
      throw new BerthError("CONFLICT", `You already have ${API_KEYS_PER_USER} active API keys, the most one account may hold. Revoke one you no longer use first.`);
    }
    await tx.insert(apiKeys).values({ id, userId: actor.id, name: input.name, prefix, keyHash: sha256(key), scopes: input.scopes, expiresAt });
  });
  return { id, key, prefix, name: input.name, scopes: input.scopes, expiresAt: expiresAt?.toISOString() ?? null };
}

export async function listApiKeys(ctx: ServiceContext, input: { limit: number; cursor?: string; includeRevoked?: "true" | "false" }): Promise<{ data: ApiKey[]; nextCursor: string | null }> {
  const actor = requireActor(ctx);
  const rows = await db()
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, actor.id), input.includeRevoked === "true" ? undefined : live(new Date()), afterCursor(input.cursor, apiKeys.createdAt, apiKeys.id)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(input.limit + 1);
  const page = pageFrom(rows, input.limit);
  return { data: page.rows.map(toApiKey), nextCursor: page.nextCursor };
}

/** One of the caller's keys (another user's key is NOT_FOUND). */
export async function getApiKey(ctx: ServiceContext, id: string): Promise<ApiKey> {
  const actor = requireActor(ctx);
  const [row] = await db().select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.userId, actor.id)));
  if (!row) throw new BerthError("NOT_FOUND", "No such API key.");
  return toApiKey(row);
}

/** Revokes one of the caller's keys (another user's key is NOT_FOUND); revoking twice is fine. */
export async function revokeApiKey(ctx: ServiceContext, id: string): Promise<void> {
  const actor = requireActor(ctx);
  await audited(ctx, { action: "api_key.revoke", targetType: "api_key", targetId: id }, async (tx) => {
    const [row] = await tx.select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.userId, actor.id))).for("update");
    if (!row) throw new BerthError("NOT_FOUND", "No such API key.");
    if (!row.revokedAt) await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
  });
}

const keyLookup = (d: Db) =>
  d
    .select({ profile: meColumns, keyId: apiKeys.id, scopes: apiKeys.scopes, lastUsedAt: apiKeys.lastUsedAt, lastUsedIp: apiKeys.lastUsedIp })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, sql.placeholder("hash")), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)), eq(users.status, "active")))
    .prepare("resolve_api_key");

export type KeyActor = Actor & { apiKeyId: string; scopes: readonly ApiKeyScope[] };

/** The owner a presented key acts as, narrowed to its scopes; null when unknown, revoked, expired or the owner is suspended. */
export async function resolveApiKey(key: string, ip: string | null): Promise<KeyActor | null> {
  const [row] = await preparedQuery("resolve_api_key", keyLookup).execute({ hash: sha256(key) });
  if (!row) return null;
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS || row.lastUsedIp !== ip) {
    // Not awaited: a request never waits on bookkeeping.
    void db()
      .update(apiKeys)
      .set({ lastUsedAt: now, lastUsedIp: ip })
      .where(eq(apiKeys.id, row.keyId))
      .catch((err: unknown) => logger().warn({ err, keyId: row.keyId }, "could not record an API key's last use"));
  }
  return { id: row.profile.id, email: row.profile.email, role: row.profile.role, profile: row.profile, apiKeyId: row.keyId, scopes: row.scopes };
}
