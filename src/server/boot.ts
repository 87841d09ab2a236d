// Start-up and shut-down in order: configuration, database (+ migrations), first admin; and back.
import { closeDb, initDb } from "./db";
import { env, type Env } from "./env";
import { logger } from "./logger";
import { reconcileAtBoot, startJobs, type Jobs } from "./jobs";
import { releaseProcessLease } from "./process-lease";
import { ensureAdmin } from "./services/accounts/ensure-admin";

let jobs: Jobs | undefined;

export async function boot(): Promise<{ env: Env; log: ReturnType<typeof logger> }> {
  const e = env();
  const log = logger();
  if (e.secretGenerated) log.info({ file: `${e.dataDir}/secret` }, "generated BERTH_SECRET into the data dir (set BERTH_SECRET to choose your own)");
  if (e.encryptionKeyGenerated) log.warn({ file: `${e.dataDir}/encryption-key` }, "generated BERTH_ENCRYPTION_KEY into the data dir: back this file up — stored secrets cannot be read without it");
  const started = performance.now();
  const handle = await initDb({ url: e.DATABASE_URL, dataDir: e.dataDir });
  log.info({ kind: handle.kind, ms: Math.round(performance.now() - started), ...(handle.kind === "pglite" ? { dir: e.dataDir } : {}) }, "database ready, migrations applied");
  if (e.BERTH_ADMIN_EMAIL && e.BERTH_ADMIN_PASSWORD) {
    const result = await ensureAdmin(e.BERTH_ADMIN_EMAIL, e.BERTH_ADMIN_PASSWORD);
    log.info({ email: e.BERTH_ADMIN_EMAIL, result }, "administrator from BERTH_ADMIN_EMAIL");
  }
  void reconcileAtBoot();
  const jobsStarted = performance.now();
  jobs = await startJobs(handle);
  log.info({ ms: Math.round(performance.now() - jobsStarted) }, "job queue started (reconcile, auto-stop, metrics)");
  return { env: e, log };
}

export async function shutdown(): Promise<void> {
  await jobs?.stop();
  await releaseProcessLease();
  await closeDb();
}
