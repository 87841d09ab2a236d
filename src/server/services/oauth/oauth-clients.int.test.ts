// OAuth2 client credentials end to end on real Postgres: a person makes a client over REST, the
// client trades id+secret (HTTP Basic or body, form or JSON) for a short-lived token at
// POST /api/v1/oauth/token, the token acts as the owner narrowed to the granted scopes, and every
// failure answers in RFC 6749 §5.2's shape with the right status.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as tokenRoute, GET as tokenGet } from "@/app/api/v1/oauth/token/route";
import { handleRest } from "@/server/api/rest/handler";
import { db } from "@/server/db";
import { auditLog, oauthClients, oauthTokens, users } from "@/server/db/schema";
import { sha256 } from "@/server/ids";
import { callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";

setupTestDatabase();

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };

async function rest(method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await handleRest(
    new Request(`http://berth.test/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    }),
  );
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
}

async function token(body: string | Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, string>; headers: Headers }> {
  const form = typeof body !== "string";
  const res = await tokenRoute(
    new Request("http://berth.test/api/v1/oauth/token", {
      method: "POST",
      headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json", ...headers },
      body: form ? new URLSearchParams(body).toString() : body,
    }),
  );
  return { status: res.status, json: (await res.json()) as Record<string, string>, headers: res.headers };
}

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}` });

let owner: Awaited<ReturnType<typeof makeUser>>;
let ownerToken: string;
let client: { clientId: string; clientSecret: string; id: string };

beforeAll(async () => {
  owner = await makeUser("user");
  ownerToken = (await callerFor(owner)).token!;
  const created = await rest("POST", "/oauth/clients", ownerToken, { name: "deploy bot", scopes: ["slots:read", "exec"] });
  expect(created.status).toBe(201);
  client = created.json as unknown as typeof client;
});

describe("OAuth2 client credentials", () => {
  it("makes a client whose secret is shown once and stored hashed", async () => {
    expect(client.clientId).toMatch(/^bcl_/);
    expect(client.clientSecret).toMatch(/^bcs_/);
    const [row] = await db().select().from(oauthClients).where(eq(oauthClients.id, client.id));
    expect(row!.secretHash).toBe(sha256(client.clientSecret));
    const listed = await rest("GET", "/oauth/clients", ownerToken);
    expect(JSON.stringify(listed.json)).not.toContain(client.clientSecret);
    expect(listed.json.data).toEqual([expect.objectContaining({ id: client.id, name: "deploy bot", scopes: ["slots:read", "exec"], lastUsedAt: null, status: "active" })]);
  });

  it("trades id and secret for a short-lived token (Basic + form, or body + JSON) that acts as the owner within its scopes", async () => {
    const a = await token({ grant_type: "client_credentials" }, basic(client.clientId, client.clientSecret));
    expect(a.status).toBe(200);
    expect(a.headers.get("cache-control")).toBe("no-store");
    expect(a.headers.get("x-request-id")).toBeTruthy();
    expect(a.json).toEqual({ access_token: expect.stringMatching(/^bot_/), token_type: "Bearer", expires_in: 900, scope: "slots:read exec" });
    const me = await rest("GET", "/me", a.json.access_token!);
    expect(me.status).toBe(200);
    expect(me.json.id).toBe(owner.id);
    expect((await rest("GET", "/slots", a.json.access_token!)).status).toBe(200);
    // Narrowed on request: a token for slots:read only cannot run commands.
    const b = await token(JSON.stringify({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret, scope: "slots:read" }));
    expect(b.status).toBe(200);
    expect(b.json.scope).toBe("slots:read");
    const exec = await rest("POST", "/slots/slt_doesnotexist/exec", b.json.access_token!, { command: ["true"] });
    expect(exec.status).toBe(403);
    expect(exec.json.error?.details).toEqual({ missingScope: "exec" });
    // Stored hashed; the audit log has the grant, never the token.
    const stored = await db().select().from(oauthTokens).where(eq(oauthTokens.clientId, client.id));
    expect(stored.map((t) => t.tokenHash)).toContain(sha256(b.json.access_token!));
    expect(JSON.stringify(await db().select().from(auditLog).where(eq(auditLog.targetId, client.id)))).not.toContain(b.json.access_token!);
    expect((await rest("GET", "/oauth/clients", ownerToken)).json.data).toEqual([expect.objectContaining({ lastUsedAt: expect.any(String) })]);
  });

  it("answers RFC 6749 errors with the right status", async () => {
    const cases: [string | Record<string, string>, Record<string, string>, number, string][] = [
      [{ grant_type: "client_credentials" }, basic(client.clientId, "bcs_wrong"), 401, "invalid_client"],
      [{ grant_type: "client_credentials", client_id: "bcl_nobody", client_secret: "x" }, {}, 401, "invalid_client"],
      [{ grant_type: "client_credentials" }, {}, 401, "invalid_client"],
      [{ grant_type: "password", username: "a", password: "b" }, basic(client.clientId, client.clientSecret), 400, "unsupported_grant_type"],
      [{}, basic(client.clientId, client.clientSecret), 400, "invalid_request"],
      [{ grant_type: "client_credentials", scope: "files:write" }, basic(client.clientId, client.clientSecret), 400, "invalid_scope"],
      [{ grant_type: "client_credentials", scope: "root" }, basic(client.clientId, client.clientSecret), 400, "invalid_scope"],
      [{ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret }, basic(client.clientId, client.clientSecret), 400, "invalid_request"],
      ["[1,2]", basic(client.clientId, client.clientSecret), 400, "invalid_request"],
      ["{nope", basic(client.clientId, client.clientSecret), 400, "invalid_request"],
    ];
    for (const [body, headers, status, error] of cases) {
      const res = await token(body, headers);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json.error, JSON.stringify(body)).toBe(error);
      expect(res.json.error_description).toEqual(expect.any(String));
      if (status === 401 && headers.authorization) expect(res.headers.get("www-authenticate")).toBe('Basic realm="berth"');
    }
    const wrongType = await tokenRoute(new Request("http://berth.test/api/v1/oauth/token", { method: "POST", headers: { "content-type": "text/plain" }, body: "grant_type=client_credentials" }));
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: string }).error).toBe("invalid_request");
    expect((await tokenGet(new Request("http://berth.test/api/v1/oauth/token"))).status).toBe(405);
  });

  it("tokens stop with the client's revocation or the owner's suspension; another person cannot revoke it", async () => {
    const person = await makeUser("user");
    const personToken = (await callerFor(person)).token!;
    const mine = (await rest("POST", "/oauth/clients", personToken, { name: "mine", scopes: ["slots:read"] })).json as unknown as typeof client;
    const t = (await token({ grant_type: "client_credentials" }, basic(mine.clientId, mine.clientSecret))).json.access_token!;
    expect((await rest("GET", "/me", t)).status).toBe(200);
    expect((await rest("DELETE", `/oauth/clients/${mine.id}`, ownerToken)).json.error?.code).toBe("NOT_FOUND");
    expect((await rest("GET", "/me", t)).status).toBe(200);
    await db().update(users).set({ status: "suspended" }).where(eq(users.id, person.id));
    expect((await rest("GET", "/me", t)).status).toBe(401);
    expect((await token({ grant_type: "client_credentials" }, basic(mine.clientId, mine.clientSecret))).json.error).toBe("invalid_client");
    await db().update(users).set({ status: "active" }).where(eq(users.id, person.id));
    expect((await rest("GET", "/me", t)).status).toBe(200);
    expect((await rest("DELETE", `/oauth/clients/${mine.id}`, personToken)).status).toBe(204);
    expect((await rest("GET", "/me", t)).status).toBe(401);
    expect((await token({ grant_type: "client_credentials" }, basic(mine.clientId, mine.clientSecret))).status).toBe(401);
  });

  it("refuses the admin scope to non-administrators, and keys cannot manage clients", async () => {
    const res = await rest("POST", "/oauth/clients", ownerToken, { name: "x", scopes: ["admin"] });
    expect(res.status).toBe(403);
    const key = (await rest("POST", "/api-keys", ownerToken, { name: "k", scopes: ["slots:read"] })).json.key as string;
    const byKey = await rest("POST", "/oauth/clients", key, { name: "x", scopes: ["slots:read"] });
    expect(byKey.status).toBe(403);
    expect(byKey.json.error?.message).toMatch(/API keys cannot be used/);
  });
});
