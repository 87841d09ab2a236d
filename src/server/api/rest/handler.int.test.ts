// The REST contract of API.md, through the real adapter: error shape, statuses, request ids,
// and no 500 for any input shape on any route.
import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { issueTokenPair } from "@/server/services/tokens/token-pairs";
import { handleRest } from "./handler";
import { restRoutes } from "./routes";

setupTestDatabase({ BERTH_MAX_BODY_BYTES: "4096" });

const BASE = "http://berth.test/api/v1";

async function call(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
  const res = await handleRest(new Request(`${BASE}${path}`, { method, body: init.body, headers: init.headers }));
  const text = await res.text();
  return { res, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

function expectError(r: { res: Response; body: Record<string, unknown> | null }, status: number, code: string) {
  expect(r.res.status).toBe(status);
  const error = (r.body as { error: Record<string, unknown> }).error;
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  expect(error.requestId).toBe(r.res.headers.get("x-request-id"));
}

const json = { "content-type": "application/json" };

describe("REST adapter", () => {
  it("answers an unknown route with 404 NOT_FOUND and a wrong method with 405", async () => {
    expectError(await call("GET", "/nope"), 404, "NOT_FOUND");
    const wrong = await call("DELETE", "/me");
    expectError(wrong, 405, "NOT_FOUND");
    expect(wrong.res.headers.get("allow")).toContain("GET");
  });

  it("answers malformed JSON with 400 VALIDATION_ERROR", async () => {
    expectError(await call("POST", "/auth/token", { body: '{"email": ', headers: json }), 400, "VALIDATION_ERROR");
  });

  it("answers a non-JSON body with 400 and an oversized body with 413, declared or streamed", async () => {
    expectError(await call("POST", "/auth/token", { body: "email=a", headers: { "content-type": "text/plain" } }), 400, "VALIDATION_ERROR");
    const big = JSON.stringify({ email: "a@b.co", password: "x".repeat(10_000) });
    expectError(await call("POST", "/auth/token", { body: big, headers: json }), 413, "PAYLOAD_TOO_LARGE");
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await handleRest(new Request(`${BASE}/auth/token`, { method: "POST", body: stream, headers: json, duplex: "half" } as RequestInit));
    expect(res.status).toBe(413);
  });

  it("keeps a valid incoming X-Request-Id and replaces an unsafe one", async () => {
    const kept = await call("GET", "/nope", { headers: { "x-request-id": "trace-12345678" } });
    expect(kept.res.headers.get("x-request-id")).toBe("trace-12345678");
    const replaced = await call("GET", "/nope", { headers: { "x-request-id": "bad id; drop" } });
    expect(replaced.res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("lists field errors for invalid input", async () => {
    const r = await call("POST", "/auth/register", { body: JSON.stringify({ email: "not-an-email", password: "short" }), headers: json });
    expectError(r, 400, "VALIDATION_ERROR");
    const details = (r.body as { error: { details: { fields: Record<string, string[]> } } }).error.details;
    expect(Object.keys(details.fields).sort()).toEqual(["email", "password"]);
  });

  it("registers with 201 and Location, then the token works on GET /me", async () => {
    const reg = await call("POST", "/auth/register", { body: JSON.stringify({ email: "rest@example.com", password: "rest-password" }), headers: json });
    expect(reg.res.status).toBe(201);
    expect(reg.res.headers.get("location")).toBe("/api/v1/me");
    const tok = await call("POST", "/auth/token", { body: JSON.stringify({ email: "rest@example.com", password: "rest-password" }), headers: json });
    expect(tok.res.status).toBe(200);
    const me = await call("GET", "/me", { headers: { authorization: `Bearer ${tok.body!.accessToken as string}` } });
    expect(me.res.status).toBe(200);
    // Clients that send Content-Type: application/json on every call, GETs without a body included.
    const jsonGet = await call("GET", "/me", { headers: { authorization: `Bearer ${tok.body!.accessToken as string}`, ...json } });
    expect(jsonGet.res.status).toBe(200);
    expect(jsonGet.body).toMatchObject({ email: "rest@example.com" });
    expect(me.body).toMatchObject({ email: "rest@example.com", role: "user" });
    expect(me.body).not.toHaveProperty("passwordHash");
    expectError(await call("GET", "/me", { headers: { authorization: "Bearer bat_forged" } }), 401, "UNAUTHORIZED");
    expectError(await call("GET", "/me", { headers: { authorization: "Basic Zm9vOmJhcg==" } }), 401, "UNAUTHORIZED");
  });

  it("never answers 500, whatever the input shape, on any route", async () => {
    const admin = await makeUser("admin");
    const { accessToken } = await issueTokenPair({ actor: null, meta: { ip: null, requestId: "t", userAgent: null } }, admin);
    const bodies = ["null", "[]", "0", '"text"', "{}", '{"email":{"$ne":1}}', '{"limit":-1}', JSON.stringify({ id: "x".repeat(500), role: "root", status: 7, name: ["a"] }), '{"__proto__":{"admin":true}}', "true"];
    const queries = ["", "?limit=0", "?limit=abc", "?limit=1000", "?cursor=%%%", "?cursor=eyJ0Ijoibm9wZSJ9", "?q=%27%20or%201%3D1--", "?since=yesterday", "?role=root"];
    const fuzzRoute = async (route: { method: string; path: string }) => {
      const path = route.path.replace(/\{\w+\}/g, "usr_%F0%9F%92%A5");
      for (const auth of [{}, { authorization: `Bearer ${accessToken}` }] as Record<string, string>[]) {
        if (route.method === "GET" || route.method === "DELETE") {
          for (const q of queries) {
            const r = await call(route.method, path + q, { headers: auth });
            expect(r.res.status, `${route.method} ${path}${q}`).toBeLessThan(500);
          }
        } else {
          for (const body of bodies) {
            const r = await call(route.method, path, { body, headers: { ...auth, ...json } });
            expect(r.res.status, `${route.method} ${path} ${body}`).toBeLessThan(500);
            if (r.res.status >= 400) expect((r.body as { error: { code: string } }).error.code).toBeTruthy();
          }
        }
      }
    };
    // Routes four at a time (each route's calls in order): the same calls, a fraction of the wall time.
    const queue = [...restRoutes()];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let route = queue.shift(); route; route = queue.shift()) await fuzzRoute(route);
    }));
  }, 120_000); // every route × every caller × 10 bodies or 9 queries: it grows with the API
});
