// GET (and HEAD) /api/v1/slots/{id}/files/content?path=/f — a file's bytes, with Range (206/416).
// PUT /api/v1/slots/{id}/files/content?path=/f — the raw body becomes the file (201 { path, size }).
// Both stream: nothing is held in memory beyond a few chunks, whatever the file's size.
import { errorResponse, failureResponse } from "@/server/api/rest/error-response";
import { countedRoute, otherMethods } from "@/server/api/rest/plain-route";
import { requestMetaFrom } from "@/server/request-meta";
import { chooseRange } from "@/server/services/files/byte-ranges";
import { openSlotFile } from "@/server/services/files/download-file";
import { attachment, filesRequest, putFileContent, requestBody, responseBody, safeBodyHeaders } from "@/server/api/rest/file-routes";

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

// server.ts serves this route itself with the Node request as the body (no web-stream copy of each
// chunk): the same putFileContent, so the two cannot differ.
export const PUT = countedRoute((req: Request, { params }: { params: Promise<{ id: string }> }) => putFileContent(req, params, requestBody(req.body)));

export const { POST, PATCH, DELETE } = otherMethods("/api/v1/slots/{id}/files/content", ["GET", "HEAD", "PUT"]);
