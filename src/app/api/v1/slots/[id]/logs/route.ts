// GET /api/v1/slots/{id}/logs?tail=N&follow=true — raw text; with follow, a stream that stays open.
import { Readable } from "node:stream";
import { z } from "zod";
import { failureResponse, validationResponse } from "@/server/api/rest/error-response";
import { countedRoute, otherMethods, signedIn } from "@/server/api/rest/plain-route";
import { requestMetaFrom } from "@/server/request-meta";
import { openSlotLogs } from "@/server/services/slots/slot-logs";

export const dynamic = "force-dynamic";

const Query = z.object({
  tail: z.coerce.number({ error: "tail must be a number" }).int().min(0, "tail must be 0 or more").max(10_000, "tail must be at most 10000").default(200),
  follow: z.enum(["true", "false", "1", "0"], { error: "follow must be true or false" }).default("false").transform((v) => v === "true" || v === "1"),
});

/**
 * Next sends the status and headers with the first chunk; a followed slot that prints nothing would
 * leave the client waiting for headers. An empty first chunk sends them at once.
 */
function withHeadersFirst(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(0));
    },
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export const GET = countedRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
  const meta = requestMetaFrom(req.headers);
  try {
    const { id } = await params;
    const query = Query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!query.success) return validationResponse(meta.requestId, query.error);
    const ctx = await signedIn(req, meta, "slots.logs");
    if (ctx instanceof Response) return ctx;
    const stream = await openSlotLogs(ctx, id, query.data);
    req.signal.addEventListener("abort", () => stream.destroy());
    return new Response(withHeadersFirst(Readable.toWeb(stream) as ReadableStream<Uint8Array>), {
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Request-Id": meta.requestId, "X-Content-Type-Options": "nosniff" },
    });
  } catch (err) {
    return failureResponse(err, meta.requestId, "slot logs");
  }
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("/api/v1/slots/{id}/logs", ["GET", "HEAD"]);
