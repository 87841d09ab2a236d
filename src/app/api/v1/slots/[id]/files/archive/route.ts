// GET /api/v1/slots/{id}/files/archive?path=/dir&format=tar.gz|tar — a folder as a streamed archive
// of its contents (entries "./…"; links stored as links, never followed).
import { ArchiveFormat } from "@/lib/schemas/files";
import { failureResponse, validationResponse } from "@/server/api/rest/error-response";
import { countedRoute, otherMethods } from "@/server/api/rest/plain-route";
import { requestMetaFrom } from "@/server/request-meta";
import { archiveSlotFolder } from "@/server/services/files/download-file";
import { attachment, filesRequest, responseBody, safeBodyHeaders } from "@/server/api/rest/file-routes";

export const dynamic = "force-dynamic";

export const GET = countedRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
  const meta = requestMetaFrom(req.headers);
  try {
    const r = await filesRequest(req, params, meta, "files.archive");
    if (r instanceof Response) return r;
    const format = ArchiveFormat.safeParse(r.query.get("format") ?? "tar.gz");
    if (!format.success) return validationResponse(meta.requestId, { field: "format", message: "format must be tar or tar.gz" });
    const gzip = format.data === "tar.gz";
    const stream = await archiveSlotFolder(r.ctx, { id: r.slotId, path: r.path, gzip, signal: req.signal });
    req.signal.addEventListener("abort", () => stream.destroy(), { once: true });
    const name = `${r.path.split("/").at(-1) || "home"}.${format.data}`;
    return new Response(responseBody(stream), {
      headers: { ...safeBodyHeaders(meta), "Content-Type": gzip ? "application/gzip" : "application/x-tar", "Content-Disposition": attachment(name) },
    });
  } catch (err) {
    return failureResponse(err, meta.requestId, "folder archive");
  }
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("/api/v1/slots/{id}/files/archive", ["GET", "HEAD"]);
