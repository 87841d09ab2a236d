// What the plain route handlers share (those outside the tRPC adapter because they move raw bytes
// or streams: files content and archives, the exec stream, logs): the signed-in caller, and a
// request body read with a cap. Their errors go through error-response.ts like the adapter's.
// signedIn() also counts the call against the caller's rate limit (server/rate-limit), like the
// REST adapter does: 429 once used up. A handler wrapped in countedRoute() gives every answer the
// call's RateLimit-* headers (API.md: "rate-limited routes carry" them), success or failure.
import { resolveCaller } from "@/server/auth/resolve-caller";
import { applyRateLimitHeaders, consumeRateLimit, rateLimitedError, type RateLimitOutcome } from "@/server/rate-limit/rate-limit";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/server/request-meta";
import type { RequestMeta, ServiceContext } from "@/server/services/context";
import { PLAIN_ROUTE_SCOPES, assertScope } from "../scopes";
import { errorResponse, failureResponse } from "./error-response";

/** A plain route's caller: the service context, and this call's rate-limit count for the answer's headers. */
export type PlainRouteContext = ServiceContext & { rateLimit: RateLimitOutcome | null };

/**
 * The caller as a service context (the call counted against their rate limit), or the answer to
 * give instead: 429 (budget used up), 401 (not signed in; counted per IP) or 403 (a key without the
 * route's scope), each with the RateLimit-* headers; countedRoute() puts them on the rest.
 */
export async function signedIn(req: Request, meta: RequestMeta, route: keyof typeof PLAIN_ROUTE_SCOPES): Promise<PlainRouteContext | Response> {
  const caller = await resolveCaller(req.headers);
  const limit = await consumeRateLimit({ actor: caller.actor, ip: meta.ip, auth: false });
  if (limit) counted.set(req, limit);
  if (limit?.limited) {
    const err = rateLimitedError(limit);
    return applyRateLimitHeaders(errorResponse(meta.requestId, err.code, err.message, { details: err.details, retryAfter: err.retryAfter }), limit);
  }
  if (!caller.actor) {
    return applyRateLimitHeaders(
      errorResponse(
        meta.requestId,
        "UNAUTHORIZED",
        caller.invalidBearer ? "The bearer token or API key is invalid, expired or revoked." : "Sign in, or send Authorization: Bearer <token>.",
      ),
      limit,
    );
  }
  try {
    assertScope(caller.actor, PLAIN_ROUTE_SCOPES[route], route);
  } catch (err) {
    return applyRateLimitHeaders(failureResponse(err, meta.requestId, route), limit);
  }
  return { actor: caller.actor, meta, rateLimit: limit };
}

/** Each request's count, as signedIn() made it (gone with the request). */
const counted = new WeakMap<Request, RateLimitOutcome>();

/**
 * A plain route's handler whose every answer carries the RateLimit-* headers of the count signedIn()
 * made for that request: the success, and any refusal or failure after it.
 */
export function countedRoute<A extends unknown[]>(handler: (req: Request, ...rest: A) => Promise<Response>): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => applyRateLimitHeaders(await handler(req, ...rest), counted.get(req));
}

export class BodyTooLarge extends Error {}

/** The whole body, refused (BodyTooLarge) as soon as it is known to pass `max` bytes: before reading when declared. */
export async function readCappedBody(req: Request, max: number): Promise<string> {
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

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

/**
 * Handlers for the methods a plain route does not serve, answering 405 like the REST adapter does
 * (with Allow, in API.md's error shape) instead of Next's empty 405:
 * `export const { PUT, PATCH, DELETE } = otherMethods("/api/v1/…", ["GET", "HEAD", "POST"]);`
 */
export function otherMethods(path: string, allowed: readonly Method[]): Record<Method, (req: Request) => Response> {
  const answer = (req: Request) =>
    errorResponse(acceptRequestId(req.headers.get(REQUEST_ID_HEADER)), "NOT_FOUND", `${req.method} is not supported on ${path}; use ${allowed.join(" or ")}.`, {
      status: 405,
      headers: { Allow: allowed.join(", ") },
    });
  return Object.fromEntries(METHODS.map((m) => [m, answer])) as Record<Method, (req: Request) => Response>;
}
