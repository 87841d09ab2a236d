// Encrypted variables, provider credentials and preferences through REST and tRPC against the real
// Postgres: write-only values (a scan of every response, audit row and log line for them), masks,
// names and limits, tenancy, the binding of a ciphertext to its row, and preferences' checks.
import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS_PER_SCOPE } from "@/lib/schemas/secrets";
import { handleRest } from "@/server/api/rest/handler";
import { db } from "@/server/db";
import { auditLog, secrets, slots, templates } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { callerFor, makeUser, testMeta } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import type { Actor } from "../context";
import { createSlot } from "../slots/create-slot";
import { runSlotAction } from "../slots/slot-actions";
import { secretEnvironment } from "./slot-environment";

setupTestDatabase();

const TEMPLATE = "tpl_secrets";
const BASE = "http://berth.test/api/v1";
/** Every value written in this file contains this marker; none may come back anywhere. */
const MARK = "Zq7vX9-never-shown";
const value = (tag: string) => `${MARK}-${tag}-0123456789abcdef`;

let owner: Actor;
let other: Actor;
let readonly: Actor;
let token: string;
let otherToken: string;
let readonlyToken: string;
let slotId: string;
const seen: string[] = [];
const logLines: string[] = [];
const cache = globalThis as unknown as { __berthLogger?: pino.Logger };
let savedLogger: pino.Logger | undefined;

async function rest(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await handleRest(
    new Request(`${BASE}${path}`, {
      method,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { "content-type": "application/json" } : {}) },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    }),
  );
  const text = await res.text();
  seen.push(`${method} ${path} ${res.status} ${JSON.stringify([...res.headers])} ${text}`);
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function errorOf(p: Promise<unknown>): Promise<BerthError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(BerthError);
  return e as BerthError;
}

beforeAll(async () => {
  // Every log line of this file, at the most verbose level, kept for the scan at the end.
  savedLogger = cache.__berthLogger;
  cache.__berthLogger = pino(
    { level: "trace" },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString("utf8"));
        cb();
      },
    }),
  );
  await db().insert(templates).values({ id: TEMPLATE, slug: "secrets", name: "Secrets", image: "berth/tiny:latest", cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 });
  owner = await makeUser();
  other = await makeUser();
  readonly = await makeUser("readonly");
  token = (await callerFor(owner)).token!;
  otherToken = (await callerFor(other)).token!;
  readonlyToken = (await callerFor(readonly)).token!;
  // A slot row is all these routes need (no container): it stays "creating".
  slotId = (await createSlot({ actor: owner, meta: testMeta() }, { name: "secrets", templateId: TEMPLATE })).id;
});

afterAll(() => {
  cache.__berthLogger = savedLogger;
});

describe("environment variables", () => {
  it("sets, lists masked, replaces and deletes a slot variable and a user variable", async () => {
    const created = await rest("PUT", `/slots/${slotId}/env/API_TOKEN`, { token, body: { value: value("slot") } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/api/v1/slots/${slotId}/env/API_TOKEN`);
    expect(created.body).toMatchObject({ name: "API_TOKEN", scope: "slot", hint: "…cdef", overridden: false });
    const replaced = await rest("PUT", `/slots/${slotId}/env/API_TOKEN`, { token, body: { value: "short" } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ hint: "••••••••" });

    expect((await rest("PUT", "/me/env/API_TOKEN", { token, body: { value: value("user") } })).status).toBe(201);
    expect((await rest("PUT", "/me/env/EDITOR", { token, body: { value: "nano" } })).status).toBe(201);

    const mine = await rest("GET", "/me/env", { token });
    expect(mine.body).toEqual({
      data: [expect.objectContaining({ name: "API_TOKEN", scope: "user" }), expect.objectContaining({ name: "EDITOR", scope: "user", hint: "••••••••" })],
      nextCursor: null,
    });
    const list = await rest("GET", `/slots/${slotId}/env`, { token });
    expect((list.body!.data as unknown[]).map((v) => (({ name, scope, overridden }) => ({ name, scope, overridden }))(v as Record<string, unknown>))).toEqual([
      { name: "API_TOKEN", scope: "slot", overridden: false },
      { name: "API_TOKEN", scope: "user", overridden: true },
      { name: "EDITOR", scope: "user", overridden: false },
    ]);

    // The environment a session gets: the slot's value wins over the user's.
    expect(await secretEnvironment(owner.id, slotId)).toEqual({ API_TOKEN: "short", EDITOR: "nano" });

    const deleted = await rest("DELETE", `/slots/${slotId}/env/API_TOKEN`, { token });
    expect(deleted.status).toBe(204);
    expect(await secretEnvironment(owner.id, slotId)).toEqual({ API_TOKEN: value("user"), EDITOR: "nano" });
    expect((await rest("DELETE", `/slots/${slotId}/env/API_TOKEN`, { token })).body).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await rest("DELETE", "/me/env/EDITOR", { token })).status).toBe(204);
    expect((await rest("DELETE", "/me/env/NOPE", { token })).status).toBe(404);
  });

  it("stores only ciphertext, and a ciphertext copied onto another row does not decrypt", async () => {
    const { caller } = await callerFor(owner);
    await caller.slots.env.set({ id: slotId, name: "FIRST", value: value("first") });
    await caller.slots.env.set({ id: slotId, name: "SECOND", value: value("second") });
    const rows = await db().select().from(secrets).where(eq(secrets.userId, owner.id));
    expect(JSON.stringify(rows)).not.toContain(MARK);
    const first = rows.find((r) => r.name === "FIRST")!;
    const second = rows.find((r) => r.name === "SECOND")!;
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.keyId).toMatch(/^k_/);

    await db().update(secrets).set({ ciphertext: first.ciphertext, nonce: first.nonce }).where(eq(secrets.id, second.id));
    const err = await errorOf(secretEnvironment(owner.id, slotId));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/SECOND could not be decrypted/);
    expect(err.message).not.toContain(MARK);
    await caller.slots.env.delete({ id: slotId, name: "SECOND" });
    await caller.slots.env.delete({ id: slotId, name: "FIRST" });
    expect(await secretEnvironment(owner.id, slotId)).toEqual({ API_TOKEN: value("user") });
  });

  it.each([
    ["1ABC", /letters, digits and _, not starting with a digit/],
    ["A-B", /letters, digits and _/],
    ["BERTH_EXEC", /BERTH_ are reserved/],
    ["berth_thing", /BERTH_ are reserved/],
    ["PATH", /set by the slot itself/],
    ["HOME", /set by the slot itself/],
    ["X".repeat(129), /at most 128 characters/],
  ])("refuses the name %s with a clear message", async (name, message) => {
    const res = await rest("PUT", `/me/env/${name}`, { token, body: { value: value("bad-name") } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "VALIDATION_ERROR" } });
    expect(JSON.stringify(res.body)).toMatch(message);
  });

  it.each([
    ["empty", "", /cannot be empty/],
    ["with a NUL byte", `${value("nul")}\u0000tail`, /NUL/],
    ["over 32 KiB", `${value("long")}${"x".repeat(32_768)}`, /at most 32 KiB/],
  ])("refuses a value %s, without echoing it", async (_, bad, message) => {
    const res = await rest("PUT", `/slots/${slotId}/env/BAD_VALUE`, { token, body: { value: bad } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(message);
  });

  it("deleting a slot deletes its secrets, and only its own", async () => {
    const doomed = (await createSlot({ actor: owner, meta: testMeta() }, { name: "doomed", templateId: TEMPLATE })).id;
    expect((await rest("PUT", `/slots/${doomed}/env/DOOMED`, { token, body: { value: value("doomed") } })).status).toBe(201);
    expect((await rest("PUT", `/slots/${doomed}/credentials/anthropic`, { token, body: { value: `sk-ant-api03-${"x".repeat(40)}` } })).status).toBe(201);
    expect((await rest("PUT", "/me/env/KEEPS", { token, body: { value: "kept" } })).status).toBe(201);
    // No container was ever made: the delete action only has the row to finish.
    await db().update(slots).set({ status: "deleting" }).where(eq(slots.id, doomed));
    await runSlotAction(doomed, "delete", owner.id);
    expect((await db().select().from(slots).where(eq(slots.id, doomed)))[0]!.status).toBe("deleted");
    expect(await db().select().from(secrets).where(eq(secrets.slotId, doomed))).toEqual([]);
    expect((await db().select().from(secrets).where(eq(secrets.name, "KEEPS"))).length).toBe(1);
    expect((await rest("DELETE", "/me/env/KEEPS", { token })).status).toBe(204);
  });

  it("caps the count and the total size per scope (QUOTA_EXCEEDED)", async () => {
    const { caller } = await callerFor(other);
    for (let i = 0; i < SECRETS_PER_SCOPE; i++) await caller.me.env.set({ name: `V${i}`, value: "1" });
    const full = await rest("PUT", "/me/env/ONE_MORE", { token: otherToken, body: { value: "1" } });
    expect(full.status).toBe(403);
    expect(full.body).toMatchObject({ error: { code: "QUOTA_EXCEEDED", details: { limit: SECRETS_PER_SCOPE, quota: "secrets" } } });
    // Replacing one that exists is still allowed at the cap.
    expect((await rest("PUT", "/me/env/V0", { token: otherToken, body: { value: "2" } })).status).toBe(200);

    // 8 values of 32,000 bytes fit in a slot's 256 KiB; 10,000 more do not.
    const owners = await callerFor(owner);
    for (let i = 0; i < 8; i++) await owners.caller.slots.env.set({ id: slotId, name: `BIG${i}`, value: "b".repeat(32_000) });
    const over = await rest("PUT", `/slots/${slotId}/env/BIG_OVER`, { token, body: { value: "b".repeat(10_000) } });
    expect(over.status).toBe(403);
    expect(over.body).toMatchObject({ error: { code: "QUOTA_EXCEEDED", details: { quota: "secretBytes" } } });
    // Replacing a big value by a small one frees room.
    expect((await rest("PUT", `/slots/${slotId}/env/BIG0`, { token, body: { value: "small" } })).status).toBe(200);
    expect((await rest("PUT", `/slots/${slotId}/env/BIG_OVER`, { token, body: { value: "b".repeat(10_000) } })).status).toBe(201);
    for (const name of ["BIG0", "BIG1", "BIG2", "BIG3", "BIG4", "BIG5", "BIG6", "BIG7", "BIG_OVER"]) await owners.caller.slots.env.delete({ id: slotId, name });
  });

  it("hides another user's slot (NOT_FOUND) and refuses read-only accounts (FORBIDDEN)", async () => {
    for (const [method, path, body] of [
      ["GET", `/slots/${slotId}/env`, undefined],
      ["PUT", `/slots/${slotId}/env/STOLEN`, { value: value("stolen") }],
      ["DELETE", `/slots/${slotId}/env/API_TOKEN`, undefined],
      ["GET", `/slots/${slotId}/credentials`, undefined],
    ] as const) {
      const res = await rest(method, path, { token: otherToken, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const ro = await rest("PUT", "/me/env/READONLY", { token: readonlyToken, body: { value: value("ro") } });
    expect(ro.body).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect((await rest("GET", "/me/env", { token: readonlyToken })).status).toBe(200);
  });
});

describe("provider credentials", () => {
  const anthropicKey = `sk-ant-api03-${MARK}-abcdefghijklmnopqrstuvwxyz`;

  it("lists the providers with their variables", async () => {
    const res = await rest("GET", "/credential-providers", { token });
    expect(res.body!.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "anthropic", variables: ["ANTHROPIC_API_KEY"] }),
        expect.objectContaining({ id: "github", variables: ["GITHUB_TOKEN", "GH_TOKEN"] }),
        expect.objectContaining({ id: "google", variables: ["GEMINI_API_KEY", "GOOGLE_API_KEY"] }),
        expect.objectContaining({ id: "openai", variables: ["OPENAI_API_KEY"] }),
      ]),
    );
  });

  it("checks a key's shape, stores it masked, and exposes it under the provider's variables", async () => {
    const wrong = await rest("PUT", `/slots/${slotId}/credentials/anthropic`, { token, body: { value: `ghp_${MARK}` } });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toMatch(/does not look like a valid Anthropic key: an Anthropic API key starts with sk-ant-/);
    expect((await rest("PUT", `/slots/${slotId}/credentials/nope`, { token, body: { value: "x" } })).status).toBe(400);

    const set = await rest("PUT", `/slots/${slotId}/credentials/anthropic`, { token, body: { value: `  ${anthropicKey}\n` } });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ provider: "anthropic", variables: ["ANTHROPIC_API_KEY"], hint: "sk-ant-api03-…wxyz" });
    const gh = `ghp_${"A1b2C3d4".repeat(5)}`;
    expect((await rest("PUT", `/slots/${slotId}/credentials/github`, { token, body: { value: gh } })).status).toBe(201);
    const list = await rest("GET", `/slots/${slotId}/credentials`, { token });
    expect((list.body!.data as Array<{ provider: string }>).map((c) => c.provider)).toEqual(["anthropic", "github"]);

    const env = await secretEnvironment(owner.id, slotId);
    expect(env).toMatchObject({ ANTHROPIC_API_KEY: anthropicKey, GITHUB_TOKEN: gh, GH_TOKEN: gh });
    // A slot variable of the same name is the more specific statement and wins.
    const { caller } = await callerFor(owner);
    await caller.slots.env.set({ id: slotId, name: "GH_TOKEN", value: "explicit" });
    expect(await secretEnvironment(owner.id, slotId)).toMatchObject({ GITHUB_TOKEN: gh, GH_TOKEN: "explicit" });
    await caller.slots.env.delete({ id: slotId, name: "GH_TOKEN" });

    expect((await rest("DELETE", `/slots/${slotId}/credentials/github`, { token })).status).toBe(204);
    expect((await rest("DELETE", `/slots/${slotId}/credentials/github`, { token })).status).toBe(404);
    expect(await secretEnvironment(owner.id, slotId)).not.toHaveProperty("GH_TOKEN");
  });
});

describe("preferences", () => {
  it("reads the defaults, changes some, and checks the template and the font size", async () => {
    expect((await rest("GET", "/me/preferences", { token })).body).toEqual({ theme: "system", terminalFontFamily: "System monospace", terminalFontSize: 13, defaultTemplateId: null });
    const patched = await rest("PATCH", "/me/preferences", { token, body: { theme: "dark", terminalFontSize: 16, defaultTemplateId: TEMPLATE } });
    expect(patched.body).toEqual({ theme: "dark", terminalFontFamily: "System monospace", terminalFontSize: 16, defaultTemplateId: TEMPLATE });
    expect((await rest("PATCH", "/me/preferences", { token, body: { terminalFontFamily: "Fira Code" } })).body).toMatchObject({ theme: "dark", terminalFontFamily: "Fira Code", terminalFontSize: 16 });

    expect((await rest("PATCH", "/me/preferences", { token, body: { terminalFontSize: 30 } })).body).toMatchObject({ error: { code: "VALIDATION_ERROR", message: expect.stringMatching(/between 10 and 24/) } });
    expect((await rest("PATCH", "/me/preferences", { token, body: { terminalFontFamily: "Comic Sans" } })).status).toBe(400);
    expect((await rest("PATCH", "/me/preferences", { token, body: { theme: "blue" } })).status).toBe(400);
    expect((await rest("PATCH", "/me/preferences", { token, body: { defaultTemplateId: "tpl_nope" } })).body).toMatchObject({ error: { code: "VALIDATION_ERROR", details: { fields: { defaultTemplateId: expect.any(Array) } } } });

    // A template disabled since reads as no preference; null clears it.
    await db().update(templates).set({ enabled: false }).where(eq(templates.id, TEMPLATE));
    expect((await rest("GET", "/me/preferences", { token })).body).toMatchObject({ defaultTemplateId: null });
    await db().update(templates).set({ enabled: true }).where(eq(templates.id, TEMPLATE));
    expect((await rest("PATCH", "/me/preferences", { token, body: { defaultTemplateId: null } })).body).toMatchObject({ defaultTemplateId: null, theme: "dark" });
    // Preferences are personal: a read-only account may change its own.
    expect((await rest("PATCH", "/me/preferences", { token: readonlyToken, body: { theme: "light" } })).status).toBe(200);
  });
});

describe("write-only values", () => {
  it("audits secret writes by name only, and no response, audit row or log line holds a value", async () => {
    // A malformed body (the value not quoted) is refused without quoting it back.
    for (const raw of [`{"value": ${MARK}}`, `{"value": "${MARK}"`]) {
      const res = await handleRest(
        new Request(`${BASE}/slots/${slotId}/env/BROKEN_JSON`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: raw }),
      );
      const text = await res.text();
      seen.push(`PUT malformed ${res.status} ${text}`);
      expect(res.status).toBe(400);
      expect(text).toMatch(/not valid JSON/);
    }
    const audit = await db().select().from(auditLog).where(eq(auditLog.actorId, owner.id));
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["secret.env.set", "secret.env.delete", "secret.credential.set", "secret.credential.delete", "user.preferences.update"]));
    expect(audit.find((a) => a.action === "secret.env.set" && a.targetId === slotId)?.details).toMatchObject({ name: "API_TOKEN", scope: "slot" });
    const allAudit = await db().select().from(auditLog);
    expect(JSON.stringify(allAudit)).not.toContain(MARK);
    expect(seen.length).toBeGreaterThan(40);
    for (const line of seen) expect(line).not.toContain(MARK);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(MARK);
  });
});
