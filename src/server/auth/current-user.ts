// For server components: the signed-in person, read from the session cookie (or null).
import { cookies } from "next/headers";
import type { Actor } from "@/server/services/context";
import { resolveWebSession } from "@/server/services/sessions/web-sessions";
import { sessionIdFromCookie } from "./session-cookie";

export async function currentActor(): Promise<Actor | null> {
  const jar = await cookies();
  const header = jar
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join("; ");
  const sid = await sessionIdFromCookie(header);
  return sid ? resolveWebSession(sid) : null;
}
