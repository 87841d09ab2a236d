// Opaque, prefixed identifiers and random secrets.
import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

function randomString(length: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && out.length < length) out += ALPHABET[byte % 36];
    }
  }
  return out;
}

/** A new id such as `usr_3k9x…` (prefix says what it names; 20 random chars ≈ 103 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomString(20)}`;
}

/** A bearer secret such as `bat_…` (256 bits), stored only as its SHA-256. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
