// Creates a slot, runs a command in it, prints its output and deletes the slot — with the typed
// client and an API key holding slots:read, slots:write and exec.
//   BERTH_URL=http://localhost:3000 BERTH_API_KEY=brt_… npx tsx examples/slot-roundtrip.ts
import { berthError, createBerthClient } from "berth/client";

const url = process.env.BERTH_URL ?? "http://localhost:3000";
const apiKey = process.env.BERTH_API_KEY;
if (!apiKey) {
  console.error("Set BERTH_API_KEY to a key with the slots:read, slots:write and exec scopes (Settings → API keys).");
  process.exit(2);
}

const berth = createBerthClient({ url, apiKey });

async function main(): Promise<void> {
  const { slot } = await berth.slots.create.mutate({ name: `example-${Date.now().toString(36)}`, wait: true });
  console.log(`slot ${slot.id} is ${slot.status}`);
  try {
    const run = await berth.slots.exec.mutate({ id: slot.id, command: "echo hello from $(hostname) && uname -s" });
    process.stdout.write(run.stdout);
    console.log(`exit code ${run.exitCode} in ${run.durationMs} ms`);
  } finally {
    await berth.slots.delete.mutate({ id: slot.id });
    console.log(`slot ${slot.id} deleted`);
  }
}

main().catch((err: unknown) => {
  const e = berthError(err);
  console.error(e ? `${e.code}: ${e.message}` : err);
  process.exit(1);
});
