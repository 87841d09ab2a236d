// Creates a slot, runs a command in it, prints its output and deletes the slot — with the typed
// client and an API key holding slots:read, slots:write and exec — and prints the live events it saw.
//   BERTH_URL=http://localhost:3000 BERTH_API_KEY=brt_… npx tsx examples/slot-roundtrip.ts
import { berthError, createBerthClient } from "berth/client";

const url = process.env.BERTH_URL ?? "http://localhost:3000";
const apiKey = process.env.BERTH_API_KEY;
if (!apiKey) {
  console.error("Set BERTH_API_KEY to a key with the slots:read, slots:write and exec scopes (Settings → API keys).");
  process.exit(2);
}

const berth = createBerthClient({ url, apiKey });

/** Follows your live events (server-sent events) until the slot's deletion shows up, or 15 s pass. */
function followEvents(lastEventId: string | null): { started: Promise<void>; until: (type: string) => Promise<string[]> } {
  const seen: string[] = [];
  const waiting: { type: string; resolve: () => void }[] = [];
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const sub = berth.events.live.subscribe(
    { lastEventId, types: "slot.created,slot.started,command.finished,slot.deleted" },
    {
      onStarted,
      onData: ({ data }) => {
        seen.push(data.type);
        for (const w of waiting.filter((w) => w.type === data.type)) w.resolve();
      },
      onError: (err) => console.error("events:", berthError(err)?.message ?? err),
    },
  );
  return {
    started,
    until: async (type) => {
      if (!seen.includes(type)) await Promise.race([new Promise<void>((resolve) => waiting.push({ type, resolve })), new Promise((r) => setTimeout(r, 15_000))]);
      sub.unsubscribe();
      return seen;
    },
  };
}

async function main(): Promise<void> {
  // From your newest event on, so nothing that happens from here is missed.
  const latest = await berth.events.list.query({ limit: 1 });
  const events = followEvents(latest.data.at(-1)?.id ?? null);
  await events.started;
  const { slot } = await berth.slots.create.mutate({ name: `example-${Date.now().toString(36)}`, wait: true });
  console.log(`slot ${slot.id} is ${slot.status}`);
  try {
    // A slot made while your plan's running slots are all in use waits, stopped: starting it says why.
    if (slot.status !== "running") await berth.slots.start.mutate({ id: slot.id, wait: true });
    const run = await berth.slots.exec.mutate({ id: slot.id, command: "echo hello from $(hostname) && uname -s" });
    process.stdout.write(run.stdout);
    console.log(`exit code ${run.exitCode} in ${run.durationMs} ms`);
  } finally {
    await berth.slots.delete.mutate({ id: slot.id });
    console.log(`slot ${slot.id} deleted`);
  }
  console.log(`events: ${(await events.until("slot.deleted")).join(", ")}`);
}

main().catch((err: unknown) => {
  const e = berthError(err);
  console.error(e ? `${e.code}: ${e.message}` : err);
  process.exit(1);
});
