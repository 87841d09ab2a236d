// Who is calling: a bearer token (access token; API keys come later) or the dashboard session cookie.
import type { Actor } from "@/server/services/context";
import { resolveWebSession } from "@/server/services/sessions/web-sessions";
import { resolveAccessToken } from "@/server/services/tokens/token-pairs";
import { sessionIdFromCookie } from "./session-cookie";

export type Credential =
  | { kind: "anonymous" }
  | { kind: "session"; sessionId: string }
  | { kind: "access-token"; token: string; familyId: string };

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
