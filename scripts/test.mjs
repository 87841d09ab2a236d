// `npm test`: typecheck, lint, unit, images, integration, build, e2e — in that order, each one counted.
// Every step runs (a failure does not hide the others), the e2e step needs the build, and the
// exit code is non-zero when anything failed.
import { spawnSync } from "node:child_process";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const only = process.argv.slice(2);
const steps = [
  ["typecheck", "npx", ["tsc", "--noEmit"]],
  ["lint", "npx", ["eslint", "--max-warnings=0", "."]],
  ["unit", "npx", ["vitest", "run", "--project", "unit"]],
  // Slots run real containers: the workspace images must exist (idempotent; skips when built).
  ["images", "npx", ["tsx", "scripts/build-images.ts"]],
  ["integration", "npx", ["vitest", "run", "--project", "integration"]],
  ["build", "npx", ["next", "build"]],
  ["e2e", "npx", ["playwright", "test"]],
].filter(([name]) => only.length === 0 || only.includes(name));

const results = [];
for (const [name, cmd, args] of steps) {
  const needs = { e2e: ["build", "images"], integration: ["images"] }[name] ?? [];
  const missing = needs.filter((n) => results.some((r) => r.name === n && !r.ok));
  if (missing.length) {
    results.push({ name, ok: false, seconds: 0, note: `not run: ${missing.join(" and ")} failed` });
    continue;
  }
  console.log(`\n━━ ${name}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(cmd, args, { stdio: "inherit" });
  results.push({ name, ok: run.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}

console.log("\n━━ summary");
for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"}  ${r.name.padEnd(12)} ${r.seconds}s${r.note ? `  (${r.note})` : ""}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
