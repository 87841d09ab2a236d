// `npm start`: build once if there is no production build yet, then serve it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
if (!existsSync(".next/BUILD_ID")) {
  console.log("berth: no production build yet; building once (about two minutes)…");
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const serve = spawnSync("npx", ["tsx", "server.ts"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
process.exit(serve.status ?? 1);
