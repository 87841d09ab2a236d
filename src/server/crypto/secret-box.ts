// Sealing secrets at rest: AES-256-GCM (node:crypto), a fresh 12-byte nonce per write, and the
// row's identity (owner, slot, kind, name) as associated data, so a ciphertext copied onto another
// row does not open. A keyring holds the current key (every write) and older ones (reads only,
// during a rotation). Nothing here ever puts a key or a value into an error message.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ENCRYPTION_KEY_BYTES, keyFingerprint } from "./encryption-key";

const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type EncryptionKey = { id: string; key: Buffer };

export type Keyring = {
  /** Every write uses this key. */
  current: EncryptionKey;
  /** Keys that may still be read (rows not yet rotated), found by id. */
  byId: ReadonlyMap<string, EncryptionKey>;
};

/** Builds a keyring: the current key first, then older keys still to be read. */
export function makeKeyring(current: Buffer, previous: readonly Buffer[] = []): Keyring {
  const toKey = (key: Buffer): EncryptionKey => {
    if (key.length !== ENCRYPTION_KEY_BYTES) throw new Error(`an encryption key is ${ENCRYPTION_KEY_BYTES} bytes`);
    return { id: keyFingerprint(key), key };
  };
  const cur = toKey(current);
  const byId = new Map<string, EncryptionKey>([[cur.id, cur]]);
  for (const k of previous.map(toKey)) if (!byId.has(k.id)) byId.set(k.id, k);
  return { current: cur, byId };
}

/** What a secret belongs to; all of it is bound into the ciphertext as associated data. */
export type SecretBinding = { userId: string; slotId: string | null; kind: string; name: string };

/** The stored form (the secrets table's columns): base64 ciphertext+tag, base64 nonce, key id. */
export type SealedSecret = { ciphertext: string; nonce: string; keyId: string };

/** A secret that cannot be opened: unknown key, or tampered / moved ciphertext. Never carries the value. */
export class SecretOpenError extends Error {
  constructor(readonly reason: "unknown-key" | "corrupt") {
    super(reason === "unknown-key" ? "The secret was encrypted with a key this Berth does not have (set BERTH_ENCRYPTION_KEY_PREVIOUS during a rotation)." : "The secret could not be decrypted: it was altered or does not belong to this row.");
    this.name = "SecretOpenError";
  }
}

/** Unambiguous bytes of the binding (JSON of a fixed-order array; a version tag for future formats). */
function associatedData(b: SecretBinding): Buffer {
  return Buffer.from(JSON.stringify(["berth.secret.v1", b.userId, b.slotId, b.kind, b.name]), "utf8");
}

export function sealSecret(keyring: Keyring, binding: SecretBinding, value: string): SealedSecret {
  const { id, key } = keyring.current;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(binding));
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: body.toString("base64"), nonce: nonce.toString("base64"), keyId: id };
}

export function openSecret(keyring: Keyring, binding: SecretBinding, sealed: SealedSecret): string {
  const entry = keyring.byId.get(sealed.keyId);
  if (!entry) throw new SecretOpenError("unknown-key");
  const body = Buffer.from(sealed.ciphertext, "base64");
  const nonce = Buffer.from(sealed.nonce, "base64");
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new SecretOpenError("corrupt");
  try {
    const decipher = createDecipheriv(ALGORITHM, entry.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    // OpenSSL's own error says nothing useful and nothing secret; ours says which case it is.
    throw new SecretOpenError("corrupt");
  }
}

/** Re-seals under the current key (rotation). Returns null when it already is. */
export function resealSecret(keyring: Keyring, binding: SecretBinding, sealed: SealedSecret): SealedSecret | null {
  if (sealed.keyId === keyring.current.id) return null;
  return sealSecret(keyring, binding, openSecret(keyring, binding, sealed));
}
