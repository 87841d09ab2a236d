// The embedded default: PGlite in a data dir, migrated at open, and locked against a second process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setEnvForTests } from "@/server/env";
import { closeDb, DatabaseLockedError, initDb, openPglite } from "./index";
import { registerUser } from "@/server/services/accounts/register-user";
import { verifyCredentials } from "@/server/services/accounts/verify-credentials";
import { systemContext } from "@/server/services/context";

const dir = mkdtempSync(path.join(tmpdir(), "berth-pglite-"));

afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded PGlite", () => {
  it("migrates on open and serves the account services", async () => {
    setEnvForTests({ BERTH_DATA_DIR: dir, BERTH_SECRET: undefined, LOG_LEVEL: "silent" });
    const handle = await initDb({ dataDir: dir });
    expect(handle.kind).toBe("pglite");
    const user = await registerUser(systemContext(), { email: "embedded@example.com", password: "embedded-password" });
    await expect(verifyCredentials(systemContext(), "embedded@example.com", "embedded-password")).resolves.toMatchObject({ id: user.id });
  });

  it("refuses a second opener of the same data dir at once, with a message that says what to do", async () => {
    const started = performance.now();
    const err = await openPglite(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseLockedError);
    expect((err as Error).message).toMatch(/Another Berth process is already using the embedded database/);
    expect((err as Error).message).toMatch(/DATABASE_URL/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses a second Berth process too, and the first one's data is intact afterwards", async () => {
    const probe = `
      import { openPglite } from "./src/server/db/index.ts";
      openPglite(${JSON.stringify(dir)}).then(() => { console.log("OPENED"); process.exit(0); }, (e) => { console.log(e.name + ": " + e.message); process.exit(3); });
    `;
    const result = spawnSync("npx", ["tsx", "--eval", probe], { cwd: process.cwd(), encoding: "utf8", timeout: 60_000 });
    expect(result.stdout).toMatch(/DatabaseLockedError: Another Berth process/);
    expect(result.status).toBe(3);
    await expect(verifyCredentials(systemContext(), "embedded@example.com", "embedded-password")).resolves.toBeTruthy();
  });

  it("reopens the same data after a clean close", async () => {
    await closeDb();
    await initDb({ dataDir: dir });
    await expect(verifyCredentials(systemContext(), "embedded@example.com", "embedded-password")).resolves.toBeTruthy();
  });
});
