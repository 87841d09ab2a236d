// Who is calling: a bearer token (an access token `bat_…`, an API key `brt_…`, or an OAuth client
// credentials token `bot_…`) or the dashboard session cookie.
import type { Actor } from "@/server/services/context";
import { CLIENT_IP_HEADER } from "@/server/request-meta";
import { API_KEY_PREFIX, resolveApiKey } from "@/server/services/api-keys/api-keys";
import { OAUTH_TOKEN_PREFIX, resolveOAuthToken } from "@/server/services/oauth/oauth-clients";
import { resolveWebSession } from "@/server/services/sessions/web-sessions";
import { resolveAccessToken } from "@/server/services/tokens/token-pairs";
import { sessionIdFromCookie } from "./session-cookie";

export type Credential =
  | { kind: "anonymous" }
  | { kind: "session"; sessionId: string }
  | { kind: "access-token"; token: string; familyId: string }
  | { kind: "api-key"; keyId: string }
  | { kind: "oauth-token"; clientId: string };

export type ResolvedCaller = { actor: Actor | null; credential: Credential; invalidBearer: boolean };

export function bearerFrom(authorization: string | null): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match ? match[1]! : null;
}

export async function resolveCaller(headers: Headers): Promise<ResolvedCaller> {
  const authorization = headers.get("authorization");
  if (authorization) {
    // A presented but bad token is an error, never a silent fall-back to the cookie.
    const token = bearerFrom(authorization);
    if (token?.startsWith(`${API_KEY_PREFIX}_`)) {
      const actor = await resolveApiKey(token, headers.get(CLIENT_IP_HEADER));
      if (!actor) return { actor: null, credential: { kind: "anonymous" }, invalidBearer: true };
      return { actor, credential: { kind: "api-key", keyId: actor.apiKeyId }, invalidBearer: false };
    }
    if (token?.startsWith(`${OAUTH_TOKEN_PREFIX}_`)) {
      const actor = await resolveOAuthToken(token);
      if (!actor) return { actor: null, credential: { kind: "anonymous" }, invalidBearer: true };
      return { actor, credential: { kind: "oauth-token", clientId: actor.apiKeyId }, invalidBearer: false };
    }
    const found = token ? await resolveAccessToken(token) : null;
    if (!found || !token) return { actor: null, credential: { kind: "anonymous" }, invalidBearer: true };
    const { familyId, ...actor } = found;
    return { actor, credential: { kind: "access-token", token, familyId }, invalidBearer: false };
  }
  const sessionId = await sessionIdFromCookie(headers.get("cookie"));
  if (sessionId) {
    const actor = await resolveWebSession(sessionId);
    if (actor) return { actor, credential: { kind: "session", sessionId }, invalidBearer: false };
  }
  return { actor: null, credential: { kind: "anonymous" }, invalidBearer: false };
}
