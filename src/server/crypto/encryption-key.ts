// The encryption key's text form (BERTH_ENCRYPTION_KEY: 32 bytes as base64 or hex) and its public
// fingerprint. Pure: env.ts validates with it, the keyring and the rotation command build on it.
import { createHmac, randomBytes } from "node:crypto";

export const ENCRYPTION_KEY_BYTES = 32;

/** How to make a key, for messages that ask a person to set one. */
export const MAKE_KEY_HINT = "make one with: openssl rand -base64 32";

/**
 * The 32 key bytes of `raw`: 64 hex digits, or base64 / base64url (padding optional) of exactly
 * 32 bytes. Throws an Error whose message says what is wrong (never echoing the value).
 */
export function decodeEncryptionKey(raw: string, variable = "BERTH_ENCRYPTION_KEY"): Buffer {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) || /^[A-Za-z0-9_-]+$/.test(text)) {
    const bytes = Buffer.from(text.replace(/=+$/, ""), text.includes("-") || text.includes("_") ? "base64url" : "base64");
    // Buffer.from skips what it cannot decode; re-encoding tells a real 32-byte key from a lookalike.
    const again = bytes.toString(text.includes("-") || text.includes("_") ? "base64url" : "base64").replace(/=+$/, "");
    if (bytes.length === ENCRYPTION_KEY_BYTES && again === text.replace(/=+$/, "")) return bytes;
  }
  throw new Error(`${variable} must be 32 random bytes written as base64 (44 characters) or hex (64 characters); ${MAKE_KEY_HINT}`);
}

/** A fresh key in the form Berth writes it (base64). */
export function generateEncryptionKey(): string {
  return randomBytes(ENCRYPTION_KEY_BYTES).toString("base64");
}

/**
 * A short public name of a key, stored beside each ciphertext (rotation finds the rows still under
 * an old key). An HMAC keyed by the key itself: it reveals nothing about the key and cannot be
 * computed without it.
 */
export function keyFingerprint(key: Buffer): string {
  return "k_" + createHmac("sha256", key).update("berth encryption key id v1").digest("base64url").slice(0, 12);
}
