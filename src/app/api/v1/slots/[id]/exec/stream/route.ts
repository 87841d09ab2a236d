// POST /api/v1/slots/{id}/exec/stream — runs a command and streams its output as NDJSON lines:
// {"type":"stdout"|"stderr","data":"…"} as it comes, then {"type":"exit",…}. Closing the response cancels it.
import { ExecInput, type ExecStreamEvent } from "@/lib/schemas/exec";
import { errorResponse } from "@/server/api/rest/error-response";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { requestMetaFrom } from "@/server/request-meta";
import { startSlotExec, type StartedExec } from "@/server/services/slots/exec";

export const dynamic = "force-dynamic";

const StreamInput = ExecInput.omit({ async: true });
/** Lines queued for a slow reader before the command is held back (its pipe fills and it waits). */
const QUEUED_LINES = 32;

async function readJson(req: Request, max: number): Promise<{ ok: true; value: unknown } | { ok: false; code: "PAYLOAD_TOO_LARGE" | "VALIDATION_ERROR"; message: string }> {
  const tooLarge = { ok: false, code: "PAYLOAD_TOO_LARGE", message: `The request body is larger than ${max} bytes.` } as const;
  if (Number(req.headers.get("content-length") ?? "0") > max) return tooLarge;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        return tooLarge;
      }
      chunks.push(value);
    }
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") };
  } catch {
    return { ok: false, code: "VALIDATION_ERROR", message: "The request body is not valid JSON." };
  }
}

export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const meta = requestMetaFrom(req.headers);
  try {
    const { id } = await params;
    const caller = await resolveCaller(req.headers);
    if (!caller.actor) return errorResponse(meta.requestId, "UNAUTHORIZED", "Sign in, or send Authorization: Bearer <token>.");
    const body = await readJson(req, env().BERTH_MAX_BODY_BYTES);
    if (!body.ok) return errorResponse(meta.requestId, body.code, body.message);
    const input = StreamInput.safeParse({ ...(body.value as object), id });
    if (!input.success) {
      const fields = Object.fromEntries(input.error.issues.map((i) => [i.path.join(".") || "_", [i.message]]));
      return errorResponse(meta.requestId, "VALIDATION_ERROR", `Invalid input — ${input.error.issues[0]?.message}`, { details: { fields } });
    }

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

    const exec = await startSlotExec({ actor: caller.actor, meta }, input.data, {
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
      send({ type: "exit", id: r.id, exitCode: r.exitCode, timedOut: r.timedOut, status: r.status, durationMs: r.durationMs, truncated: r.truncated });
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
    if (err instanceof BerthError) return errorResponse(meta.requestId, err.code, err.message, { details: err.details });
    logger().error({ err, requestId: meta.requestId }, "exec stream failed");
    return errorResponse(meta.requestId, "INTERNAL", `Something went wrong on our side. Quote request id ${meta.requestId} when reporting it.`);
  }
}
