// Rotating to a new key: every row re-encrypted in batches, readable with the new key alone,
// idempotent, rows under an unknown key reported (not looped on), and the npm script itself,
// which prints counts and never a value.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { keyFingerprint } from "@/server/crypto/encryption-key";
import { makeKeyring, sealSecret } from "@/server/crypto/secret-box";
import { db } from "@/server/db";
import { auditLog, secrets, templates, webhooks } from "@/server/db/schema";
import { setEnvForTests } from "@/server/env";
import { newId } from "@/server/ids";
import { callerFor, makeUser, testMeta } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import type { Actor } from "../context";
import { createSlot } from "../slots/create-slot";
import { webhookSecret } from "../webhooks/webhooks";
import { rotateEncryptionKey } from "./rotate-encryption-key";
import { secretEnvironment } from "./slot-environment";

const OLD = randomBytes(32);
const NEW = randomBytes(32);
const BASE_ENV = { BERTH_DATA_DIR: "/tmp/berth-test-data", BERTH_SECRET: "test-secret-test-secret-test-secret-0123", LOG_LEVEL: "silent" };
const database = setupTestDatabase({ BERTH_ENCRYPTION_KEY: OLD.toString("base64") });
const MARK = "rotate-me-never-printed";

let owner: Actor;
let hookId: string;
let hookSecret: string;
let slotId: string;
const expected: Record<string, string> = {};

function runScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(process.cwd(), "scripts/rotate-encryption-key.ts")], {
      env: { ...process.env, ...BASE_ENV, DATABASE_URL: database.url(), BERTH_ENCRYPTION_KEY: "", BERTH_ENCRYPTION_KEY_PREVIOUS: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  await db().insert(templates).values({ id: "tpl_rotate", slug: "rotate", name: "Rotate", image: "berth/tiny:latest", cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 });
  owner = await makeUser();
  slotId = (await createSlot({ actor: owner, meta: testMeta() }, { name: "rotate", templateId: "tpl_rotate" })).id;
  const { caller } = await callerFor(owner);
  for (let i = 0; i < 5; i++) {
    await caller.me.env.set({ name: `USER_${i}`, value: `${MARK}-user-${i}` });
    expected[`USER_${i}`] = `${MARK}-user-${i}`;
  }
  await caller.slots.env.set({ id: slotId, name: "SLOT_ONE", value: `${MARK}-slot` });
  expected.SLOT_ONE = `${MARK}-slot`;
  await caller.slots.credentials.set({ id: slotId, provider: "openai", value: `sk-proj-${"a".repeat(40)}` });
  expected.OPENAI_API_KEY = `sk-proj-${"a".repeat(40)}`;
  // A webhook's signing secret is sealed the same way and rotates with the rest.
  const hook = await caller.webhooks.create({ url: "https://93.184.215.14/rotate", events: ["*"] });
  hookId = hook.id;
  hookSecret = hook.secret;
});

describe("rotating the encryption key", () => {
  it("re-encrypts every row in batches under the new key, readable during and after, and is idempotent", async () => {
    const before = await db().select().from(secrets);
    expect(before).toHaveLength(7);
    expect(new Set(before.map((r) => r.keyId))).toEqual(new Set([keyFingerprint(OLD)]));

    // New key current, old one readable: nothing breaks before the rotation has run.
    setEnvForTests({ ...BASE_ENV, BERTH_ENCRYPTION_KEY: NEW.toString("hex"), BERTH_ENCRYPTION_KEY_PREVIOUS: OLD.toString("base64") });
    expect(await secretEnvironment(owner.id, slotId)).toEqual(expected);

    const report = await rotateEncryptionKey(makeKeyring(NEW, [OLD]), { batchSize: 3 });
    expect(report).toEqual({ keyId: keyFingerprint(NEW), rotated: 8, unreadable: 0, batches: 3 });
    const [hook] = await db().select().from(webhooks).where(eq(webhooks.id, hookId));
    expect(hook!.secretKeyId).toBe(keyFingerprint(NEW));
    const after = await db().select().from(secrets);
    expect(new Set(after.map((r) => r.keyId))).toEqual(new Set([keyFingerprint(NEW)]));
    for (const row of after) expect(row.nonce).not.toBe(before.find((b) => b.id === row.id)!.nonce);

    // The old key is no longer needed.
    setEnvForTests({ ...BASE_ENV, BERTH_ENCRYPTION_KEY: NEW.toString("base64") });
    expect(await secretEnvironment(owner.id, slotId)).toEqual(expected);
    expect(webhookSecret(hook!)).toBe(hookSecret);

    expect(await rotateEncryptionKey(makeKeyring(NEW, [OLD]))).toEqual({ keyId: keyFingerprint(NEW), rotated: 0, unreadable: 0, batches: 0 });
    const [audit] = await db().select().from(auditLog).where(eq(auditLog.action, "secret.rotate"));
    expect(audit).toMatchObject({ outcome: "success", details: { rotated: 8, unreadable: 0 } });
  });

  it("reports rows under a key it does not have, and the script prints counts only", async () => {
    const stranger = makeKeyring(randomBytes(32));
    const binding = { userId: owner.id, slotId: null, kind: "env" as const, name: "LOST" };
    await db().insert(secrets).values({ id: newId("sec"), ...binding, ...sealSecret(stranger, binding, `${MARK}-lost`), hint: "" });

    const report = await rotateEncryptionKey(makeKeyring(NEW, [OLD]), { batchSize: 1 });
    expect(report).toMatchObject({ rotated: 0, unreadable: 1 });

    // The script, as an operator runs it: rotate to a third key; the stranger's row stays unreadable (exit 1).
    const THIRD = randomBytes(32);
    const run = await runScript({ BERTH_ENCRYPTION_KEY: THIRD.toString("base64"), BERTH_ENCRYPTION_KEY_PREVIOUS: NEW.toString("base64") });
    expect(run.output).toMatch(/Done: 8 re-encrypted, 1 unreadable/);
    expect(run.code).toBe(1);
    expect(run.output).not.toContain(MARK);
    expect(run.output).not.toContain(THIRD.toString("base64"));
    expect(run.output).not.toContain(NEW.toString("base64"));
    await db().delete(secrets).where(eq(secrets.name, "LOST"));
    const again = await runScript({ BERTH_ENCRYPTION_KEY: THIRD.toString("base64"), BERTH_ENCRYPTION_KEY_PREVIOUS: NEW.toString("base64") });
    expect(again).toMatchObject({ code: 0 });
    expect(again.output).toMatch(/Done: 0 re-encrypted, 0 unreadable/);

    setEnvForTests({ ...BASE_ENV, BERTH_ENCRYPTION_KEY: THIRD.toString("base64") });
    expect(await secretEnvironment(owner.id, slotId)).toEqual(expected);

    // Without a key and with DATABASE_URL, the script says how to make one.
    const none = await runScript({});
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/BERTH_ENCRYPTION_KEY is not set.*openssl rand -base64 32/s);
  });
});
