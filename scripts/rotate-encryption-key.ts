// npm run secrets:rotate — re-encrypts every stored secret under BERTH_ENCRYPTION_KEY, reading the
// old rows with BERTH_ENCRYPTION_KEY_PREVIOUS. Safe to stop and run again; prints counts only.
//
//   1. every Berth instance: BERTH_ENCRYPTION_KEY=<new key> BERTH_ENCRYPTION_KEY_PREVIOUS=<old key>, restart
//      (embedded database: stop Berth first; the old key is the content of BERTH_DATA_DIR/encryption-key)
//   2. the same environment: npm run secrets:rotate            (until it reports 0 left under another key)
//   3. drop BERTH_ENCRYPTION_KEY_PREVIOUS and restart (embedded: or write the new key into the file)
import { processKeyring } from "../src/server/crypto/keyring";
import { closeDb, initDb } from "../src/server/db";
import { ConfigError, env } from "../src/server/env";
import { rotateEncryptionKey, secretsNotUnder } from "../src/server/services/secrets/rotate-encryption-key";

async function main(): Promise<number> {
  const e = env();
  const keyring = processKeyring();
  console.log(`Rotating secrets to key ${keyring.current.id}${e.BERTH_ENCRYPTION_KEY_PREVIOUS ? ` (reading old rows with ${[...keyring.byId.keys()].filter((id) => id !== keyring.current.id).join(", ")})` : ""}…`);
  await initDb({ url: e.DATABASE_URL, dataDir: e.dataDir });
  try {
    const report = await rotateEncryptionKey(keyring, { onBatch: (r) => console.log(`  batch ${r.batches}: ${r.rotated} re-encrypted so far`) });
    const left = await secretsNotUnder(keyring.current.id);
    console.log(`Done: ${report.rotated} re-encrypted, ${report.unreadable} unreadable, ${left} left under another key.`);
    if (report.unreadable > 0) console.log("Unreadable rows are under a key this run does not have: set BERTH_ENCRYPTION_KEY_PREVIOUS to it and run again (or delete those secrets).");
    else if (left > 0) console.log("Some rows were busy or written during the run: run it again before dropping BERTH_ENCRYPTION_KEY_PREVIOUS.");
    return left > 0 ? 1 : 0;
  } finally {
    await closeDb();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `Rotation failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
