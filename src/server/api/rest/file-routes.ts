// What the raw-byte file routes (content, archive) share: the caller and the path query, the
// headers every file body carries, and the bodies themselves moved without extra copies; and the
// upload itself (putFileContent), which both the route and server.ts (node-upload.ts) run.
import type { Readable } from "node:stream";
import { parseSlotPath } from "@/lib/schemas/files";
import { errorResponse, failureResponse, validationResponse } from "./error-response";
import { signedIn } from "./plain-route";
import { requestMetaFrom } from "@/server/request-meta";
import type { RequestMeta, ServiceContext } from "@/server/services/context";
import { uploadSlotFile } from "@/server/services/files/upload-file";

export type FilesRequest = { ctx: ServiceContext; slotId: string; path: string; query: URLSearchParams };

/** The signed-in caller and the checked path, or the error response to send instead. */
export async function filesRequest(req: Request, params: Promise<{ id: string }>, meta: RequestMeta, route: "files.download" | "files.archive" | "files.upload"): Promise<FilesRequest | Response> {
  const { id } = await params;
  const query = new URL(req.url).searchParams;
  const ctx = await signedIn(req, meta, route);
  if (ctx instanceof Response) return ctx;
  const raw = query.get("path");
  if (raw === null) return validationResponse(meta.requestId, { field: "path", message: "path is required" });
  const parsed = parseSlotPath(raw);
  if (!parsed.ok) return validationResponse(meta.requestId, { field: "path", message: parsed.message });
  return { ctx, slotId: id, path: parsed.path, query };
}

/** attachment always: a file from a slot must never render as a page of Berth's own origin. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_") || "download";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Headers every file body carries: no sniffing, no scripts, no caching of someone's files. */
export function safeBodyHeaders(meta: RequestMeta): Record<string, string> {
  return {
    "X-Request-Id": meta.requestId,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "no-store",
  };
}

/** Bytes a Response body holds for a slow client before the stream under it is paused. */
const RESPONSE_BUFFER_BYTES = 256 * 1024;

/**
 * A Node byte stream as a Response body. Readable.toWeb copies every chunk it passes on (to detach
 * it from Node's buffer pool): an allocation and a copy per ~32 KiB that the garbage collector then
 * chases. These chunks are the engine connection's own buffers and are handed on as they are.
 * Paused while the body holds RESPONSE_BUFFER_BYTES; cancelling (the client went away) destroys it.
 */
export function responseBody(stream: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream.on("data", (chunk: Buffer) => {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) stream.pause();
        });
        stream.once("end", () => controller.close());
        stream.once("error", (err) => controller.error(err));
        stream.once("close", () => {
          if (!stream.readableEnded) controller.error(new Error("the stream closed before its end"));
        });
      },
      pull() {
        stream.resume();
      },
      cancel() {
        stream.destroy();
      },
    },
    { highWaterMark: RESPONSE_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
}

/** A request body chunk by chunk, read straight off its web stream (Readable.fromWeb adds a Node stream in between). */
export async function* requestBody(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Left early (too long, cancelled, the slot gave up): the rest is not wanted.
    if (!done) await reader.cancel().catch(() => {});
  }
}

/**
 * PUT …/files/content: the body becomes the file (201 { path, size }). `body` is the request's bytes
 * as they come: the route gives its web stream; server.ts, which serves this route itself, the Node
 * request (each chunk as the socket read it, with no copy).
 */
export async function putFileContent(req: Request, params: Promise<{ id: string }>, body: AsyncIterable<Uint8Array>): Promise<Response> {
  const meta = requestMetaFrom(req.headers);
  try {
    const r = await filesRequest(req, params, meta, "files.upload");
    if (r instanceof Response) return r;
    // The size must be known up front: limits are checked before a byte is written, and the slot
    // side checks that exactly this many arrived before the file replaces anything.
    const length = req.headers.get("content-length");
    if (length === null || !/^\d{1,16}$/.test(length)) {
      return errorResponse(meta.requestId, "VALIDATION_ERROR", "Send the file with a Content-Length header (chunked uploads are not accepted).", { status: 411 });
    }
    const uploaded = await uploadSlotFile(r.ctx, { id: r.slotId, path: r.path, size: Number(length), body, signal: req.signal });
    return new Response(JSON.stringify(uploaded), {
      status: 201,
      headers: {
        "Content-Type": "application/json",
        "X-Request-Id": meta.requestId,
        "Cache-Control": "no-store",
        Location: `/api/v1/slots/${encodeURIComponent(r.slotId)}/files/content?path=${encodeURIComponent(uploaded.path)}`,
      },
    });
  } catch (err) {
    return failureResponse(err, meta.requestId, "file upload");
  }
}
