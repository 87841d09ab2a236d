// This process's keyring, from the configuration: BERTH_ENCRYPTION_KEY (or the key generated into
// the data dir on an embedded run) for every write, BERTH_ENCRYPTION_KEY_PREVIOUS for reads while a
// rotation (npm run secrets:rotate) moves the rows still under it.
import { ConfigError, encryptionKeyMissingMessage, env, type Env } from "@/server/env";
import { makeKeyring, type Keyring } from "./secret-box";

const cache = new WeakMap<Env, Keyring>();

/** Throws ConfigError (with how to make a key) when the configuration has none. */
export function processKeyring(): Keyring {
  const e = env();
  let ring = cache.get(e);
  if (!ring) {
    if (!e.BERTH_ENCRYPTION_KEY) throw new ConfigError(encryptionKeyMissingMessage);
    ring = makeKeyring(e.BERTH_ENCRYPTION_KEY, e.BERTH_ENCRYPTION_KEY_PREVIOUS ? [e.BERTH_ENCRYPTION_KEY_PREVIOUS] : []);
    cache.set(e, ring);
  }
  return ring;
}
