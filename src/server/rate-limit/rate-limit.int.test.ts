// Rate limits (issue 7): through the real REST adapter, the tRPC route and the plain routes' signedIn(),
// against PostgreSQL. The client IP is the header server.ts stamps on every request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { POST as oauthToken } from "@/app/api/v1/oauth/token/route";
import { POST as execStream } from "@/app/api/v1/slots/[id]/exec/stream/route";
import { GET as archiveGet } from "@/app/api/v1/slots/[id]/files/archive/route";
import { GET as contentGet, PUT as contentPut } from "@/app/api/v1/slots/[id]/files/content/route";
import { GET as logsGet } from "@/app/api/v1/slots/[id]/logs/route";
import { GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { handleRest } from "@/server/api/rest/handler";
import { signedIn } from "@/server/api/rest/plain-route";
import { CLIENT_IP_HEADER } from "@/server/request-meta";
import { issueTokenPair } from "@/server/services/tokens/token-pairs";
import { anonymousContext, makeUser, PASSWORD, testMeta } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";

// Small budgets so the tests reach them quickly; the code under test is the production code.
setupTestDatabase({ BERTH_RATE_LIMIT_ANON_PER_MINUTE: "6", BERTH_RATE_LIMIT_AUTH_PER_MINUTE: "3" });

const BASE = "http://berth.test/api/v1";
const json = { "content-type": "application/json" };
let ipSeq = 1;
/** A fresh client address per test, so budgets of one test never leak into another. */
const nextIp = () => `198.51.100.${ipSeq++}`;

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await handleRest(
    new Request(`${BASE}${path}`, { method, headers: body === undefined ? headers : { ...json, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  const text = await res.text();
  return { res, status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } } };
}

function limits(res: Response) {
  return {
    limit: res.headers.get("ratelimit-limit"),
    remaining: res.headers.get("ratelimit-remaining"),
    reset: Number(res.headers.get("ratelimit-reset")),
    retryAfter: res.headers.get("retry-after"),
  };
}

async function bearer(actor: { id: string; email: string; role: "user" | "admin" | "readonly" }) {
  const { accessToken } = await issueTokenPair(anonymousContext(), actor);
  return { authorization: `Bearer ${accessToken}` };
}

let planSeq = 1;
/** A plan with this budget (made by an admin through the API) and a user on it, with a token. */
async function userOnPlan(requestsPerMinute: number) {
  const admin = await makeUser("admin");
  const adminAuth = await bearer(admin);
  const id = `rl-${planSeq++}-${Date.now().toString(36)}`;
  const created = await call("POST", "/admin/plans", adminAuth, {
    id,
    name: `Rate ${id}`,
    maxSlots: 2,
    maxRunning: 1,
    cpuMillicores: 1000,
    memoryMiB: 512,
    diskMiB: 1024,
    idleTimeoutMinutes: 30,
    requestsPerMinute,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.requestsPerMinute).toBe(requestsPerMinute);
  const user = await makeUser("user");
  expect((await call("PATCH", `/admin/users/${user.id}`, adminAuth, { plan: id })).status).toBe(200);
  return { planId: id, user, auth: await bearer(user), adminAuth };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("rate limits", () => {
  it("counts a user's calls against their plan's budget, then answers 429 with Retry-After and the headers", async () => {
    const { auth } = await userOnPlan(5);
    for (let i = 1; i <= 5; i++) {
      const r = await call("GET", "/me", auth);
      expect(r.status).toBe(200);
      const l = limits(r.res);
      expect(l.limit).toBe("5");
      expect(l.remaining).toBe(String(5 - i));
      expect(l.reset).toBeGreaterThanOrEqual(1);
      expect(l.reset).toBeLessThanOrEqual(60);
      expect(l.retryAfter).toBeNull();
    }
    const over = await call("GET", "/me", auth);
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe("RATE_LIMITED");
    expect(over.body.error?.message).toMatch(/5 API requests a minute/);
    expect(over.body.error?.details).toMatchObject({ limit: 5, budget: "user" });
    const l = limits(over.res);
    expect(l.limit).toBe("5");
    expect(l.remaining).toBe("0");
    expect(Number(l.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(l.retryAfter)).toBeLessThanOrEqual(60);
    expect(l.reset).toBe(Number(l.retryAfter));
    expect(over.res.headers.get("x-request-id")).toBe(over.body.error && (over.body.error as { requestId?: string }).requestId);
    // Errors other than 429 carry the headers too (a validation error on a counted call).
    const other = await userOnPlan(5);
    const bad = await call("GET", "/slots?limit=abc", other.auth);
    expect(bad.status).toBe(400);
    expect(limits(bad.res)).toMatchObject({ limit: "5", remaining: "4" });
  });

  it("gives the whole budget back when the minute is over", async () => {
    const { auth } = await userOnPlan(2);
    expect((await call("GET", "/me", auth)).status).toBe(200);
    expect((await call("GET", "/me", auth)).status).toBe(200);
    expect((await call("GET", "/me", auth)).status).toBe(429);
    // Only Date moves (the limiter compares the stored expiry with the time it sends, and its
    // in-memory block with Date.now()); the database driver's timers keep running.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    const again = await call("GET", "/me", auth);
    expect(again.status).toBe(200);
    expect(limits(again.res)).toMatchObject({ limit: "2", remaining: "1" });
  });

  it("shares one budget among a user's tokens and API keys, and one user's flood does not limit another", async () => {
    const { user, auth } = await userOnPlan(6);
    const created = await call("POST", "/api-keys", auth, { name: "ci", scopes: ["slots:read"] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const keyAuth = { authorization: `Bearer ${created.body.key as string}` }; // the key's creation was call 1
    const second = await bearer(user);
    expect(limits((await call("GET", "/slots", keyAuth)).res).remaining).toBe("4");
    expect(limits((await call("GET", "/me", second)).res).remaining).toBe("3");
    expect(limits((await call("GET", "/slots", keyAuth)).res).remaining).toBe("2");
    expect(limits((await call("GET", "/me", auth)).res).remaining).toBe("1");
    expect(limits((await call("GET", "/me", second)).res).remaining).toBe("0");
    expect((await call("GET", "/slots", keyAuth)).status).toBe(429);
    expect((await call("GET", "/me", auth)).status).toBe(429);

    // Another user on the very same plan has all of theirs.
    const neighbour = await makeUser("user");
    const { adminAuth, planId } = await userOnPlan(6);
    expect((await call("PATCH", `/admin/users/${neighbour.id}`, adminAuth, { plan: planId })).status).toBe(200);
    const theirs = await call("GET", "/me", await bearer(neighbour));
    expect(theirs.status).toBe(200);
    expect(limits(theirs.res)).toMatchObject({ limit: "6", remaining: "5" });
  });

  it("applies a plan change from the next call, and GET /me shows the budget", async () => {
    const { planId, auth, adminAuth } = await userOnPlan(3);
    const me = await call("GET", "/me", auth);
    expect((me.body.limits as { requestsPerMinute: number }).requestsPerMinute).toBe(3);
    await call("GET", "/me", auth);
    await call("GET", "/me", auth);
    expect((await call("GET", "/me", auth)).status).toBe(429);

    const patched = await call("PATCH", `/admin/plans/${planId}`, adminAuth, { requestsPerMinute: 50 });
    expect(patched.status).toBe(200);
    expect(patched.body.requestsPerMinute).toBe(50);
    const after = await call("GET", "/me", auth);
    expect(after.status).toBe(200);
    // What was used this minute still counts (3 allowed; the refused call was answered from memory).
    expect(limits(after.res)).toMatchObject({ limit: "50", remaining: "46" });
    expect((after.body.limits as { requestsPerMinute: number }).requestsPerMinute).toBe(50);

    // Lowering it takes effect at once too.
    expect((await call("PATCH", `/admin/plans/${planId}`, adminAuth, { requestsPerMinute: 4 })).status).toBe(200);
    expect((await call("GET", "/me", auth)).status).toBe(429);
  });

  it("limits anonymous calls per client IP", async () => {
    const ip = nextIp();
    for (let i = 1; i <= 6; i++) {
      const r = await call("GET", "/auth/providers", { [CLIENT_IP_HEADER]: ip });
      expect(r.status).toBe(200);
      expect(limits(r.res)).toMatchObject({ limit: "6", remaining: String(6 - i) });
    }
    const over = await call("GET", "/auth/providers", { [CLIENT_IP_HEADER]: ip });
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe("RATE_LIMITED");
    expect(Number(over.res.headers.get("retry-after"))).toBeGreaterThan(0);
    // An unauthenticated call to a protected route counts as anonymous too (and is refused first).
    expect((await call("GET", "/me", { [CLIENT_IP_HEADER]: ip })).status).toBe(429);
    // Another address is not affected, and neither is a signed-in caller from the same address.
    expect((await call("GET", "/auth/providers", { [CLIENT_IP_HEADER]: nextIp() })).status).toBe(200);
    const { auth } = await userOnPlan(10);
    const signedInCall = await call("GET", "/me", { ...auth, [CLIENT_IP_HEADER]: ip });
    expect(signedInCall.status).toBe(200);
    expect(limits(signedInCall.res).limit).toBe("10");
  });

  it("limits sign-up, token and refresh calls per IP more strictly, apart from other anonymous calls", async () => {
    const user = await makeUser("user");
    const ip = nextIp();
    const from = { [CLIENT_IP_HEADER]: ip };
    const ok = await call("POST", "/auth/token", from, { email: user.email, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(limits(ok.res)).toMatchObject({ limit: "3", remaining: "2" });
    const refreshed = await call("POST", "/auth/refresh", from, { refreshToken: ok.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(limits(refreshed.res).remaining).toBe("1");
    const taken = await call("POST", "/auth/register", from, { email: user.email, password: PASSWORD });
    expect(taken.status).toBe(409);
    expect(limits(taken.res).remaining).toBe("0");
    const over = await call("POST", "/auth/token", from, { email: user.email, password: PASSWORD });
    expect(over.status).toBe(429);
    expect(over.body.error?.details).toMatchObject({ budget: "auth", limit: 3 });
    expect(Number(over.res.headers.get("retry-after"))).toBeGreaterThan(0);
    // The address's ordinary anonymous budget is its own.
    const providers = await call("GET", "/auth/providers", from);
    expect(providers.status).toBe(200);
    expect(limits(providers.res)).toMatchObject({ limit: "6", remaining: "5" });
    // And the token route from another address still works.
    expect((await call("POST", "/auth/token", { [CLIENT_IP_HEADER]: nextIp() }, { email: user.email, password: PASSWORD })).status).toBe(200);
  });

  it("holds the OAuth token route to the same strict per-IP budget, in its own error shape", async () => {
    const from = { [CLIENT_IP_HEADER]: nextIp(), "content-type": "application/x-www-form-urlencoded" };
    const body = "grant_type=client_credentials&client_id=bcl_nobody&client_secret=bcs_wrong";
    const seen: { status: number; remaining: string | null; body: { error: string } }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await oauthToken(new Request(`${BASE}/oauth/token`, { method: "POST", headers: from, body }));
      seen.push({ status: res.status, remaining: res.headers.get("ratelimit-remaining"), body: (await res.json()) as { error: string } });
      if (i === 3) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(seen.map((s) => [s.status, s.remaining, s.body.error])).toEqual([
      [401, "2", "invalid_client"],
      [401, "1", "invalid_client"],
      [401, "0", "invalid_client"],
      [429, "0", "temporarily_unavailable"],
    ]);
  });

  it("counts the tRPC route too: a batch counts each procedure, and a used-up budget answers 429", async () => {
    const { auth } = await userOnPlan(3);
    const trpc = (procs: string) =>
      trpcGet(new Request(`http://berth.test/api/trpc/${procs}${procs.includes(",") ? "?batch=1&input=%7B%7D" : ""}`, { headers: auth }));
    const one = await trpc("me.get");
    expect(one.status).toBe(200);
    expect(one.headers.get("ratelimit-limit")).toBe("3");
    expect(one.headers.get("ratelimit-remaining")).toBe("2");
    const batch = await trpc("me.get,plans.list");
    expect(batch.status).toBe(200);
    expect(batch.headers.get("ratelimit-remaining")).toBe("0");
    const over = await trpc("me.get");
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(over.headers.get("ratelimit-remaining")).toBe("0");
    const body = (await over.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("RATE_LIMITED");
  });

  it("counts the plain (raw byte and stream) routes against the same budget", async () => {
    const { auth } = await userOnPlan(2);
    const req = () => new Request("http://berth.test/api/v1/slots/slt_x/logs", { headers: auth });
    const first = await signedIn(req(), testMeta(), "slots.logs");
    expect(first).not.toBeInstanceOf(Response);
    expect((first as { rateLimit: { remaining: number; headers: Record<string, string> } }).rateLimit.headers["RateLimit-Remaining"]).toBe("1");
    expect((await call("GET", "/me", auth)).status).toBe(200);
    const over = await signedIn(req(), testMeta(), "slots.logs");
    expect(over).toBeInstanceOf(Response);
    const res = over as Response;
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeTruthy();
    expect(res.headers.get("ratelimit-limit")).toBe("2");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    // Unauthenticated: 401, counted per IP, with the headers.
    const anon = await signedIn(new Request("http://berth.test/api/v1/slots/slt_x/logs"), testMeta(nextIp()), "slots.logs");
    expect((anon as Response).status).toBe(401);
    expect((anon as Response).headers.get("ratelimit-limit")).toBe("6");
  });

  it("puts the count on every answer of the plain routes, not only their refusals (here: another user's or a missing slot)", async () => {
    const { auth } = await userOnPlan(10);
    const params = { params: Promise.resolve({ id: "slt_missing" }) };
    const answers = [
      await logsGet(new Request("http://berth.test/api/v1/slots/slt_missing/logs", { headers: auth }), params),
      await contentGet(new Request("http://berth.test/api/v1/slots/slt_missing/files/content?path=/a", { headers: auth }), params),
      await contentPut(new Request("http://berth.test/api/v1/slots/slt_missing/files/content?path=/a", { method: "PUT", headers: { ...auth, "content-length": "1" }, body: "x" }), params),
      await archiveGet(new Request("http://berth.test/api/v1/slots/slt_missing/files/archive?path=/", { headers: auth }), params),
      await execStream(new Request("http://berth.test/api/v1/slots/slt_missing/exec/stream", { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ command: "true" }) }), params),
    ];
    expect(answers.map((r) => [r.status, r.headers.get("ratelimit-limit"), r.headers.get("ratelimit-remaining")])).toEqual([
      [404, "10", "9"],
      [404, "10", "8"],
      [404, "10", "7"],
      [404, "10", "6"],
      [404, "10", "5"],
    ]);
  });
});
