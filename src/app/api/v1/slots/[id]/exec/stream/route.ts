// POST /api/v1/slots/{id}/exec/stream — runs a command and streams its output as NDJSON lines:
// {"type":"stdout"|"stderr","data":"…"} as it comes, then {"type":"exit",…}. Closing the response cancels it.
import { ExecInput, type ExecStreamEvent } from "@/lib/schemas/exec";
import { errorResponse, failureResponse, validationResponse } from "@/server/api/rest/error-response";
import { BodyTooLarge, countedRoute, otherMethods, readCappedBody, signedIn } from "@/server/api/rest/plain-route";
import { env } from "@/server/env";
import { requestMetaFrom } from "@/server/request-meta";
import { startSlotExec, type StartedExec } from "@/server/services/slots/exec";

export const dynamic = "force-dynamic";

const StreamInput = ExecInput.omit({ async: true });
/** Lines queued for a slow reader before the command is held back (its pipe fills and it waits). */
const QUEUED_LINES = 32;

export const POST = countedRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
  const meta = requestMetaFrom(req.headers);
  try {
    const { id } = await params;
    const ctx = await signedIn(req, meta, "exec.stream");
    if (ctx instanceof Response) return ctx;
    let body: unknown;
    try {
      body = JSON.parse((await readCappedBody(req, env().BERTH_MAX_BODY_BYTES)) || "{}");
    } catch (err) {
      if (err instanceof BodyTooLarge) return errorResponse(meta.requestId, "PAYLOAD_TOO_LARGE", `The request body is larger than ${env().BERTH_MAX_BODY_BYTES} bytes.`);
      return errorResponse(meta.requestId, "VALIDATION_ERROR", "The request body is not valid JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return errorResponse(meta.requestId, "VALIDATION_ERROR", "The request body must be a JSON object, e.g. {\"command\": \"ls -la\"}.");
    const input = StreamInput.safeParse({ ...body, id });
    if (!input.success) return validationResponse(meta.requestId, input.error);

    const encoder = new TextEncoder();
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    let closed = false;
    let wake: (() => void) | null = null;
    const current: { exec?: StartedExec } = {};
    const wakeUp = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const stop = () => {
      if (closed) return;
      closed = true;
      wakeUp();
      current.exec?.cancel();
    };
    const send = (event: ExecStreamEvent) => {
      if (!closed) controller?.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
    };
    const stream = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c;
          // Next sends the status and headers with the first chunk: send them now, not with the first output.
          c.enqueue(new Uint8Array(0));
        },
        pull: wakeUp,
        cancel: stop,
      },
      new CountQueuingStrategy({ highWaterMark: QUEUED_LINES }),
    );
    req.signal.addEventListener("abort", stop, { once: true });

    const exec = await startSlotExec(ctx, input.data, {
      onOutput: async (type, data) => {
        if (closed) throw new Error("the client closed the stream");
        send({ type, data });
        if ((controller?.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (wake = resolve));
        if (closed) throw new Error("the client closed the stream");
      },
    });
    current.exec = exec;
    if (closed) exec.cancel(); // the client left while the command was starting
    void exec.done.then((r) => {
      // A command that failed to start at all: its record's stderr says why in plain words.
      const error = r.status === "failed" && !r.stdout ? r.stderr || undefined : undefined;
      send({ type: "exit", id: r.id, exitCode: r.exitCode, timedOut: r.timedOut, status: r.status, durationMs: r.durationMs, truncated: r.truncated, ...(error ? { error } : {}) });
      if (!closed) {
        closed = true;
        controller?.close();
      }
    });
    return new Response(stream, {
      headers: {
        "Content-Type": "application/x-ndjson; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Request-Id": meta.requestId,
        "X-Berth-Exec-Id": exec.record.id,
        Location: `/api/v1/slots/${id}/execs/${exec.record.id}`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (err) {
    return failureResponse(err, meta.requestId, "exec stream");
  }
});

export const { GET, HEAD, PUT, PATCH, DELETE } = otherMethods("/api/v1/slots/{id}/exec/stream", ["POST"]);
