// The REST error body of API.md, built in one place.
import { ERROR_CODES, type ErrorCode } from "@/server/errors";
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

export { REQUEST_ID_HEADER };
