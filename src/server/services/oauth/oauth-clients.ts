// OAuth2 client credentials (RFC 6749 §4.4): machine clients with an id and a secret (shown once,
// stored as SHA-256), owned by a person, limited to scopes. POST /api/v1/oauth/token trades them
// for a short-lived bearer token (`bot_…`) that acts as the owner narrowed to the granted scopes,
// exactly like an API key (api/scopes.ts).
import { timingSafeEqual } from "node:crypto";
import { and, count, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { API_KEY_SCOPES, type ApiKeyScope, type CreatedOAuthClient, type OAuthClient, type OAuthClientCreateInput } from "@/lib/schemas/api-keys";
import { db, preparedQuery, type Db } from "@/server/db";
import { oauthClients, oauthTokens, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId, newSecret, sha256 } from "@/server/ids";
import { meColumns } from "../accounts/user-view";
import type { KeyActor } from "../api-keys/api-keys";
import { audited } from "../audit/audited";
import { requireActor, type ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";

export const OAUTH_TOKEN_PREFIX = "bot";
/** Seconds a client-credentials token lives (short: a client asks again, it has its secret). */
export const OAUTH_TOKEN_TTL = 900;
export const OAUTH_CLIENTS_PER_USER = 20;

type ClientRow = typeof oauthClients.$inferSelect;

function toClient(row: ClientRow): OAuthClient {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    status: row.revokedAt ? "revoked" : "active",
  };
}

export async function createOAuthClient(ctx: ServiceContext, input: OAuthClientCreateInput): Promise<CreatedOAuthClient> {
  const actor = requireActor(ctx);
  if (input.scopes.includes("admin") && actor.role !== "admin") {
    throw new BerthError("FORBIDDEN", "Only administrators may make clients with the admin scope.", { details: { fields: { scopes: ["admin is for administrators"] } } });
  }
  const id = newId("bcl");
  const secret = newSecret("bcs");
  await audited(ctx, { action: "oauth_client.create", targetType: "oauth_client", targetId: id, details: { name: input.name, scopes: input.scopes } }, async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.id)).for("update");
    const [held] = await tx.select({ n: count() }).from(oauthClients).where(and(eq(oauthClients.userId, actor.id), isNull(oauthClients.revokedAt)));
    if ((held?.n ?? 0) >= OAUTH_CLIENTS_PER_USER) {
      throw new BerthError("CONFLICT", `You already have ${OAUTH_CLIENTS_PER_USER} active OAuth clients, the most one account may hold. Revoke one first.`);
    }
    await tx.insert(oauthClients).values({ id, userId: actor.id, name: input.name, secretHash: sha256(secret), scopes: input.scopes });
  });
  return { id, clientId: id, clientSecret: secret, name: input.name, scopes: input.scopes };
}

export async function listOAuthClients(ctx: ServiceContext, input: { limit: number; cursor?: string }): Promise<{ data: OAuthClient[]; nextCursor: string | null }> {
  const actor = requireActor(ctx);
  const rows = await db()
    .select()
    .from(oauthClients)
    .where(and(eq(oauthClients.userId, actor.id), isNull(oauthClients.revokedAt), afterCursor(input.cursor, oauthClients.createdAt, oauthClients.id)))
    .orderBy(desc(oauthClients.createdAt), desc(oauthClients.id))
    .limit(input.limit + 1);
  const page = pageFrom(rows, input.limit);
  return { data: page.rows.map(toClient), nextCursor: page.nextCursor };
}

/** Revokes a client of the caller's and every token it holds (another user's client is NOT_FOUND). */
export async function revokeOAuthClient(ctx: ServiceContext, id: string): Promise<void> {
  const actor = requireActor(ctx);
  await audited(ctx, { action: "oauth_client.revoke", targetType: "oauth_client", targetId: id }, async (tx) => {
    const [row] = await tx.select({ id: oauthClients.id }).from(oauthClients).where(and(eq(oauthClients.id, id), eq(oauthClients.userId, actor.id))).for("update");
    if (!row) throw new BerthError("NOT_FOUND", "No such OAuth client.");
    await tx.update(oauthClients).set({ revokedAt: new Date() }).where(and(eq(oauthClients.id, id), isNull(oauthClients.revokedAt)));
    await tx.delete(oauthTokens).where(eq(oauthTokens.clientId, id));
  });
}

/** An RFC 6749 §5.2 error: `error` is the standard code, `status` 400 or 401. */
export class OAuthError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope",
    readonly description: string,
    readonly status: 400 | 401 = 400,
  ) {
    super(description);
  }
}

export type TokenResponse = { access_token: string; token_type: "Bearer"; expires_in: number; scope: string };

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The client credentials grant: checks the client, narrows the scopes, issues a token. */
export async function issueClientToken(ctx: ServiceContext, args: { clientId: string; clientSecret: string; scope: string | null }): Promise<TokenResponse> {
  const [client] = await db()
    .select({ id: oauthClients.id, secretHash: oauthClients.secretHash, scopes: oauthClients.scopes, revokedAt: oauthClients.revokedAt, role: users.role, status: users.status, email: users.email, userId: users.id })
    .from(oauthClients)
    .innerJoin(users, eq(users.id, oauthClients.userId))
    .where(eq(oauthClients.id, args.clientId));
  // One answer for every way a client can be wrong: no hint which part was.
  if (!client || client.revokedAt || client.status !== "active" || !sameSecret(client.secretHash, sha256(args.clientSecret))) {
    throw new OAuthError("invalid_client", "Client authentication failed: unknown client, wrong secret, or the client was revoked.", 401);
  }
  let granted: ApiKeyScope[] = client.scopes;
  if (args.scope !== null) {
    const asked = [...new Set(args.scope.split(" ").filter(Boolean))];
    const unknown = asked.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (unknown.length) throw new OAuthError("invalid_scope", `Unknown scope ${unknown.join(", ")}; scopes are ${API_KEY_SCOPES.join(", ")}.`);
    const beyond = asked.filter((s) => !client.scopes.includes(s as ApiKeyScope));
    if (beyond.length) throw new OAuthError("invalid_scope", `This client may not be granted ${beyond.join(", ")}; it may have ${client.scopes.join(", ")}.`);
    if (asked.length) granted = asked as ApiKeyScope[];
  }
  const token = newSecret(OAUTH_TOKEN_PREFIX);
  const now = new Date();
  const actor = { id: client.userId, email: client.email, role: client.role };
  await audited({ ...ctx, actor }, { action: "oauth_client.token", targetType: "oauth_client", targetId: client.id, details: { scopes: granted } }, async (tx) => {
    await tx.delete(oauthTokens).where(and(eq(oauthTokens.clientId, client.id), lt(oauthTokens.expiresAt, now)));
    await tx.insert(oauthTokens).values({ id: newId("otk"), clientId: client.id, tokenHash: sha256(token), scopes: granted, expiresAt: new Date(now.getTime() + OAUTH_TOKEN_TTL * 1000) });
    await tx.update(oauthClients).set({ lastUsedAt: now }).where(eq(oauthClients.id, client.id));
  });
  return { access_token: token, token_type: "Bearer", expires_in: OAUTH_TOKEN_TTL, scope: granted.join(" ") };
}

const tokenLookup = (d: Db) =>
  d
    .select({ profile: meColumns, clientId: oauthTokens.clientId, scopes: oauthTokens.scopes })
    .from(oauthTokens)
    .innerJoin(oauthClients, eq(oauthClients.id, oauthTokens.clientId))
    .innerJoin(users, eq(users.id, oauthClients.userId))
    .where(and(eq(oauthTokens.tokenHash, sql.placeholder("hash")), gt(oauthTokens.expiresAt, sql`now()`), isNull(oauthClients.revokedAt), eq(users.status, "active")))
    .prepare("resolve_oauth_token");

/** The owner a client-credentials token acts as, narrowed to its granted scopes; null when not valid. */
export async function resolveOAuthToken(token: string): Promise<KeyActor | null> {
  const [row] = await preparedQuery("resolve_oauth_token", tokenLookup).execute({ hash: sha256(token) });
  if (!row) return null;
  return { id: row.profile.id, email: row.profile.email, role: row.profile.role, profile: row.profile, apiKeyId: row.clientId, scopes: row.scopes };
}
