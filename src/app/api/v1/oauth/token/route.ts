// POST /api/v1/oauth/token — OAuth2 client credentials (RFC 6749 §4.4). Takes the form encoding
// the RFC specifies, and JSON; the client authenticates with HTTP Basic or client_id/client_secret
// in the body. Answers and errors in the RFC's own shape (§5.1, §5.2), not API.md's, because OAuth
// client libraries read exactly those; every answer still carries X-Request-Id.
import { BodyTooLarge, otherMethods, readCappedBody } from "@/server/api/rest/plain-route";
import { logger } from "@/server/logger";
import { consumeRateLimit, type RateLimitOutcome } from "@/server/rate-limit/rate-limit";
import { requestMetaFrom } from "@/server/request-meta";
import { issueClientToken, OAuthError } from "@/server/services/oauth/oauth-clients";

export const dynamic = "force-dynamic";

const MAX_BODY = 16_384;

function answer(status: number, body: unknown, requestId: string, limit: RateLimitOutcome | null, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache", "X-Request-Id": requestId, ...limit?.headers, ...extra },
  });
}

function basicCredentials(header: string | null): { id: string; secret: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")) };
  } catch {
    return null;
  }
}

async function params(req: Request): Promise<Record<string, string> | OAuthError> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  const raw = await readCappedBody(req, MAX_BODY);
  if (type.startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  if (type.startsWith("application/json")) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return new OAuthError("invalid_request", "The body must be a JSON object.");
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "string")) as Record<string, string>;
    } catch {
      return new OAuthError("invalid_request", "The body is not valid JSON.");
    }
  }
  return new OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded (or JSON).");
}

export async function POST(req: Request): Promise<Response> {
  const meta = requestMetaFrom(req.headers);
  const basic = basicCredentials(req.headers.get("authorization"));
  const challenge = basic ? { "WWW-Authenticate": 'Basic realm="berth"' } : undefined;
  // The stricter per-IP budget of the sign-in and token routes: guessing client secrets is slow.
  const limit = await consumeRateLimit({ actor: null, ip: meta.ip, auth: true });
  if (limit?.limited) {
    return answer(429, { error: "temporarily_unavailable", error_description: `At most ${limit.limit} token requests a minute are allowed from one address. Try again in ${limit.resetSeconds} seconds.` }, meta.requestId, limit);
  }
  try {
    const p = await params(req);
    if (p instanceof OAuthError) throw p;
    if (!p.grant_type) throw new OAuthError("invalid_request", "grant_type is required (client_credentials).");
    if (p.grant_type !== "client_credentials") throw new OAuthError("unsupported_grant_type", `Berth supports the client_credentials grant only, not ${p.grant_type}.`);
    if (basic && (p.client_id || p.client_secret)) throw new OAuthError("invalid_request", "Authenticate the client one way only: HTTP Basic or client_id/client_secret in the body.");
    const clientId = basic?.id ?? p.client_id;
    const clientSecret = basic?.secret ?? p.client_secret;
    if (!clientId || !clientSecret) throw new OAuthError("invalid_client", "Client authentication is required: HTTP Basic, or client_id and client_secret.", 401);
    const token = await issueClientToken({ actor: null, meta }, { clientId, clientSecret, scope: p.scope ?? null });
    return answer(200, token, meta.requestId, limit);
  } catch (err) {
    if (err instanceof OAuthError) return answer(err.status, { error: err.error, error_description: err.description }, meta.requestId, limit, err.status === 401 ? challenge : undefined);
    if (err instanceof BodyTooLarge) return answer(413, { error: "invalid_request", error_description: `The body is larger than ${MAX_BODY} bytes.` }, meta.requestId, limit);
    logger().error({ err, requestId: meta.requestId }, "oauth token failed");
    return answer(500, { error: "server_error", error_description: `Something went wrong on our side. Quote request id ${meta.requestId} when reporting it.` }, meta.requestId, limit);
  }
}

export const { GET, HEAD, PUT, PATCH, DELETE } = otherMethods("/api/v1/oauth/token", ["POST"]);
