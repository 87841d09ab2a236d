// Reads the Auth.js session cookie without Next's request context, so tRPC, REST and the
// WebSocket server resolve a dashboard session the same way.
import { decode } from "next-auth/jwt";
import { env } from "@/server/env";

export const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  // Auth.js splits large tokens into name.0, name.1, …; ours are small, but join them if present.
  const parts = new Map<string, string>();
  for (const piece of header.split(/;\s*/)) {
    const eq = piece.indexOf("=");
    if (eq > 0) parts.set(piece.slice(0, eq), piece.slice(eq + 1));
  }
  if (parts.has(name)) return decodeURIComponent(parts.get(name)!);
  const chunks: string[] = [];
  for (let i = 0; parts.has(`${name}.${i}`); i++) chunks.push(decodeURIComponent(parts.get(`${name}.${i}`)!));
  return chunks.length ? chunks.join("") : undefined;
}

/** The Berth session id inside the Auth.js cookie, or null when absent, forged or expired. */
export async function sessionIdFromCookie(cookieHeader: string | null): Promise<string | null> {
  for (const name of SESSION_COOKIE_NAMES) {
    const token = readCookie(cookieHeader, name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret: env().BERTH_SECRET, salt: name });
      if (payload && typeof payload.sid === "string") return payload.sid;
    } catch {
      // A cookie we cannot decrypt is treated as no cookie.
    }
  }
  return null;
}
