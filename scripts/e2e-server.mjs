// Serves the production build for the e2e suite, on an empty embedded database each run.
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";

const dataDir = process.env.BERTH_DATA_DIR ?? ".data-e2e";
if (!existsSync(".next/BUILD_ID")) {
  console.error("e2e: no production build; run `npm run build` first (npm test does).");
  process.exit(1);
}
rmSync(dataDir, { recursive: true, force: true });
const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production", BERTH_DATA_DIR: dataDir } });
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
