// Every procedure × every kind of caller, through tRPC (createCaller) and through REST (the real
// adapter, in process). A procedure missing from the matrix fails the suite.
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import type { OpenApiMeta } from "trpc-to-openapi";
import { makeUser, PASSWORD } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { API_KEY_SCOPES, type ApiKeyScope } from "@/lib/schemas/api-keys";
import { EVENT_TYPES } from "@/lib/schemas/events";
import { createApiKey } from "@/server/services/api-keys/api-keys";
import { issueTokenPair } from "@/server/services/tokens/token-pairs";
import type { Actor } from "@/server/services/context";
import { AUTHORIZATION_MATRIX, CALLER_KINDS, PLAIN_ROUTES, type CallerKind } from "./authorization-matrix";
import { FILES_INPUTS, FILES_PLAIN_ROUTES } from "./authorization-matrix-files";
import { SECRETS_INPUTS, SECRETS_PLAIN_ROUTES } from "./authorization-matrix-secrets";
import { handleRest } from "./rest/handler";
import { PLAIN_ROUTE_SCOPES, PROCEDURE_SCOPES, scopeOf } from "./scopes";
import { appRouter, createCaller } from "./root";
import { createInnerContext } from "./trpc";

setupTestDatabase();

type Procedures = Record<string, { _def: { type: string; meta?: OpenApiMeta } }>;
const procedures = appRouter._def.procedures as unknown as Procedures;

const unique = () => randomBytes(4).toString("hex");

/** A valid input for each procedure that is harmless to run (objects that do not exist, fresh emails). */
const INPUTS: Record<string, () => unknown> = {
  "auth.providers": () => undefined,
  "auth.register": () => ({ email: `m-${unique()}@example.com`, password: PASSWORD }),
  "auth.token": () => ({ email: `nobody-${unique()}@example.com`, password: "wrong-password" }),
  "auth.refresh": () => ({ refreshToken: "brf_not-a-real-token" }),
  "auth.logout": () => ({}),
  "me.get": () => undefined,
  "me.update": () => ({ name: "Matrix" }),
  "me.changePassword": () => ({ currentPassword: "wrong-current", newPassword: "another password" }),
  "apiKeys.list": () => ({ limit: 5 }),
  "apiKeys.get": () => ({ id: "key_doesnotexist" }),
  "apiKeys.create": () => ({ name: `matrix-${unique()}`, scopes: ["slots:read"] }),
  "apiKeys.revoke": () => ({ id: "key_doesnotexist" }),
  "oauthClients.list": () => ({ limit: 5 }),
  "oauthClients.create": () => ({ name: `matrix-${unique()}`, scopes: ["slots:read"] }),
  "oauthClients.revoke": () => ({ id: "bcl_doesnotexist" }),
  "webhooks.list": () => ({ limit: 5 }),
  "webhooks.get": () => ({ id: "whk_doesnotexist" }),
  "webhooks.deliveries": () => ({ id: "whk_doesnotexist", limit: 5 }),
  // A literal public address: no DNS needed, nothing is sent (no events reach it in this test).
  // webhook.test: the one event a key with only the webhooks scope may subscribe to (webhooks.ts).
  "webhooks.create": () => ({ url: "https://93.184.215.14/matrix", events: ["webhook.test"] }),
  "webhooks.update": () => ({ id: "whk_doesnotexist", description: "renamed" }),
  "webhooks.delete": () => ({ id: "whk_doesnotexist" }),
  "webhooks.redeliver": () => ({ id: "whk_doesnotexist", deliveryId: "wdl_doesnotexist" }),
  "webhooks.test": () => ({ id: "whk_doesnotexist" }),
  "events.list": () => ({ limit: 5 }),
  "events.types": () => undefined,
  "events.live": () => ({}),
  "templates.list": () => undefined,
  "plans.list": () => undefined,
  "slots.list": () => ({ limit: 5 }),
  "slots.get": () => ({ id: "slt_doesnotexist" }),
  "slots.events": () => ({ id: "slt_doesnotexist", limit: 5 }),
  "slots.heartbeat": () => ({ id: "slt_doesnotexist" }),
  "slots.metrics": () => ({ id: "slt_doesnotexist", minutes: 5 }),
  "slots.metricsLive": () => ({ id: "slt_doesnotexist" }),
  "slots.create": () => ({ name: `m-${unique()}`, templateId: "tpl_doesnotexist" }),
  "slots.update": () => ({ id: "slt_doesnotexist", name: "renamed" }),
  "slots.delete": () => ({ id: "slt_doesnotexist" }),
  "slots.start": () => ({ id: "slt_doesnotexist" }),
  "slots.stop": () => ({ id: "slt_doesnotexist" }),
  "slots.restart": () => ({ id: "slt_doesnotexist" }),
  "slots.terminalTicket": () => ({ id: "slt_doesnotexist" }),
  "slots.exec": () => ({ id: "slt_doesnotexist", command: ["true"] }),
  "slots.execs.list": () => ({ id: "slt_doesnotexist", limit: 5 }),
  "slots.execs.get": () => ({ id: "slt_doesnotexist", execId: "exe_doesnotexist" }),
  "slots.execs.cancel": () => ({ id: "slt_doesnotexist", execId: "exe_doesnotexist" }),
  "admin.users.list": () => ({ limit: 5 }),
  "admin.users.get": () => ({ id: "usr_doesnotexist" }),
  "admin.users.update": () => ({ id: "usr_doesnotexist", role: "user" }),
  "admin.invites.list": () => ({ limit: 5 }),
  "admin.invites.create": () => ({ role: "user", expiresInDays: 1 }),
  "admin.invites.revoke": () => ({ id: "inv_doesnotexist" }),
  "admin.audit.list": () => ({ limit: 5 }),
  "admin.templates.list": () => undefined,
  "admin.templates.get": () => ({ id: "tpl_doesnotexist" }),
  "admin.templates.create": () => ({ slug: `m-${unique()}`, name: "Matrix", image: "berth/tiny:latest", resources: { cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 }, enabled: false }),
  "admin.templates.update": () => ({ id: "tpl_doesnotexist", name: "Renamed" }),
  "admin.templates.delete": () => ({ id: "tpl_doesnotexist" }),
  "admin.plans.list": () => undefined,
  "admin.plans.get": () => ({ id: "doesnotexist" }),
  "admin.plans.create": () => ({ id: `m-${unique()}`, name: "Matrix", maxSlots: 1, maxRunning: 1, cpuMillicores: 500, memoryMiB: 128, diskMiB: 256, idleTimeoutMinutes: 10 }),
  "admin.plans.update": () => ({ id: "doesnotexist", name: "Renamed" }),
  "admin.plans.delete": () => ({ id: "doesnotexist" }),
  "admin.slots.list": () => ({ limit: 5 }),
  "admin.slots.get": () => ({ id: "slt_doesnotexist" }),
  ...FILES_INPUTS,
  ...SECRETS_INPUTS,
  "admin.slots.stop": () => ({ id: "slt_doesnotexist" }),
  "admin.slots.delete": () => ({ id: "slt_doesnotexist" }),
};

const actors = {} as Record<Exclude<CallerKind, "anonymous">, Actor>;

/** Each call gets a fresh token: some procedures (logout, changePassword) may revoke the caller's own. */
async function tokenFor(kind: CallerKind): Promise<{ actor: Actor | null; token: string | null }> {
  if (kind === "anonymous") return { actor: null, token: null };
  const actor = actors[kind];
  const pair = await issueTokenPair({ actor: null, meta: { ip: null, requestId: "matrix", userAgent: null } }, actor);
  return { actor, token: pair.accessToken };
}

function expectedDenial(kind: CallerKind): "UNAUTHORIZED" | "FORBIDDEN" {
  return kind === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN";
}

beforeAll(async () => {
  actors.readonly = await makeUser("readonly");
  actors.user = await makeUser("user");
  actors.admin = await makeUser("admin");
});

describe("plain routes", () => {
  it("health and the OpenAPI document answer anyone", async () => {
    const { GET: health } = await import("@/app/api/health/route");
    const { GET: openapi } = await import("@/app/api/v1/openapi.json/route");
    expect(Object.keys(PLAIN_ROUTES).sort()).toEqual(
      ["GET /api/health", "GET /api/v1/openapi.json", "POST /api/v1/oauth/token", "GET /api/v1/slots/{id}/logs", "POST /api/v1/slots/{id}/exec/stream", ...Object.keys(FILES_PLAIN_ROUTES), ...Object.keys(SECRETS_PLAIN_ROUTES)].sort(),
    );
    const h = await health();
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: "ok", checks: { db: { status: "ok" } } });
    const doc = (await (await openapi(new Request("http://berth.test/api/v1/openapi.json"))).json()) as { openapi: string; paths: Record<string, unknown>; webhooks?: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: { data: unknown } } }> } } }> };
    expect(doc.openapi).toBe("3.1.0");
    // The OAuth2 token endpoint, and every webhook event with the schema of its payload.
    expect((doc.paths["/oauth/token"] as Record<string, unknown> | undefined)?.post).toBeTruthy();
    expect(Object.keys(doc.webhooks ?? {}).sort()).toEqual([...EVENT_TYPES].sort());
    expect(doc.webhooks?.["slot.created"]?.post.requestBody.content["application/json"]?.schema.properties.data).toMatchObject({ type: "object", properties: { slot: expect.any(Object) } });
    // Every REST route of the matrix is in the document.
    for (const entry of Object.values(AUTHORIZATION_MATRIX)) {
      if (!entry.rest) continue;
      const [method, path] = entry.rest.split(" ") as [string, string];
      expect((doc.paths[path] as Record<string, unknown> | undefined)?.[method.toLowerCase()], entry.rest).toBeTruthy();
    }
  });
});

describe("authorization matrix", () => {
  it("lists every procedure, and nothing that does not exist", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(AUTHORIZATION_MATRIX).sort());
    expect(Object.keys(INPUTS).sort()).toEqual(Object.keys(AUTHORIZATION_MATRIX).sort());
  });

  it("names the REST route each procedure is exposed as", () => {
    for (const [name, entry] of Object.entries(AUTHORIZATION_MATRIX)) {
      const o = procedures[name]?._def.meta?.openapi;
      expect(o ? `${o.method} ${o.path}` : null, name).toBe(entry.rest);
    }
  });

  describe.each(Object.keys(AUTHORIZATION_MATRIX))("%s", (name) => {
    const entry = AUTHORIZATION_MATRIX[name]!;

    it.each(CALLER_KINDS)("through tRPC as %s", async (kind) => {
      const { actor, token } = await tokenFor(kind);
      const ctx = createInnerContext({ actor, credential: token ? { kind: "access-token", token, familyId: "" } : { kind: "anonymous" }, meta: { requestId: "matrix" } });
      const caller = createCaller(ctx) as unknown as Record<string, unknown>;
      const fn = name.split(".").reduce<unknown>((acc, key) => (acc as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
      let code: string | null = null;
      try {
        await fn(INPUTS[name]!());
      } catch (err) {
        expect(err).toBeInstanceOf(TRPCError);
        code = (err as TRPCError).code;
      }
      if (entry.allow.includes(kind)) {
        expect(code === "UNAUTHORIZED" && name !== "auth.token" && name !== "auth.refresh" ? code : null, `${kind} must be let in`).toBeNull();
        expect(code, `${kind} must not be forbidden`).not.toBe("FORBIDDEN");
        expect(code, "no internal error").not.toBe("INTERNAL_SERVER_ERROR");
      } else {
        expect(code).toBe(expectedDenial(kind));
      }
    });

    it("through REST as every kind of caller", async () => {
      if (!entry.rest) {
        expect(procedures[name]?._def.meta?.openapi, "no REST route").toBeUndefined();
        return;
      }
      for (const kind of CALLER_KINDS) {
        const { token } = await tokenFor(kind);
        const [method, path] = entry.rest!.split(" ") as [string, string];
        const input = (INPUTS[name]!() ?? {}) as Record<string, unknown>;
        const concrete = path.replace(/\{(\w+)\}/g, (_, key: string) => String(input[key] ?? "x"));
        const hasBody = method !== "GET" && method !== "DELETE";
        const url = new URL(`http://berth.test/api/v1${concrete}`);
        if (!hasBody) for (const [k, v] of Object.entries(input)) if (!path.includes(`{${k}}`)) url.searchParams.set(k, String(v));
        const res = await handleRest(
          new Request(url, {
            method,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(hasBody ? { "content-type": "application/json" } : {}) },
            body: hasBody ? JSON.stringify(input) : undefined,
          }),
        );
        expect(res.headers.get("x-request-id"), `${kind}: X-Request-Id`).toBeTruthy();
        expect(res.status, `${kind} ${method} ${path}: never a 500`).toBeLessThan(500);
        if (entry.allow.includes(kind)) {
          if (name !== "auth.token" && name !== "auth.refresh") expect(res.status, `${kind} must be let in`).not.toBe(401);
          expect(res.status, `${kind} must not be forbidden`).not.toBe(403);
        } else {
          const body = (await res.json()) as { error: { code: string } };
          expect(body.error.code, `${kind} ${method} ${path}`).toBe(expectedDenial(kind));
          expect(res.status).toBe(kind === "anonymous" ? 401 : 403);
        }
      }
    });
  });
});

const adminKeys = new Map<string, Promise<string>>();
/** A real API key of the administrator (so only the key's scopes can refuse) with exactly these scopes; one per set. */
function adminKey(scopes: ApiKeyScope[]): Promise<string> {
  const id = [...scopes].sort().join(" ");
  if (!adminKeys.has(id)) {
    adminKeys.set(id, createApiKey({ actor: actors.admin, meta: { ip: null, requestId: "matrix", userAgent: null } }, { name: `scopes-${unique()}`, scopes }).then((k) => k.key));
  }
  return adminKeys.get(id)!;
}

/** The procedure's REST request for `input`, as in the matrix above. */
function restRequest(rest: string, input: Record<string, unknown>, key: string): Request {
  const [method, path] = rest.split(" ") as [string, string];
  const concrete = path.replace(/\{(\w+)\}/g, (_, k: string) => String(input[k] ?? "x"));
  const hasBody = method !== "GET" && method !== "DELETE";
  const url = new URL(`http://berth.test/api/v1${concrete}`);
  if (!hasBody) for (const [k, v] of Object.entries(input)) if (!path.includes(`{${k}}`)) url.searchParams.set(k, String(v));
  return new Request(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(hasBody ? { "content-type": "application/json" } : {}) },
    body: hasBody ? JSON.stringify(input) : undefined,
  });
}

describe("API key scopes", () => {
  it("every procedure that needs a caller says what a key needs for it, and nothing else is listed", () => {
    const protectedNames = Object.entries(AUTHORIZATION_MATRIX)
      .filter(([, e]) => !e.allow.includes("anonymous"))
      .map(([n]) => n);
    for (const name of protectedNames) expect(scopeOf(name), name).toBeDefined();
    for (const name of Object.keys(PROCEDURE_SCOPES)) expect(procedures[name], `${name} exists`).toBeDefined();
  });

  const withRest = Object.entries(AUTHORIZATION_MATRIX).filter(([name, e]) => e.rest && !e.allow.includes("anonymous") && scopeOf(name));

  describe.each(withRest.map(([name]) => name))("%s", (name) => {
    const entry = AUTHORIZATION_MATRIX[name]!;
    const needed = scopeOf(name)!;

    it("refuses a key without its scope, naming it, and lets one with only that scope in", async () => {
      const others = API_KEY_SCOPES.filter((s) => s !== needed);
      const without = await restRequest(entry.rest!, (INPUTS[name]!() ?? {}) as Record<string, unknown>, await adminKey(others));
      const refused = await handleRest(without);
      if (needed === "any") {
        expect(refused.status, "any key may").not.toBe(403);
      } else {
        expect(refused.status).toBe(403);
        const body = (await refused.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
        expect(body.error.code).toBe("FORBIDDEN");
        if (needed === "account") expect(body.error.message).toMatch(/API keys cannot be used/);
        else {
          expect(body.error.details).toEqual({ missingScope: needed });
          expect(body.error.message).toContain(needed);
        }
      }
      if (needed === "account") return;
      const only = needed === "any" ? ["slots:read" as const] : [needed];
      const res = await handleRest(restRequest(entry.rest!, (INPUTS[name]!() ?? {}) as Record<string, unknown>, await adminKey(only)));
      expect(res.status, `a key with ${only.join(",")} must be let in`).not.toBe(403);
      expect(res.status).not.toBe(401);
      expect(res.status).toBeLessThan(500);
    });
  });

  it("the raw-byte and stream routes check their scope too", async () => {
    const { GET: download, PUT: upload } = await import("@/app/api/v1/slots/[id]/files/content/route");
    const { GET: archive } = await import("@/app/api/v1/slots/[id]/files/archive/route");
    const { POST: stream } = await import("@/app/api/v1/slots/[id]/exec/stream/route");
    const { GET: logs } = await import("@/app/api/v1/slots/[id]/logs/route");
    const params = Promise.resolve({ id: "slt_doesnotexist" });
    const base = "http://berth.test/api/v1/slots/slt_doesnotexist";
    const calls: Record<keyof typeof PLAIN_ROUTE_SCOPES, (key: string) => Promise<Response>> = {
      "files.download": (key) => download(new Request(`${base}/files/content?path=/a.txt`, { headers: { authorization: `Bearer ${key}` } }), { params }),
      "files.archive": (key) => archive(new Request(`${base}/files/archive?path=/`, { headers: { authorization: `Bearer ${key}` } }), { params }),
      "files.upload": (key) =>
        upload(new Request(`${base}/files/content?path=/a.txt`, { method: "PUT", body: "hi", headers: { authorization: `Bearer ${key}`, "content-length": "2" } }), { params }),
      "exec.stream": (key) =>
        stream(new Request(`${base}/exec/stream`, { method: "POST", body: JSON.stringify({ command: ["true"] }), headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } }), { params }),
      "slots.logs": (key) => logs(new Request(`${base}/logs`, { headers: { authorization: `Bearer ${key}` } }), { params }),
    };
    for (const [route, needed] of Object.entries(PLAIN_ROUTE_SCOPES) as [keyof typeof PLAIN_ROUTE_SCOPES, ApiKeyScope][]) {
      const refused = await calls[route](await adminKey(API_KEY_SCOPES.filter((s) => s !== needed)));
      expect(refused.status, route).toBe(403);
      expect(((await refused.json()) as { error: { details: unknown } }).error.details).toEqual({ missingScope: needed });
      const allowed = await calls[route](await adminKey([needed]));
      expect(allowed.status, `${route} with ${needed}`).toBe(404);
    }
  });
});
