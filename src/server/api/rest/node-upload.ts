// server.ts serves PUT /api/v1/slots/{id}/files/content itself, before Next: Next hands a route
// handler the body as a web stream that copies every chunk (`new Uint8Array(chunk)`), and that copy
// plus the stream machinery around it was a good part of an upload's CPU on the slot's own disk
// (bench/files.ts). Here the route's own putFileContent runs with the Node request as the body, so
// authentication, rate limits, limits, audit and every answer are the route's; only the bytes take
// the shorter way. (The terminal WebSocket is served from server.ts the same way.)
import type { IncomingMessage, ServerResponse } from "node:http";
import { putFileContent } from "./file-routes";
import { REQUEST_ID_HEADER } from "@/server/request-meta";
import { failureResponse } from "./error-response";
import { countedRoute } from "./plain-route";

const UPLOAD_PATH = /^\/api\/v1\/slots\/([^/?#]+)\/files\/content(?:\?|$)/;

const put = countedRoute((req: Request, params: Promise<{ id: string }>, body: AsyncIterable<Uint8Array>) => putFileContent(req, params, body));

/** The slot id when this request is an upload server.ts serves itself, else null (Next serves it). */
export function uploadSlotId(req: IncomingMessage): string | null {
  if (req.method !== "PUT") return null;
  const match = UPLOAD_PATH.exec(req.url ?? "");
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null; // a malformed escape: Next answers it as it would
  }
}

export async function serveUpload(req: IncomingMessage, res: ServerResponse, slotId: string): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const aborted = new AbortController();
  // The client went away before the answer: the upload stops (and keeps nothing).
  res.once("close", () => {
    if (!res.writableFinished) aborted.abort();
  });
  let answer: Response;
  try {
    // Only the path and query are read from the URL; the Host header is the client's and not needed.
    const request = new Request(`http://berth.internal${req.url ?? "/"}`, { method: "PUT", headers, signal: aborted.signal });
    answer = await put(request, Promise.resolve({ id: slotId }), req);
  } catch (err) {
    answer = failureResponse(err, String(req.headers[REQUEST_ID_HEADER] ?? ""), "file upload");
  }
  const text = await answer.text();
  if (res.headersSent || res.destroyed) return;
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => (out[name] = value));
  out["content-length"] = String(Buffer.byteLength(text));
  // What is left of a refused upload's body Node reads and drops once the answer is out, as it
  // does for Next's routes: closing instead would reset the connection under a client still
  // sending, which may then never read the answer.
  res.writeHead(answer.status, out);
  res.end(text);
}
