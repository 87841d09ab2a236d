// The API explorer at /docs, and the REST contract of API.md as a script sees it.
import { expect, test, type APIResponse } from "@playwright/test";
import { snap, uniqueEmail } from "./support/helpers";

type ErrorBody = { error: { code: string; message: string; requestId: string; details?: Record<string, unknown> } };
type Pair = { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };

/** Checks the API.md error shape and the X-Request-Id header; returns the body. */
async function expectError(res: APIResponse, status: number, code: string): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status(), text).toBe(status);
  expect(res.headers()["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toEqual(expect.any(String));
  expect(body.error.requestId.length).toBeGreaterThan(0);
  expect(res.headers()["x-request-id"]).toBe(body.error.requestId);
  return body;
}

test("the API explorer lists operations and can try one", async ({ page }) => {
  await page.goto("/docs");
  await expect(page.getByText("Loading API specification…")).toHaveCount(0);
  await expect(page.getByText("Could not load the API specification")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Berth API" })).toBeVisible();
  const paths = page.locator("article span.font-mono.break-all");
  for (const p of ["/auth/register", "/auth/token", "/me", "/auth/providers", "/admin/users"]) {
    await expect(paths.filter({ hasText: new RegExp(`^${p.replace(/\//g, "\\/")}$`) }).first()).toBeVisible();
  }
  await expect(page.getByText(/^\d+ operations$/)).toBeVisible();
  await snap(page, "docs-explorer");

  // The filter narrows the list.
  // (/credential-providers matches "providers" too: the path narrows it to one.)
  await page.getByRole("searchbox", { name: "Filter operations" }).fill("/auth/providers");
  await expect(page.getByText(/^1 of \d+$/)).toBeVisible();
  await page.getByRole("searchbox", { name: "Filter operations" }).fill("");

  // Open GET /auth/providers and send it.
  const op = page.locator("article").filter({ has: page.getByText("/auth/providers", { exact: true }) });
  await expect(op).toHaveCount(1);
  const toggle = op.getByRole("button", { expanded: false }).first();
  await toggle.click();
  await expect(op.getByRole("button", { expanded: true }).first()).toBeVisible();
  await expect(op.getByText("No authentication required")).toBeVisible();
  await op.getByRole("button", { name: "Send" }).click();
  const result = op.locator("[aria-live=polite]");
  await expect(result).toBeVisible();
  await expect(result.getByText("200", { exact: true })).toBeVisible();
  await expect(result).toContainText("X-Request-Id");
  await expect(result).toContainText('"signup"');
  await expect(result).toContainText('"password": true');
  await snap(page, "docs-try-providers");

  // The same page in dark mode.
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await snap(page, "docs-try-providers-dark");
});

test("REST contract: errors, limits, register, token rotation, health", async ({ request }) => {
  // Unknown route: 404 in the error shape, with X-Request-Id.
  await expectError(await request.get("/api/v1/no-such-route"), 404, "NOT_FOUND");
  await expectError(await request.get("/api/not-v1-either"), 404, "NOT_FOUND");

  // A request id the client sends is echoed (when well-formed).
  const echoed = await request.get("/api/v1/no-such-route", { headers: { "X-Request-Id": "e2e-req-1234567890" } });
  expect(echoed.headers()["x-request-id"]).toBe("e2e-req-1234567890");

  // Malformed JSON: 400 VALIDATION_ERROR.
  await expectError(
    await request.post("/api/v1/auth/register", { headers: { "Content-Type": "application/json" }, data: '{"email": "a@b.c", "password": ' }),
    400,
    "VALIDATION_ERROR",
  );
  // Invalid fields: 400 VALIDATION_ERROR with per-field details.
  const invalid = await expectError(await request.post("/api/v1/auth/register", { data: { email: "not-an-email", password: "short" } }), 400, "VALIDATION_ERROR");
  expect(invalid.error.details).toMatchObject({ fields: { email: [expect.any(String)], password: [expect.any(String)] } });

  // Over 1 MiB: 413 PAYLOAD_TOO_LARGE.
  const big = JSON.stringify({ email: "big@example.com", password: "x".repeat(1024 * 1024 + 16) });
  expect(Buffer.byteLength(big)).toBeGreaterThan(1024 * 1024);
  await expectError(await request.post("/api/v1/auth/register", { headers: { "Content-Type": "application/json" }, data: big }), 413, "PAYLOAD_TOO_LARGE");

  // Register: 201 with Location.
  const email = uniqueEmail("script");
  const password = "script-password-1";
  const reg = await request.post("/api/v1/auth/register", { data: { email, password, name: "Scripted" } });
  expect(reg.status(), await reg.text()).toBe(201);
  expect(reg.headers()["location"]).toBe("/api/v1/me");
  expect(reg.headers()["x-request-id"]).toBeTruthy();
  const { user } = (await reg.json()) as { user: { id: string; email: string; name: string | null } };
  expect(user).toMatchObject({ email, name: "Scripted" });
  expect(user.id).toEqual(expect.any(String));
  expect(JSON.stringify(user)).not.toMatch(/password/i);
  // Twice: 409 CONFLICT.
  await expectError(await request.post("/api/v1/auth/register", { data: { email, password } }), 409, "CONFLICT");

  // Wrong password: 401.
  await expectError(await request.post("/api/v1/auth/token", { data: { email, password: "wrong-password" } }), 401, "UNAUTHORIZED");
  // No token: 401.
  await expectError(await request.get("/api/v1/me"), 401, "UNAUTHORIZED");
  await expectError(await request.get("/api/v1/me", { headers: { Authorization: "Bearer bat_not_a_real_token" } }), 401, "UNAUTHORIZED");

  // Token → refresh → reuse of the spent refresh token revokes the whole family.
  const tokenRes = await request.post("/api/v1/auth/token", { data: { email, password } });
  expect(tokenRes.status()).toBe(200);
  const first = (await tokenRes.json()) as Pair;
  expect(first).toMatchObject({ tokenType: "Bearer", accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: expect.any(Number) });
  const auth = (p: Pair) => ({ Authorization: `Bearer ${p.accessToken}` });

  const meRes = await request.get("/api/v1/me", { headers: auth(first) });
  expect(meRes.status()).toBe(200);
  expect(meRes.headers()["x-request-id"]).toBeTruthy();
  expect(await meRes.json()).toMatchObject({ id: user.id, email, name: "Scripted", role: "user" });

  const refreshRes = await request.post("/api/v1/auth/refresh", { data: { refreshToken: first.refreshToken } });
  expect(refreshRes.status(), await refreshRes.text()).toBe(200);
  const second = (await refreshRes.json()) as Pair;
  expect(second.accessToken).not.toBe(first.accessToken);
  expect(second.refreshToken).not.toBe(first.refreshToken);
  expect((await request.get("/api/v1/me", { headers: auth(second) })).status()).toBe(200);

  // The spent refresh token comes back: refused, and the new pair stops working too.
  await expectError(await request.post("/api/v1/auth/refresh", { data: { refreshToken: first.refreshToken } }), 401, "UNAUTHORIZED");
  await expectError(await request.get("/api/v1/me", { headers: auth(second) }), 401, "UNAUTHORIZED");
  await expectError(await request.post("/api/v1/auth/refresh", { data: { refreshToken: second.refreshToken } }), 401, "UNAUTHORIZED");
  await expectError(await request.get("/api/v1/me", { headers: auth(first) }), 401, "UNAUTHORIZED");

  // Logout revokes the presented token.
  const third = (await (await request.post("/api/v1/auth/token", { data: { email, password } })).json()) as Pair;
  expect((await request.get("/api/v1/me", { headers: auth(third) })).status()).toBe(200);
  const logout = await request.post("/api/v1/auth/logout", { headers: auth(third) });
  expect(logout.status(), await logout.text()).toBe(204);
  await expectError(await request.get("/api/v1/me", { headers: auth(third) }), 401, "UNAUTHORIZED");
  await expectError(await request.post("/api/v1/auth/refresh", { data: { refreshToken: third.refreshToken } }), 401, "UNAUTHORIZED");

  // Health.
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  const h = (await health.json()) as { status: string; checks: { db: { status: string }; runtime: { status: string; diskLimitEnforced?: boolean } } };
  expect(h.status).toBe("ok");
  expect(h.checks.db.status).toBe("ok");
  // Berth runs as root next to its engine here, so every slot home is a size-limited disk.
  expect(h.checks.runtime).toMatchObject({ status: "ok", diskLimitEnforced: true });

  // The OpenAPI document is there and describes the core routes.
  const doc = await request.get("/api/v1/openapi.json");
  expect(doc.status()).toBe(200);
  const spec = (await doc.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  expect(spec.openapi).toMatch(/^3\.1/);
  for (const [p, m] of [
    ["/auth/register", "post"],
    ["/auth/token", "post"],
    ["/auth/refresh", "post"],
    ["/auth/logout", "post"],
    ["/me", "get"],
  ] as const) {
    const key = Object.keys(spec.paths).find((k) => k === p || k === `/api/v1${p}`);
    expect(key, `${p} in openapi.json`).toBeTruthy();
    expect(spec.paths[key!]![m], `${m.toUpperCase()} ${p}`).toBeTruthy();
  }
});

test("uploads, which server.ts serves ahead of Next, answer as every route does", async ({ request }) => {
  const put = (path: string, headers: Record<string, string> = {}) => request.put(path, { headers: { "Content-Type": "application/octet-stream", ...headers }, data: Buffer.from("hello") });
  // Not signed in: 401 in the error shape, counted (per IP) with the RateLimit-* headers.
  const anon = await put("/api/v1/slots/slt_nothere/files/content?path=/a.txt");
  await expectError(anon, 401, "UNAUTHORIZED");
  expect(anon.headers()["ratelimit-limit"]).toMatch(/^\d+$/);

  const email = uniqueEmail("upload");
  const password = "upload-password-1";
  expect((await request.post("/api/v1/auth/register", { data: { email, password } })).status()).toBe(201);
  const { accessToken } = (await (await request.post("/api/v1/auth/token", { data: { email, password } })).json()) as Pair;
  const auth = { Authorization: `Bearer ${accessToken}` };
  // A slot that is not the caller's: 404, with the caller's count.
  const missing = await put("/api/v1/slots/slt_nothere/files/content?path=/a.txt", auth);
  await expectError(missing, 404, "NOT_FOUND");
  expect(missing.headers()["ratelimit-remaining"]).toMatch(/^\d+$/);
  // A bad path or none: 400, naming the field.
  const outside = await expectError(await put("/api/v1/slots/slt_nothere/files/content?path=/../etc/passwd", auth), 400, "VALIDATION_ERROR");
  expect(outside.error.details).toMatchObject({ fields: { path: [expect.any(String)] } });
  await expectError(await put("/api/v1/slots/slt_nothere/files/content", auth), 400, "VALIDATION_ERROR");
  // The request id a client sends is echoed here too.
  expect((await put("/api/v1/slots/slt_nothere/files/content?path=/a", { ...auth, "X-Request-Id": "e2e-upload-123456" })).headers()["x-request-id"]).toBe("e2e-upload-123456");
});
