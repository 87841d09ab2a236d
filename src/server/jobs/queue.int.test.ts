// pg-boss on both databases Berth runs on: a job sent is worked, on PostgreSQL and on embedded PGlite
// (through the adapter), and a stately queue never holds two waiting jobs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/integration-db";
import { openPglite, type DbHandle } from "@/server/db";
import { openQueue } from "./queue";

const postgresDb = setupTestDatabase();

async function roundTrip(handle: DbHandle): Promise<void> {
  const boss = await openQueue(handle, (err) => {
    throw err;
  });
  try {
    await boss.createQueue("echo", { name: "echo" });
    const seen: unknown[] = [];
    await boss.work<{ n: number }>("echo", { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      seen.push(job!.data);
      return { doubled: job!.data.n * 2 };
    });
    const id = await boss.send("echo", { n: 21 });
    expect(id).toBeTruthy();
    const until = Date.now() + 20_000;
    while (!seen.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([{ n: 21 }]);
    let job = await boss.getJobById("echo", id!);
    while (job?.state !== "completed" && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      job = await boss.getJobById("echo", id!);
    }
    expect(job).toMatchObject({ state: "completed", output: { doubled: 42 } });

    await boss.createQueue("once", { name: "once", policy: "stately" });
    const first = await boss.send("once", {}, { startAfter: 60, singletonKey: "k" });
    const second = await boss.send("once", {}, { startAfter: 60, singletonKey: "k" });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
  }
}

describe("job queue", () => {
  it("works a job on PostgreSQL", async () => {
    await roundTrip(postgresDb.handle());
  }, 60_000);

  describe("on embedded PGlite", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "berth-queue-"));
    let handle: DbHandle | undefined;
    afterAll(async () => {
      await handle?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("creates its schema and works a job through the adapter", async () => {
      handle = await openPglite(dir);
      await roundTrip(handle);
    }, 120_000);
  });
});
