// API keys through the real REST adapter and Postgres: shown once, stored hashed, act as the owner
// narrowed to their scopes, record their last use, stop at revocation, expiry or suspension, and
// never appear in a list, an error or the audit log. (Every route × scope: authorization-matrix.)
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { handleRest } from "@/server/api/rest/handler";
import { CLIENT_IP_HEADER } from "@/server/request-meta";
import { db } from "@/server/db";
import { apiKeys, auditLog, users } from "@/server/db/schema";
import { sha256 } from "@/server/ids";
import { callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { API_KEYS_PER_USER } from "@/lib/schemas/api-keys";

setupTestDatabase();

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };

async function rest(method: string, path: string, auth: string | null, body?: unknown, ip = "198.51.100.4"): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await handleRest(
    new Request(`http://berth.test/api/v1${path}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), [CLIENT_IP_HEADER]: ip },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    }),
  );
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json, headers: res.headers };
}

let owner: Awaited<ReturnType<typeof makeUser>>;
let ownerToken: string;
let other: Awaited<ReturnType<typeof makeUser>>;
let otherToken: string;

beforeAll(async () => {
  owner = await makeUser("user");
  ownerToken = (await callerFor(owner)).token!;
  other = await makeUser("user");
  otherToken = (await callerFor(other)).token!;
});

describe("API keys", () => {
  it("are shown once, stored hashed, listed without the key, and act as their owner", async () => {
    const created = await rest("POST", "/api-keys", ownerToken, { name: "CI deploy", scopes: ["slots:read", "slots:read", "exec"] });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    expect(key).toMatch(/^brt_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({ name: "CI deploy", scopes: ["slots:read", "exec"], expiresAt: null, prefix: key.slice(0, 12) });
    expect(created.headers.get("location")).toBe(`/api/v1/api-keys/${created.json.id as string}`);

    const [row] = await db().select().from(apiKeys).where(eq(apiKeys.id, created.json.id as string));
    expect(row!.keyHash).toBe(sha256(key));
    expect(JSON.stringify(row)).not.toContain(key);

    const listed = await rest("GET", "/api-keys", ownerToken);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).not.toContain(key);
    expect(listed.json.data).toEqual([expect.objectContaining({ id: created.json.id, name: "CI deploy", status: "active", lastUsedAt: null })]);

    const me = await rest("GET", "/me", key, undefined, "198.51.100.77");
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: owner.id, email: owner.email });
    expect((await rest("GET", "/slots", key, undefined, "198.51.100.77")).status).toBe(200);

    // Last use: time and IP (recorded without holding up the request).
    await expect
      .poll(async () => (await rest("GET", `/api-keys/${created.json.id as string}`, ownerToken)).json, { timeout: 5000 })
      .toMatchObject({ lastUsedIp: "198.51.100.77", lastUsedAt: expect.any(String) });

    // The audit log has the key's name and scopes, never the key.
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.action, "api_key.create"), eq(auditLog.targetId, created.json.id as string)));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(key);
    expect(audit[0]!.details).toMatchObject({ name: "CI deploy", scopes: ["slots:read", "exec"] });
  });

  it("stop working when revoked, and another user's key is NOT_FOUND", async () => {
    const { json } = await rest("POST", "/api-keys", ownerToken, { name: "short-lived", scopes: ["slots:read"] });
    const key = json.key as string;
    expect((await rest("GET", "/me", key)).status).toBe(200);

    expect((await rest("GET", `/api-keys/${json.id as string}`, otherToken)).status).toBe(404);
    expect((await rest("DELETE", `/api-keys/${json.id as string}`, otherToken)).json.error?.code).toBe("NOT_FOUND");
    expect((await rest("GET", "/me", key)).status).toBe(200);

    expect((await rest("DELETE", `/api-keys/${json.id as string}`, ownerToken)).status).toBe(204);
    const after = await rest("GET", "/me", key);
    expect(after.status).toBe(401);
    expect(after.json.error?.message).toMatch(/invalid, expired or revoked/);
    expect(JSON.stringify(after.json)).not.toContain(key);
    // Revoked keys leave the default list, and show with includeRevoked=true.
    expect(((await rest("GET", "/api-keys", ownerToken)).json.data as { id: string }[]).map((k) => k.id)).not.toContain(json.id);
    expect((await rest("GET", "/api-keys?includeRevoked=true", ownerToken)).json.data).toContainEqual(expect.objectContaining({ id: json.id, status: "revoked" }));
    // Revoking twice is fine.
    expect((await rest("DELETE", `/api-keys/${json.id as string}`, ownerToken)).status).toBe(204);
  });

  it("stop working when expired or when the owner is suspended", async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const { json } = await rest("POST", "/api-keys", ownerToken, { name: "expiring", scopes: ["slots:read"], expiresAt: soon });
    expect(json.expiresAt).toBe(soon);
    expect((await rest("GET", "/me", json.key as string)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await rest("GET", "/me", json.key as string)).status).toBe(401);

    const person = await makeUser("user");
    const token = (await callerFor(person)).token!;
    const key = (await rest("POST", "/api-keys", token, { name: "mine", scopes: ["slots:read"] })).json.key as string;
    expect((await rest("GET", "/me", key)).status).toBe(200);
    await db().update(users).set({ status: "suspended" }).where(eq(users.id, person.id));
    expect((await rest("GET", "/me", key)).status).toBe(401);
  });

  it("refuse bad input with field errors, the admin scope for non-admins, and keys managing keys", async () => {
    const bad = [
      [{ scopes: ["slots:read"] }, "name"],
      [{ name: "x", scopes: [] }, "scopes"],
      [{ name: "x", scopes: ["root"] }, "scopes"],
      [{ name: "x", scopes: "slots:read" }, "scopes"],
      [{ name: "x", scopes: ["slots:read"], expiresAt: "2001-01-01T00:00:00Z" }, "expiresAt"],
      [{ name: "x", scopes: ["slots:read"], expiresAt: "tomorrow" }, "expiresAt"],
      [{ name: "x", scopes: ["slots:read"], extra: 1 }, null],
    ] as const;
    for (const [body, field] of bad) {
      const res = await rest("POST", "/api-keys", ownerToken, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error?.code).toBe("VALIDATION_ERROR");
      if (field) expect(Object.keys((res.json.error?.details?.fields ?? {}) as object).some((f) => f === field || f.startsWith(`${field}.`)), JSON.stringify(body)).toBe(true);
    }
    const admin = await rest("POST", "/api-keys", ownerToken, { name: "x", scopes: ["admin"] });
    expect(admin.status).toBe(403);
    expect(admin.json.error?.message).toMatch(/Only administrators/);

    const key = (await rest("POST", "/api-keys", ownerToken, { name: "all", scopes: ["slots:read", "slots:write", "exec", "files:read", "files:write", "secrets:write", "webhooks"] })).json.key as string;
    for (const [method, path, body] of [
      ["POST", "/api-keys", { name: "child", scopes: ["slots:read"] }],
      ["GET", "/api-keys", undefined],
      ["PATCH", "/me", { name: "Key" }],
      ["POST", "/me/password", { currentPassword: "x", newPassword: "another password" }],
    ] as const) {
      const res = await rest(method, path, key, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.error?.message).toMatch(/API keys cannot be used/);
    }
  });

  it(`hold at most ${API_KEYS_PER_USER} active keys per person, even when made at once`, async () => {
    const person = await makeUser("user");
    const token = (await callerFor(person)).token!;
    const results = await Promise.all(Array.from({ length: API_KEYS_PER_USER + 5 }, (_, i) => rest("POST", "/api-keys", token, { name: `k${i}`, scopes: ["slots:read"] })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(API_KEYS_PER_USER);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.json.error?.code)).toEqual(Array(5).fill("CONFLICT"));
    // Revoking one makes room.
    const first = results.find((r) => r.status === 201)!.json.id as string;
    expect((await rest("DELETE", `/api-keys/${first}`, token)).status).toBe(204);
    expect((await rest("POST", "/api-keys", token, { name: "again", scopes: ["slots:read"] })).status).toBe(201);
  });
});
