// Webhooks against a real local receiver and real Postgres: endpoints over REST, deliveries signed
// per Standard Webhooks (verified with the `standardwebhooks` package), the delivery log, retries
// with backoff, disabling after repeated failure with a notice, redelivery, and SSRF refusals
// (private, loopback, link-local; at save time and at delivery time).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { Webhook as Verifier } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { handleRest } from "@/server/api/rest/handler";
import { db } from "@/server/db";
import { patchEnvForTests } from "@/server/env";
import { events, webhooks } from "@/server/db/schema";
import { callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { emitEvent } from "../events/emit";
import { deliveryPass, DISABLE_AFTER, MAX_ATTEMPTS } from "./deliver";

setupTestDatabase();

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: { fields?: Record<string, string[]> } } };

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

type Received = { headers: IncomingHttpHeaders; body: string; path: string };
let server: Server;
let base: string;
let received: Received[] = [];
let answer = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body, path: req.url ?? "" });
      res.writeHead(answer, answer === 302 ? { location: "http://127.0.0.1:1/elsewhere" } : {});
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  patchEnvForTests({ BERTH_WEBHOOK_RETRY_BASE_MS: "5" });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  patchEnvForTests({ BERTH_WEBHOOK_RETRY_BASE_MS: undefined });
});

afterEach(() => {
  received = [];
  answer = 200;
  patchEnvForTests({ BERTH_WEBHOOKS_ALLOW_PRIVATE: undefined });
});

/** Runs delivery passes until nothing is due within a few retries' time. */
async function drain(maxMs = 5000): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const pass = await deliveryPass();
    if (pass.sent === 0) {
      await new Promise((r) => setTimeout(r, 40));
      if ((await deliveryPass()).sent === 0) {
        await new Promise((r) => setTimeout(r, 700)); // the longest backoff at base 5 ms is 640 ms
        if ((await deliveryPass()).sent === 0) return;
      }
    }
  }
}

async function emit(userId: string, path = "/notes.txt"): Promise<string> {
  return db().transaction((tx) => emitEvent(tx, userId, "file.uploaded", { slot: { id: "slt_x", name: "x" }, path, size: 3 }));
}

describe("webhooks", () => {
  let owner: Awaited<ReturnType<typeof makeUser>>;
  let token: string;
  beforeAll(async () => {
    owner = await makeUser("user");
    token = (await callerFor(owner)).token!;
  });

  it("signs each delivery per Standard Webhooks, logs it, and never shows the secret again", async () => {
    patchEnvForTests({ BERTH_WEBHOOKS_ALLOW_PRIVATE: "1" });
    const created = await rest("POST", "/webhooks", token, { url: `${base}/hooks/berth`, events: ["file.uploaded", "webhook.test"], description: "local" });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const id = created.json.id as string;
    expect(JSON.stringify((await rest("GET", "/webhooks", token)).json)).not.toContain(secret);
    expect(JSON.stringify((await rest("GET", `/webhooks/${id}`, token)).json)).not.toContain(secret);
    const [row] = await db().select().from(webhooks).where(eq(webhooks.id, id));
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));

    const eventId = await emit(owner.id);
    await drain();
    expect(received).toHaveLength(1);
    const hit = received[0]!;
    expect(hit.path).toBe("/hooks/berth");
    expect(hit.headers["webhook-id"]).toBe(eventId);
    expect(hit.headers["content-type"]).toBe("application/json");
    // The receiver's check: the package verifies signature and timestamp.
    const payload = new Verifier(secret).verify(hit.body, hit.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: "file.uploaded", data: { path: "/notes.txt", size: 3, slot: { id: "slt_x" } } });
    // A tampered body or another secret fails verification.
    expect(() => new Verifier(secret).verify(hit.body.replace("notes", "other"), hit.headers as Record<string, string>)).toThrow();
    expect(() => new Verifier(`whsec_${Buffer.from("another secret of 32 bytes long!").toString("base64")}`).verify(hit.body, hit.headers as Record<string, string>)).toThrow();

    const log = await rest("GET", `/webhooks/${id}/deliveries`, token);
    expect(log.json.data).toEqual([expect.objectContaining({ eventId, eventType: "file.uploaded", status: "succeeded", attempts: 1, responseStatus: 200, error: null, nextAttemptAt: null })]);

    // Only the chosen events: a type it did not pick is not sent.
    await db().transaction((tx) => emitEvent(tx, owner.id, "slot.deleted", { slot: { id: "slt_x", name: "x" } }));
    const test = await rest("POST", `/webhooks/${id}/test`, token);
    expect(test.status).toBe(202);
    await drain();
    expect(received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(["file.uploaded", "webhook.test"]);
    expect((await rest("DELETE", `/webhooks/${id}`, token)).status).toBe(204);
  });

  it("retries with backoff, gives up after the last attempt, disables the endpoint after repeated failure with a notice, and redelivers", async () => {
    patchEnvForTests({ BERTH_WEBHOOKS_ALLOW_PRIVATE: "1" });
    const created = await rest("POST", "/webhooks", token, { url: `${base}/flaky`, events: ["*"] });
    const id = created.json.id as string;
    const secret = created.json.secret as string;
    answer = 500;
    const first = await emit(owner.id, "/a");
    await deliveryPass();
    const pending = (await rest("GET", `/webhooks/${id}/deliveries`, token)).json.data as { status: string; attempts: number; responseStatus: number; nextAttemptAt: string; error: string }[];
    expect(pending[0]).toMatchObject({ status: "pending", attempts: 1, responseStatus: 500, error: "The endpoint answered 500" });
    expect(new Date(pending[0]!.nextAttemptAt).getTime()).toBeGreaterThan(Date.now() - 1000);
    await drain();
    const failed = (await rest("GET", `/webhooks/${id}/deliveries`, token)).json.data as { status: string; attempts: number }[];
    expect(failed[0]).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });
    expect(received.filter((r) => r.headers["webhook-id"] === first)).toHaveLength(MAX_ATTEMPTS);
    expect((await rest("GET", `/webhooks/${id}`, token)).json).toMatchObject({ enabled: true, consecutiveFailures: 1 });

    // A redirect is a failure too (not followed).
    answer = 302;
    for (let i = 1; i < DISABLE_AFTER; i++) await emit(owner.id, `/b${i}`);
    await drain(15_000);
    const hook = (await rest("GET", `/webhooks/${id}`, token)).json;
    expect(hook).toMatchObject({ enabled: false, consecutiveFailures: DISABLE_AFTER, disabledReason: expect.stringContaining(`Disabled after ${DISABLE_AFTER} deliveries`) });
    expect((hook.disabledReason as string)).toContain("Redirects are not followed");
    const notice = await db().select().from(events).where(eq(events.type, "webhook.disabled"));
    expect(notice.filter((e) => e.userId === owner.id)).toEqual([expect.objectContaining({ data: expect.objectContaining({ webhook: { id, url: `${base}/flaky` } }) })]);
    // Disabled: new events are not queued for it.
    received = [];
    await emit(owner.id, "/c");
    await drain();
    expect(received).toHaveLength(0);
    expect((await rest("POST", `/webhooks/${id}/test`, token)).status).toBe(409);

    // Fixed and re-enabled: a redelivery of the first event goes out with the same webhook-id.
    answer = 200;
    expect((await rest("PATCH", `/webhooks/${id}`, token, { enabled: true })).json).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    const firstDelivery = ((await rest("GET", `/webhooks/${id}/deliveries?status=failed&limit=100`, token)).json.data as { id: string; eventId: string }[]).find((d) => d.eventId === first)!;
    const again = await rest("POST", `/webhooks/${id}/deliveries/${firstDelivery.id}/redeliver`, token);
    expect(again.status).toBe(202);
    await drain();
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["webhook-id"]).toBe(first);
    new Verifier(secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>);
    expect(((await rest("GET", `/webhooks/${id}/deliveries?status=succeeded`, token)).json.data as unknown[]).length).toBe(1);
  });

  it("settles on the status line: a receiver that trickles its body does not hold the delivery worker", async () => {
    patchEnvForTests({ BERTH_WEBHOOKS_ALLOW_PRIVATE: "1" });
    const open = new Set<import("node:http").ServerResponse>();
    const slow = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("still here");
      open.add(res); // never ended
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    try {
      const id = (await rest("POST", "/webhooks", token, { url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`, events: ["file.uploaded"] })).json.id as string;
      await emit(owner.id);
      const started = Date.now();
      const pass = await deliveryPass(); // (an earlier test's endpoint for every event gets one too)
      expect(pass.succeeded).toBe(pass.sent);
      // Not a timing assertion on the machine: without settling on the status, the pass would wait for
      // the body until the 10 s deadline and record a failure.
      expect(Date.now() - started).toBeLessThan(9_000);
      const [d] = (await rest("GET", `/webhooks/${id}/deliveries`, token)).json.data as { status: string; responseStatus: number }[];
      expect(d).toMatchObject({ status: "succeeded", responseStatus: 200 });
      expect((await rest("DELETE", `/webhooks/${id}`, token)).status).toBe(204);
    } finally {
      for (const res of open) res.destroy();
      await new Promise((r) => slow.close(r));
    }
  });

  it("refuses private, loopback and link-local targets, at save time and at delivery time", async () => {
    for (const url of ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/x", "http://192.168.0.10/x", "http://100.64.0.1/x", "http://[::ffff:127.0.0.1]/x", "http://0.0.0.0/x", "http://[fd00::1]/x"]) {
      const res = await rest("POST", "/webhooks", token, { url, events: ["*"] });
      expect(res.status, url).toBe(400);
      expect(res.json.error?.details?.fields?.url?.[0], url).toMatch(/Webhooks may not go to/);
    }
    // Allowing private targets opens private and loopback networks only: never link-local (the cloud
    // metadata service), unspecified or multicast addresses.
    patchEnvForTests({ BERTH_WEBHOOKS_ALLOW_PRIVATE: "1" });
    for (const url of ["http://169.254.169.254/latest/meta-data", "http://[fe80::1]/x", "http://0.0.0.0/x", "http://224.0.0.1/x"]) {
      const res = await rest("POST", "/webhooks", token, { url, events: ["*"] });
      expect(res.status, url).toBe(400);
      expect(res.json.error?.details?.fields?.url?.[0], url).toMatch(/Webhooks may not go to/);
    }
    // Saved while allowed, then the server stops allowing it: the delivery is refused, nothing is sent.
    const id = (await rest("POST", "/webhooks", token, { url: `${base}/private`, events: ["file.uploaded"] })).json.id as string;
    patchEnvForTests({ BERTH_WEBHOOKS_ALLOW_PRIVATE: undefined });
    await emit(owner.id);
    await deliveryPass();
    expect(received).toHaveLength(0);
    const [d] = (await rest("GET", `/webhooks/${id}/deliveries`, token)).json.data as { error: string; responseStatus: number | null }[];
    expect(d).toMatchObject({ responseStatus: null, error: expect.stringMatching(/Webhooks may not go to 127\.0\.0\.1, a loopback address/) });
    expect((await rest("DELETE", `/webhooks/${id}`, token)).status).toBe(204);
  });

  it("validates input, and another user's endpoint is NOT_FOUND", async () => {
    for (const [body, field] of [
      [{ url: "not a url", events: ["*"] }, "url"],
      [{ url: "ftp://example.com/x", events: ["*"] }, "url"],
      [{ url: "https://user:pw@example.com/x", events: ["*"] }, "url"],
      [{ url: "https://93.184.215.14/x", events: [] }, "events"],
      [{ url: "https://93.184.215.14/x", events: ["slot.exploded"] }, "events"],
      [{ events: ["*"] }, "url"],
    ] as const) {
      const res = await rest("POST", "/webhooks", token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.json.error?.details?.fields ?? {}).some((f) => f === field || f.startsWith(`${field}.`)), JSON.stringify(body)).toBe(true);
    }
    const mine = (await rest("POST", "/webhooks", token, { url: "https://93.184.215.14/x", events: ["slot.created", "*"] })).json;
    expect(mine.events).toEqual(["*"]);
    const other = await makeUser("user");
    const otherToken = (await callerFor(other)).token!;
    for (const [method, path, body] of [
      ["GET", `/webhooks/${mine.id as string}`, undefined],
      ["GET", `/webhooks/${mine.id as string}/deliveries`, undefined],
      ["PATCH", `/webhooks/${mine.id as string}`, { description: "mine now" }],
      ["POST", `/webhooks/${mine.id as string}/test`, undefined],
      ["DELETE", `/webhooks/${mine.id as string}`, undefined],
    ] as const) {
      expect((await rest(method, path, otherToken, body)).json.error?.code, `${method} ${path}`).toBe("NOT_FOUND");
    }
    expect(((await rest("GET", "/webhooks", otherToken)).json.data as unknown[]).length).toBe(0);
  });

  it("lets an API key point an endpoint only at events its scopes may see", async () => {
    const key = async (scopes: string[]) => (await rest("POST", "/api-keys", token, { name: `hooks ${scopes.join(" ")}`, scopes })).json.key as string;
    const hooksOnly = await key(["webhooks"]);
    const all = await rest("POST", "/webhooks", hooksOnly, { url: "https://93.184.215.14/all", events: ["*"] });
    expect(all.status).toBe(403);
    expect(all.json.error?.code).toBe("FORBIDDEN");
    expect(all.json.error?.message).toMatch(/lacks the slots:read, exec and files:read scopes that slot\.created, .*file\.uploaded events need/);
    expect((await rest("POST", "/webhooks", hooksOnly, { url: "https://93.184.215.14/files", events: ["file.uploaded"] })).json.error?.message).toMatch(/files:read scope that file\.uploaded events need/);
    expect((await rest("POST", "/webhooks", hooksOnly, { url: "https://93.184.215.14/tests", events: ["webhook.test"] })).status).toBe(201);

    // The account's own endpoint for everything: such a key cannot send it elsewhere, nor widen one.
    const everything = (await rest("POST", "/webhooks", token, { url: "https://93.184.215.14/everything", events: ["*"] })).json.id as string;
    const slotsToo = await key(["webhooks", "slots:read"]);
    expect((await rest("PATCH", `/webhooks/${everything}`, slotsToo, { url: "https://93.184.215.14/mine" })).status).toBe(403);
    expect((await rest("PATCH", `/webhooks/${everything}`, slotsToo, { description: "checked" })).status).toBe(200);
    expect((await rest("PATCH", `/webhooks/${everything}`, slotsToo, { events: ["slot.started"], url: "https://93.184.215.14/slots" })).status).toBe(200);
  });
});
