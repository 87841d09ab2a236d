// GET (and HEAD) /api/v1/slots/{id}/files/content?path=/f — a file's bytes, with Range (206/416).
// PUT /api/v1/slots/{id}/files/content?path=/f — the raw body becomes the file (201 { path, size }).
// Both stream: nothing is held in memory beyond a few chunks, whatever the file's size.
import { errorResponse, failureResponse } from "@/server/api/rest/error-response";
import { countedRoute, otherMethods } from "@/server/api/rest/plain-route";
import { requestMetaFrom } from "@/server/request-meta";
import { chooseRange } from "@/server/services/files/byte-ranges";
import { openSlotFile } from "@/server/services/files/download-file";
import { uploadSlotFile } from "@/server/services/files/upload-file";
import { attachment, filesRequest, requestBody, responseBody, safeBodyHeaders } from "../files-route";

export const dynamic = "force-dynamic";

/** Types a browser may be told; anything else is application/octet-stream (never text/html or SVG). */
const TYPES: Record<string, string> = {
  txt: "text/plain; charset=utf-8",
  md: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
};

function contentType(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}

async function download(req: Request, params: Promise<{ id: string }>, withBody: boolean): Promise<Response> {
  const meta = requestMetaFrom(req.headers);
  try {
    const r = await filesRequest(req, params, meta, "files.download");
    if (r instanceof Response) return r;
    const file = await openSlotFile(r.ctx, { id: r.slotId, path: r.path, signal: req.signal });
    const name = r.path.split("/").at(-1) ?? "download";
    const headers: Record<string, string> = {
      ...safeBodyHeaders(meta),
      "Content-Type": contentType(name),
      "Content-Disposition": attachment(name),
      "Accept-Ranges": "bytes",
      "Last-Modified": file.modifiedAt.toUTCString(),
    };
    const range = chooseRange(req.headers.get("range"), file.size);
    if (range.kind === "unsatisfiable") {
      file.close();
      return errorResponse(meta.requestId, "VALIDATION_ERROR", `The requested range is outside the file (${file.size} bytes).`, {
        status: 416,
        headers: { "Content-Range": `bytes */${file.size}` },
      });
    }
    const { start, length } = range.kind === "partial" ? range : { start: 0, length: file.size };
    headers["Content-Length"] = String(length);
    if (range.kind === "partial") headers["Content-Range"] = `bytes ${start}-${start + length - 1}/${file.size}`;
    const status = range.kind === "partial" ? 206 : 200;
    if (!withBody) {
      file.close();
      return new Response(null, { status, headers });
    }
    const stream = file.read({ start, length });
    req.signal.addEventListener("abort", () => stream.destroy(), { once: true });
    return new Response(responseBody(stream), { status, headers });
  } catch (err) {
    return failureResponse(err, meta.requestId, "file download");
  }
}

export const GET = countedRoute((req: Request, { params }: { params: Promise<{ id: string }> }) => download(req, params, true));

export const HEAD = countedRoute((req: Request, { params }: { params: Promise<{ id: string }> }) => download(req, params, false));

export const PUT = countedRoute(upload);

async function upload(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
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
    const body = requestBody(req.body);
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

export const { POST, PATCH, DELETE } = otherMethods("/api/v1/slots/{id}/files/content", ["GET", "HEAD", "PUT"]);
