// /api/v1: the REST adapter (trpc-to-openapi) wrapped so that every answer follows API.md —
// request id on every response, 413 before an oversized body is read, 400 for malformed JSON,
// 404 for unknown routes, and errors always as { error: { code, message, details, requestId } }.
// Every call to a route is counted against the caller's rate limit (server/rate-limit) before its
// body is read: 429 RATE_LIMITED with Retry-After once used up, RateLimit-* headers on every answer.
import { env } from "@/server/env";
import { ERROR_CODES, errorCodeList, type ErrorCode } from "@/server/errors";
import { logger } from "@/server/logger";
import { applyRateLimitHeaders, consumeForProcedures, rateLimitedError, type RateLimitOutcome } from "@/server/rate-limit/rate-limit";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/server/request-meta";
import { createContextFromRequest, type Context } from "../trpc";
import { errorResponse } from "./error-response";
import { openApiFetch } from "./openapi-fetch";
import { BodyTooLarge, readCappedBody } from "./plain-route";
import { methodsFor, restRoutes } from "./routes";

export const REST_BASE = "/api/v1";


type ErrorShape = { message?: string; data?: { code?: string; message?: string; httpStatus?: number; details?: Record<string, unknown> | null; retryAfter?: number | null } };

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && (errorCodeList as string[]).includes(code);
}

/** The procedure a route serves (the routes list is built once), e.g. "POST /auth/token" → "auth.token". */
function procedureAt(method: string, path: string): string | undefined {
  return restRoutes().find((r) => r.method === method && r.regex.test(path))?.procedure;
}

export async function handleRest(incoming: Request): Promise<Response> {
  // Whatever the answer (success, 4xx, 429, 500), it carries the count's RateLimit-* headers.
  const counted: { limit: RateLimitOutcome | null } = { limit: null };
  const res = await answer(incoming, counted);
  return applyRateLimitHeaders(res, counted.limit);
}

async function answer(incoming: Request, counted: { limit: RateLimitOutcome | null }): Promise<Response> {
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
    // Who calls, then the count, before the body is read: counting adds one upsert to the credential
    // check, and nothing once the budget is used up (rate-limit.ts then answers from memory).
    const context: Context = await createContextFromRequest({ headers, signal: incoming.signal });
    const procedure = procedureAt(method, path);
    const limit = await consumeForProcedures({ actor: context.actor, ip: context.meta.ip }, procedure ? [procedure] : []);
    counted.limit = limit;
    if (limit?.limited) {
      const err = rateLimitedError(limit);
      return errorResponse(requestId, err.code, err.message, { details: err.details, retryAfter: err.retryAfter });
    }
    let body: string | undefined;
    if (method !== "GET" && method !== "HEAD" && method !== "DELETE") {
      body = await readCappedBody(incoming, env().BERTH_MAX_BODY_BYTES);
      const type = headers.get("content-type") ?? "";
      if (body.trim() === "") {
        body = "{}";
        headers.set("content-type", "application/json");
      } else if (!type.toLowerCase().startsWith("application/json")) {
        return errorResponse(requestId, "VALIDATION_ERROR", "Send the request body as JSON with Content-Type: application/json.", { details: { contentType: type || null } });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (err) {
        // V8's message quotes part of the body, which may be a secret's value: say where, never what.
        const at = /position (\d+)/.exec((err as Error).message)?.[1];
        return errorResponse(requestId, "VALIDATION_ERROR", `The request body is not valid JSON${at ? ` (the problem is at character ${at})` : ""}.`);
      }
      // Every body of this API is an object: an array or a bare value would be taken as "no fields".
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return errorResponse(requestId, "VALIDATION_ERROR", "The request body must be a JSON object, e.g. {\"name\": \"…\"}.");
      }
    }
    // The client's signal carries over: a caller that goes away cancels what waits for it (a running command).
    const req = new Request(incoming.url, { method, headers, body, signal: incoming.signal });

    const res = await openApiFetch(req, REST_BASE, context);

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
