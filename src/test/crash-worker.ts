// A Berth process for the crash test (src/server/services/slots/crash.int.test.ts), run as a child
// with `node --import tsx`, configured like the server through the environment (DATABASE_URL, …):
//   create <count> <templateId>   opens the database as server.ts does and issues <count> concurrent
//                                 slot creates through the real tRPC procedure (createSlot, then the
//                                 provision action in the background, as POST /api/v1/slots does), as
//                                 the user in CRASH_ACTOR (JSON {id,email,role}); then waits to be killed.
//   boot                          runs Berth's boot path (boot(): database, migrations, the boot pass
//                                 of the reconciler, the job queue) and stays up like the server until
//                                 SIGTERM, then shuts down as server.ts does. The test reads the
//                                 reconciler's own log line to know when the boot pass is over.
//   terminal                      opens the database and serves the terminal broker alone on a free
//                                 port of 127.0.0.1 (said as {"port": n}), until it is killed: the
//                                 terminal crash test (src/server/terminal/terminal-crash.int.test.ts).
// Lines on stdout that start with CRASH_WORKER_TAG are for the test; anything else is Berth's log.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createCaller } from "@/server/api/root";
import { createInnerContext } from "@/server/api/trpc";
import { boot, shutdown } from "@/server/boot";
import { initDb } from "@/server/db";
import { env } from "@/server/env";
import type { Actor } from "@/server/services/context";

export const CRASH_WORKER_TAG = "crash-worker ";

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${CRASH_WORKER_TAG}${JSON.stringify(message)}\n`);
}

async function createMany(count: number, templateId: string): Promise<void> {
  const actor = JSON.parse(process.env.CRASH_ACTOR ?? "null") as Actor | null;
  if (!actor) throw new Error("CRASH_ACTOR is not set");
  // If the test dies without killing us, its end of our stdin closes: do not outlive it.
  process.stdin.on("end", () => process.exit(1)).resume();
  // No reconcile loop here: on an empty database its boot pass has nothing to do, and it would race
  // the creates below for their fresh `creating` rows (the server listens only after boot anyway).
  await initDb({ url: env().DATABASE_URL, dataDir: env().dataDir });
  say({ ready: true });
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => {
      // One context per request, as each HTTP request gets its own.
      const caller = createCaller(createInnerContext({ actor, meta: { requestId: `req_crash_${i}` } }));
      return caller.slots.create({ name: `crash-${i}`, templateId }).then(({ slot }) => say({ created: slot.id }));
    }),
  );
  const failed = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
  say({ requested: count, failed });
  // Stay up, like a server, until the test kills us (see above for when the test itself dies).
}

async function bootLikeServer(): Promise<void> {
  process.stdin.on("end", () => process.exit(1)).resume();
  const started = performance.now();
  await boot();
  say({ booted: true, ms: Math.round(performance.now() - started) });
  process.once("SIGTERM", () => {
    void shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

async function serveTerminals(): Promise<void> {
  process.stdin.on("end", () => process.exit(1)).resume();
  await initDb({ url: env().DATABASE_URL, dataDir: env().dataDir });
  const { createTerminalBroker } = await import("@/server/terminal/terminal-broker");
  const broker = createTerminalBroker({ berthOrigin: "http://berth.test" });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (!broker.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  say({ port: (server.address() as AddressInfo).port, pid: process.pid });
}

// Run only as a program: the test imports this module for CRASH_WORKER_TAG alone.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, ...args] = process.argv.slice(2);
  const main = mode === "create" ? createMany(Number(args[0] ?? 20), args[1] ?? "") : mode === "boot" ? bootLikeServer() : mode === "terminal" ? serveTerminals() : Promise.reject(new Error(`unknown mode ${mode}`));
  main.catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
