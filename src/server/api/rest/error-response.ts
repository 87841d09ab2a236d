// The REST error body of API.md, built in one place: for the tRPC adapter and for the plain route
// handlers (raw bytes and streams) alike.
import type { ZodError } from "zod";
import { BerthError, ERROR_CODES, type ErrorCode } from "@/server/errors";
import { logger } from "@/server/logger";
import { REQUEST_ID_HEADER } from "@/server/request-meta";

export function errorResponse(
  requestId: string,
  code: ErrorCode,
  message: string,
  opts: { details?: Record<string, unknown> | null; retryAfter?: number | null; status?: number; headers?: Record<string, string> } = {},
): Response {
  const headers = new Headers(opts.headers);
  headers.set("Content-Type", "application/json");
  headers.set("X-Request-Id", requestId);
  headers.set("Cache-Control", "no-store");
  if (opts.retryAfter) headers.set("Retry-After", String(opts.retryAfter));
  const error = { code, message, ...(opts.details ? { details: opts.details } : {}), requestId };
  return new Response(JSON.stringify({ error }), { status: opts.status ?? ERROR_CODES[code].status, headers });
}

/** A zod failure as API.md's VALIDATION_ERROR: every field's messages, and a one-line summary. */
export function validationError(err: ZodError): { message: string; details: { fields: Record<string, string[]> } } {
  const fields: Record<string, string[]> = {};
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (fields[key] ??= []).push(issue.message);
  }
  const summary = Object.entries(fields)
    .map(([k, v]) => (k === "_" ? v[0] : `${k}: ${v[0]}`))
    .join("; ");
  return { message: `Invalid input — ${summary}`, details: { fields } };
}

/** 400 for bad input: a zod failure, or one field and what is wrong with it. */
export function validationResponse(requestId: string, err: ZodError | { field: string; message: string }): Response {
  if ("issues" in err) {
    const { message, details } = validationError(err);
    return errorResponse(requestId, "VALIDATION_ERROR", message, { details });
  }
  return errorResponse(requestId, "VALIDATION_ERROR", `Invalid input — ${err.field}: ${err.message}`, { details: { fields: { [err.field]: [err.message] } } });
}

/** Anything a plain route handler caught: a BerthError as itself, the rest logged and INTERNAL. */
export function failureResponse(err: unknown, requestId: string, what: string): Response {
  if (err instanceof BerthError) return errorResponse(requestId, err.code, err.message, { details: err.details, retryAfter: err.retryAfter });
  logger().error({ err, requestId }, `${what} failed`);
  return errorResponse(requestId, "INTERNAL", `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
}

export { REQUEST_ID_HEADER };
