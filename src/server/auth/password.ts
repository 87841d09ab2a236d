// Password hashing with argon2id (@node-rs/argon2: a maintained native binding, no node-gyp).
import { hash, verify } from "@node-rs/argon2";

// OWASP's second argon2id profile (19 MiB, t=2, p=1): ~25 ms here, the same for every call.
const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under isolatedModules */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies `password` against `passwordHash`; with no hash (unknown email, or an account with no
 * password) it verifies against a throwaway hash so the answer takes the same time either way.
 */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hashPassword("berth-timing-equaliser");
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
