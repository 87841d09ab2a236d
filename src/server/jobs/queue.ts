// The job queue: pg-boss on Berth's own database. On PostgreSQL it opens a small pool of its own; on
// the embedded PGlite it runs through an adapter on the same PGlite instance (one process owns it).
// Why pg-boss: retries, cron schedules, singleton queues and "exactly one worker across instances"
// on the database we already have, with no broker to run.
import PgBoss from "pg-boss";
import type { DbHandle } from "@/server/db";

type SqlResult = { rows: unknown[] };

/**
 * pg-boss's `db` adapter for PGlite. pg-boss sends single statements with parameters, and
 * parameterless scripts of several statements (its migrations and locked maintenance blocks), which
 * PGlite runs with `exec`; pg-boss reads only the rows of the last one.
 */
export function pgliteAdapter(pglite: NonNullable<DbHandle["pglite"]>): { executeSql: (text: string, values?: unknown[]) => Promise<SqlResult> } {
  return {
    async executeSql(text, values) {
      if (values && values.length) {
        const r = await pglite.query(text, values);
        return { rows: r.rows };
      }
      const results = await pglite.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
}

export type QueueOptions = { pollingIntervalSeconds?: number };

/** A started pg-boss on the given database (its schema `pgboss` is created or migrated on start). */
export async function openQueue(handle: DbHandle, onError: (err: Error) => void): Promise<PgBoss> {
  const common = {
    schema: "pgboss",
    // Our own jobs keep little history: a day of completed jobs is plenty to debug with.
    deleteAfterDays: 1,
    archiveCompletedAfterSeconds: 3_600,
  } as const;
  const boss =
    handle.kind === "pglite"
      ? new PgBoss({ ...common, db: pgliteAdapter(handle.pglite!) as unknown as PgBoss.Db })
      : new PgBoss({ ...common, connectionString: handle.url!, max: 3, application_name: "berth-jobs" });
  boss.on("error", onError);
  await boss.start();
  return boss;
}

export type { PgBoss };
