// One process, one port: Node http + Next's handler + a ws server (noServer) for upgrades under /ws/.
// Nothing else lives here: configuration, database and bootstrap come from src/server/boot.ts.
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import next from "next";
import { boot, shutdown } from "./src/server/boot";
import { acceptRequestId, CLIENT_IP_HEADER, REQUEST_ID_HEADER } from "./src/server/request-meta";
import { serveUpload, uploadSlotId } from "./src/server/api/rest/node-upload";
import { createTerminalBroker } from "./src/server/terminal/terminal-broker";

const dev = process.env.NODE_ENV !== "production";

async function main() {
  const { env, log } = await boot();
  const app = next({ dev, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const upgradeNext = dev ? app.getUpgradeHandler() : undefined;

  // /ws/slots/{id}/terminal goes to the terminal broker; every other /ws/ path answers 404.
  const terminals = createTerminalBroker({ log });
  const sockets = new Set<Duplex>();

  function stamp(req: IncomingMessage) {
    // The client IP and request id come from us, never from the client (unless behind a trusted proxy).
    // Behind a trusted proxy the client is the entry that proxy appended: the last one. Earlier
    // entries come from the client itself and would let anyone pick their rate-limit address.
    const forwarded = env.BERTH_TRUST_PROXY ? String(req.headers["x-forwarded-for"] ?? "").split(",").at(-1)?.trim() : "";
    req.headers[CLIENT_IP_HEADER] = forwarded || req.socket.remoteAddress || "";
    req.headers[REQUEST_ID_HEADER] = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  }

  const server = createServer((req, res) => {
    stamp(req);
    res.setHeader("X-Request-Id", req.headers[REQUEST_ID_HEADER] as string);
    // Uploads take the route's own code with the Node request as their body (node-upload.ts).
    const uploadTo = uploadSlotId(req);
    if (uploadTo !== null) return void serveUpload(req, res, uploadTo);
    void handle(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req, socket, head) => {
    stamp(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (terminals.handleUpgrade(req, socket, head)) return;
    if (path.startsWith("/ws/")) {
      socket.write("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      socket.destroy();
      return;
    }
    if (upgradeNext) return void upgradeNext(req, socket, head);
    socket.destroy();
  });

  server.listen(env.PORT, env.HOST, () => {
    log.info({ url: env.BERTH_URL, port: env.PORT, dev }, `Berth is ready on ${env.BERTH_URL}`);
  });

  let stopping = false;
  async function drain(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: no new requests, draining");
    const force = setTimeout(() => {
      log.warn("drain took longer than 10 s; closing the remaining connections");
      for (const s of sockets) s.destroy();
    }, 10_000);
    force.unref();
    // Terminal sockets close with 1001; their shells live on in tmux for the reconnect.
    await terminals.close();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    await app.close?.().catch(() => {});
    await shutdown();
    log.info("stopped");
    process.exit(0);
  }
  process.on("SIGTERM", () => void drain("SIGTERM"));
  process.on("SIGINT", () => void drain("SIGINT"));
}

main().catch((err: unknown) => {
  // Configuration and lock errors are written for people: print them as they are, without a stack.
  const known = err instanceof Error && (err.name === "ConfigError" || err.name === "DatabaseLockedError");
  console.error(known ? `\n${(err as Error).message}\n` : err);
  process.exit(1);
});
