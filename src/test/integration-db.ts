// Integration tests run against the real PostgreSQL server: each test file gets a fresh database,
// migrated from drizzle/, and drops it afterwards.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { closeDb, openPostgres, setSharedDb, type DbHandle } from "@/server/db";
import { setEnvForTests } from "@/server/env";
import { runtime } from "@/server/runtime";
import { instanceId } from "@/server/services/slots/instance";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh migrated database for this test file and makes it the shared client. */
export function setupTestDatabase(envOverrides: Record<string, string | undefined> = {}): { handle: () => DbHandle; url: () => string } {
  const name = `berth_test_${randomBytes(6).toString("hex")}`;
  let handle: DbHandle | undefined;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  beforeAll(async () => {
    setEnvForTests({ BERTH_DATA_DIR: "/tmp/berth-test-data", BERTH_SECRET: "test-secret-test-secret-test-secret-0123", LOG_LEVEL: "silent", ...envOverrides });
    await admin.unsafe(`create database ${name}`);
    handle = await openPostgres(withDatabase(TEST_DATABASE_URL, name), { max: 4 });
    setSharedDb(handle);
  });
  afterAll(async () => {
    await removeLeftoverSlots(name);
    await closeDb();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return {
    handle: () => {
      if (!handle) throw new Error("database not ready");
      return handle;
    },
    url: () => withDatabase(TEST_DATABASE_URL, name),
  };
}

/**
 * The safety net behind each file's own cleanup: containers (and homes) of this test database's
 * installation that are still there when the file ends are removed, and named, so that the test
 * that left them can be found and a CI machine does not fill up with slots nobody owns.
 */
async function removeLeftoverSlots(database: string): Promise<void> {
  let me: string;
  let left: { containerId: string; slotId: string }[];
  try {
    me = await instanceId();
    left = (await runtime().list()).filter((c) => c.instanceId === me);
  } catch {
    return; // no engine, or no migrated database: nothing of this file's can be running
  }
  for (const c of left) {
    console.warn(`[integration-db] ${database}: slot ${c.slotId} was left running by this test file; removing it`);
    await runtime().remove(c.containerId, { slotId: c.slotId, withHome: true }).catch(() => undefined);
  }
}
