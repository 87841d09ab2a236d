// Sealing and opening secrets: round trip, fresh nonces, the binding to the row, tampering, the
// keyring during a rotation, and the key's text forms and fingerprint.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/server/env";
import { decodeEncryptionKey, generateEncryptionKey, keyFingerprint } from "./encryption-key";
import { makeKeyring, openSecret, resealSecret, sealSecret, SecretOpenError, type SecretBinding } from "./secret-box";

const key = () => randomBytes(32);
const binding: SecretBinding = { userId: "usr_a", slotId: "slt_1", kind: "env", name: "API_TOKEN" };
const VALUE = "s3cr3t-value-ünïcode-✓";

function openError(fn: () => unknown): SecretOpenError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretOpenError);
    return err as SecretOpenError;
  }
  throw new Error("expected a SecretOpenError");
}

describe("secret box", () => {
  it("opens what it sealed, and the stored form holds neither the value nor the key", () => {
    const k = key();
    const ring = makeKeyring(k);
    const sealed = sealSecret(ring, binding, VALUE);
    expect(openSecret(ring, binding, sealed)).toBe(VALUE);
    expect(Buffer.from(sealed.nonce, "base64")).toHaveLength(12);
    expect(Buffer.from(sealed.ciphertext, "base64")).toHaveLength(Buffer.byteLength(VALUE) + 16);
    const stored = JSON.stringify(sealed);
    expect(stored).not.toContain(VALUE);
    expect(stored).not.toContain(k.toString("base64"));
    expect(stored).not.toContain(k.toString("hex"));
    expect(sealed.keyId).toBe(keyFingerprint(k));
  });

  it("uses a fresh nonce for every write of the same value", () => {
    const ring = makeKeyring(key());
    const a = sealSecret(ring, binding, VALUE);
    const b = sealSecret(ring, binding, VALUE);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it.each<[string, Partial<SecretBinding>]>([
    ["another owner", { userId: "usr_b" }],
    ["another slot", { slotId: "slt_2" }],
    ["the user scope instead of the slot", { slotId: null }],
    ["another kind", { kind: "provider" }],
    ["another name", { name: "API_TOKEN2" }],
  ])("refuses a ciphertext moved to %s", (_, change) => {
    const ring = makeKeyring(key());
    const sealed = sealSecret(ring, binding, VALUE);
    const err = openError(() => openSecret(ring, { ...binding, ...change }, sealed));
    expect(err.reason).toBe("corrupt");
    expect(err.message).not.toContain(VALUE);
  });

  it("refuses a tampered ciphertext, nonce or tag", () => {
    const ring = makeKeyring(key());
    const sealed = sealSecret(ring, binding, VALUE);
    const flip = (b64: string, at: number) => {
      const buf = Buffer.from(b64, "base64");
      buf[at] = buf[at]! ^ 1;
      return buf.toString("base64");
    };
    openError(() => openSecret(ring, binding, { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }));
    openError(() => openSecret(ring, binding, { ...sealed, ciphertext: flip(sealed.ciphertext, Buffer.from(sealed.ciphertext, "base64").length - 1) }));
    openError(() => openSecret(ring, binding, { ...sealed, nonce: flip(sealed.nonce, 3) }));
    openError(() => openSecret(ring, binding, { ...sealed, nonce: "AAAA" }));
    openError(() => openSecret(ring, binding, { ...sealed, ciphertext: "" }));
  });

  it("reads old rows through the previous key during a rotation, and writes only with the current one", () => {
    const oldKey = key();
    const newKey = key();
    const sealedOld = sealSecret(makeKeyring(oldKey), binding, VALUE);
    expect(openError(() => openSecret(makeKeyring(newKey), binding, sealedOld)).reason).toBe("unknown-key");
    const ring = makeKeyring(newKey, [oldKey]);
    expect(openSecret(ring, binding, sealedOld)).toBe(VALUE);
    const moved = resealSecret(ring, binding, sealedOld)!;
    expect(moved.keyId).toBe(keyFingerprint(newKey));
    expect(openSecret(makeKeyring(newKey), binding, moved)).toBe(VALUE);
    expect(resealSecret(ring, binding, moved)).toBeNull();
  });
});

describe("encryption key", () => {
  it("reads base64, base64url and hex forms of 32 bytes", () => {
    const k = key();
    for (const text of [k.toString("base64"), k.toString("base64").replace(/=+$/, ""), k.toString("base64url"), k.toString("hex"), k.toString("hex").toUpperCase(), ` ${k.toString("base64")}\n`]) {
      expect(decodeEncryptionKey(text).equals(k), text).toBe(true);
    }
    expect(decodeEncryptionKey(generateEncryptionKey())).toHaveLength(32);
  });

  it.each(["", "short", randomBytes(16).toString("base64"), randomBytes(33).toString("base64"), randomBytes(32).toString("hex").slice(1), "x".repeat(44), "!".repeat(44)])("refuses %j with a sentence that does not echo it", (text) => {
    expect(() => decodeEncryptionKey(text)).toThrow(/BERTH_ENCRYPTION_KEY must be 32 random bytes.*openssl rand -base64 32/);
  });

  it("names a key by a short fingerprint that is stable and differs between keys", () => {
    const k = key();
    expect(keyFingerprint(k)).toBe(keyFingerprint(Buffer.from(k)));
    expect(keyFingerprint(k)).not.toBe(keyFingerprint(key()));
    expect(keyFingerprint(k)).toMatch(/^k_[A-Za-z0-9_-]{12}$/);
  });
});

describe("configuration of the key", () => {
  const dataDir = () => mkdtempSync(path.join(tmpdir(), "berth-key-"));

  it("generates a key into the data dir on a first embedded run (0600), then reuses it", () => {
    const dir = dataDir();
    const first = parseEnv({ BERTH_DATA_DIR: dir, BERTH_SECRET: "s".repeat(40) });
    expect(first.encryptionKeyGenerated).toBe(true);
    expect(statSync(path.join(dir, "encryption-key")).mode & 0o777).toBe(0o600);
    expect(decodeEncryptionKey(readFileSync(path.join(dir, "encryption-key"), "utf8")).equals(first.BERTH_ENCRYPTION_KEY!)).toBe(true);
    const second = parseEnv({ BERTH_DATA_DIR: dir, BERTH_SECRET: "s".repeat(40) });
    expect(second.encryptionKeyGenerated).toBe(false);
    expect(second.BERTH_ENCRYPTION_KEY!.equals(first.BERTH_ENCRYPTION_KEY!)).toBe(true);
  });

  it("uses a given key and writes nothing; with DATABASE_URL and no key there is none (the keyring says how to make one)", () => {
    const k = key();
    const given = parseEnv({ BERTH_DATA_DIR: dataDir(), BERTH_ENCRYPTION_KEY: k.toString("hex"), BERTH_ENCRYPTION_KEY_PREVIOUS: key().toString("base64") });
    expect(given.BERTH_ENCRYPTION_KEY!.equals(k)).toBe(true);
    expect(given.encryptionKeyGenerated).toBe(false);
    const server = parseEnv({ BERTH_DATA_DIR: dataDir(), DATABASE_URL: "postgres://db/berth" });
    expect(server.BERTH_ENCRYPTION_KEY).toBeUndefined();
  });

  it.each(["BERTH_ENCRYPTION_KEY", "BERTH_ENCRYPTION_KEY_PREVIOUS"])("stops with a ConfigError naming %s when it is malformed, without echoing it", (name) => {
    const attempt = () => parseEnv({ BERTH_DATA_DIR: dataDir(), [name]: "not-a-key-at-all" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`${name} must be 32 random bytes`));
    expect(() => attempt()).not.toThrow(/not-a-key-at-all/);
  });
});
