// /api/v1: the REST adapter (trpc-to-openapi) wrapped so that every answer follows API.md —
// request id on every response, 413 before an oversized body is read, 400 for malformed JSON,
// 404 for unknown routes, and errors always as { error: { code, message, details, requestId } }.
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { env } from "@/server/env";
import { ERROR_CODES, errorCodeList, type ErrorCode } from "@/server/errors";
import { logger } from "@/server/logger";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/server/request-meta";
import { appRouter } from "../root";
import { createContextFromRequest, type Context } from "../trpc";
import { errorResponse } from "./error-response";
import { methodsFor } from "./routes";

export const REST_BASE = "/api/v1";

class BodyTooLarge extends Error {}

async function readBody(req: Request, max: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw new BodyTooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

type ErrorShape = { message?: string; data?: { code?: string; message?: string; httpStatus?: number; details?: Record<string, unknown> | null; retryAfter?: number | null } };

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && (errorCodeList as string[]).includes(code);
}

export async function handleRest(incoming: Request): Promise<Response> {
  const requestId = acceptRequestId(incoming.headers.get(REQUEST_ID_HEADER));
  try {
    const url = new URL(incoming.url);
    const path = url.pathname.slice(REST_BASE.length).replace(/\/+$/, "") || "/";
    const method = incoming.method.toUpperCase();
    const allowed = methodsFor(path);
    if (allowed.length === 0) {
      return errorResponse(requestId, "NOT_FOUND", `There is no route ${method} ${REST_BASE}${path}. The list of routes is at ${REST_BASE}/openapi.json.`);
    }
    if (!allowed.includes(method)) {
      return errorResponse(requestId, "NOT_FOUND", `${method} is not supported on ${REST_BASE}${path}; use ${allowed.join(" or ")}.`, { status: 405, headers: { Allow: allowed.join(", ") } });
    }

    const headers = new Headers(incoming.headers);
    headers.set(REQUEST_ID_HEADER, requestId);
    let body: string | undefined;
    if (method !== "GET" && method !== "HEAD" && method !== "DELETE") {
      body = await readBody(incoming, env().BERTH_MAX_BODY_BYTES);
      const type = headers.get("content-type") ?? "";
      if (body.trim() === "") {
        body = "{}";
        headers.set("content-type", "application/json");
      } else if (!type.toLowerCase().startsWith("application/json")) {
        return errorResponse(requestId, "VALIDATION_ERROR", "Send the request body as JSON with Content-Type: application/json.", { details: { contentType: type || null } });
      }
      try {
        JSON.parse(body);
      } catch (err) {
        return errorResponse(requestId, "VALIDATION_ERROR", `The request body is not valid JSON (${(err as Error).message}).`);
      }
    }
    // The client's signal carries over: a caller that goes away cancels what waits for it (a running command).
    const req = new Request(incoming.url, { method, headers, body, signal: incoming.signal });

    let context: Context | undefined;
    const res = await createOpenApiFetchHandler({
      endpoint: REST_BASE,
      router: appRouter,
      req,
      createContext: async ({ req: r }: { req: Request }) => {
        context = await createContextFromRequest(r);
        return context;
      },
      responseMeta: ({ errors }: { errors: unknown[] }) =>
        errors.length === 0 && context ? { status: context.response.status, headers: context.response.headers } : {},
      onError: ({ error, path: proc }: { error: { code: string; cause?: unknown }; path?: string }) => {
        // Errors inside a procedure are logged by the mapErrors middleware; these come from the adapter.
        if (error.code === "INTERNAL_SERVER_ERROR" && !proc) logger().error({ err: error.cause ?? error, procedure: proc, requestId }, "REST request failed");
      },
    } as Parameters<typeof createOpenApiFetchHandler>[0]);

    if (res.status < 400) {
      res.headers.set("X-Request-Id", requestId);
      res.headers.set("Cache-Control", "no-store");
      return res;
    }
    const shape = (await res.json().catch(() => ({}))) as ErrorShape;
    const code: ErrorCode = isErrorCode(shape.data?.code) ? shape.data.code : res.status === 413 ? "PAYLOAD_TOO_LARGE" : "INTERNAL";
    const message = code === "INTERNAL" ? `Something went wrong on our side. Quote request id ${requestId} when reporting it.` : (shape.data?.message ?? shape.message ?? "Request failed");
    return errorResponse(requestId, code, message, { details: shape.data?.details, retryAfter: shape.data?.retryAfter, status: shape.data?.httpStatus ?? ERROR_CODES[code].status });
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      return errorResponse(requestId, "PAYLOAD_TOO_LARGE", `The request body is larger than ${env().BERTH_MAX_BODY_BYTES} bytes.`);
    }
    logger().error({ err, requestId }, "REST adapter failed");
    return errorResponse(requestId, "INTERNAL", `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
  }
}
