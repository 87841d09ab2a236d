// Adds lockfile entries for optional platform binaries that the package registry reachable here
// does not serve (macOS/Windows/Android builds of Next's SWC and Tailwind's oxide). npm records
// no entry for a package it cannot fetch, and `npm ci` then refuses the lockfile as out of sync.
// Each stub names only version, os and cpu, so npm skips it on a non-matching machine and, on a
// matching one, resolves it from the registry by version. Run after `npm install` changes the lock.
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = "package-lock.json";
const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const os = ["android", "darwin", "freebsd", "linux", "win32", "openbsd", "sunos", "aix"].find((o) => name.includes(`-${o}-`));
  const cpu = ["arm64", "x64", "ia32", "arm", "wasm32", "ppc64", "s390x", "riscv64", "loong64"].find((c) => new RegExp(`-${c}(-|$)`).test(name));
  const libc = /-(gnu|gnueabihf)$/.test(name) ? "glibc" : /-musl/.test(name) ? "musl" : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const parentDir = path === "" ? "" : `${path}/`;
    if (packages[`${parentDir}node_modules/${dep}`] || packages[`node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue; // not a platform binary: leave it for npm to resolve
    packages[`node_modules/${dep}`] = {
      version,
      optional: true,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(os ? { os: [os] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
writeFileSync(LOCK, JSON.stringify(lock, null, 2) + "\n");
console.log(`lockfile: ${added} platform stub(s) added`);
