// Serves the production build for the e2e suite, on an empty embedded database each run.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const dataDir = process.env.BERTH_DATA_DIR ?? ".data-e2e";
if (!existsSync(".next/BUILD_ID")) {
  console.error("e2e: no production build; run `npm run build` first (npm test does).");
  process.exit(1);
}
removeLeftovers(path.resolve(dataDir));
rmSync(dataDir, { recursive: true, force: true });
const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production", BERTH_DATA_DIR: dataDir } });
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
// The run's last slots stay mounted otherwise, and a checkout holding them cannot be removed (EBUSY).
child.on("exit", (code) => {
  removeLeftovers(path.resolve(dataDir));
  process.exit(code ?? 0);
});

/**
 * A run that was cut short leaves slots behind: their containers, and their homes mounted under the
 * data dir (a loop-mounted disk image each), which would make the data dir impossible to remove.
 */
function removeLeftovers(dir) {
  if (!existsSync("/proc/mounts")) return;
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([source, target]) => source && target && (source.startsWith(`${dir}/`) || target.startsWith(`${dir}/`)));
  const run = (cmd, args) => {
    try {
      execFileSync(cmd, args, { stdio: "ignore" });
    } catch {
      // Already gone.
    }
  };
  for (const [, target] of mounts) {
    const slotId = path.basename(target).replace(/\.ext4$/, "");
    if (target.startsWith(`${dir}/`) && slotId.startsWith("slt_")) {
      run("docker", ["rm", "-f", `berth-${slotId}`]);
      run("docker", ["volume", "rm", "-f", `berth-home-${slotId}`]);
    }
  }
  for (const [, target] of mounts.reverse()) run("umount", ["-l", target]);
}
