// Who opens a terminal, and onto which container: a single-use ticket, or the dashboard session
// cookie from Berth's own origin; then the slot must be the caller's and running. Checked on every
// connect, never remembered between sockets.
import type { IncomingMessage } from "node:http";
import { and, eq } from "drizzle-orm";
import { sessionIdFromCookie } from "@/server/auth/session-cookie";
import { db } from "@/server/db";
import { users } from "@/server/db/schema";
import { BerthError, wsCloseCode, type ErrorCode } from "@/server/errors";
import { meColumns } from "@/server/services/accounts/user-view";
import type { Actor, RequestMeta } from "@/server/services/context";
import { resolveWebSession } from "@/server/services/sessions/web-sessions";
import { ownedSlot } from "@/server/services/slots/slot-queries";
import { consumeTerminalTicket } from "./terminal-tickets";

export type TerminalTarget = { actor: Actor; slotId: string; ownerId: string; containerId: string; via: "ticket" | "cookie" };
export type TerminalRefusal = { code: ErrorCode; closeCode: number; reason: string };

/** The one mapping of errors to close codes (errors.ts): 4401, 4404, 4409. */
const refuse = (code: ErrorCode, reason: string): TerminalRefusal => ({ code, closeCode: wsCloseCode(code), reason });

/** The path's slot id, or null when the path is not a terminal socket. */
export function terminalSlotId(pathname: string): string | null {
  const match = /^\/ws\/slots\/([^/]+)\/terminal\/?$/.exec(pathname);
  if (!match) return null;
  try {
    const id = decodeURIComponent(match[1]!);
    return id.length > 0 && id.length <= 64 ? id : null;
  } catch {
    return null;
  }
}

async function activeActor(userId: string): Promise<Actor | null> {
  const [row] = await db().select({ profile: meColumns }).from(users).where(and(eq(users.id, userId), eq(users.status, "active")));
  return row ? { id: row.profile.id, email: row.profile.email, role: row.profile.role, profile: row.profile } : null;
}

async function actorFrom(req: IncomingMessage, ticket: string | undefined, slotId: string, berthOrigin: string): Promise<{ actor: Actor; via: TerminalTarget["via"] } | TerminalRefusal> {
  if (ticket) {
    // Consumed before anything else is checked: a ticket shown to the wrong slot is spent too.
    const found = await consumeTerminalTicket(ticket);
    if (!found) return refuse("UNAUTHORIZED", "The ticket is unknown, expired or already used.");
    if (found.slotId !== slotId) return refuse("UNAUTHORIZED", "The ticket is for another slot.");
    const actor = await activeActor(found.userId);
    return actor ? { actor, via: "ticket" } : refuse("UNAUTHORIZED", "The account is not active.");
  }
  const cookie = req.headers.cookie;
  if (!cookie) return refuse("UNAUTHORIZED", "Sign in, or open the socket with ?ticket= from POST /api/v1/slots/{id}/terminal/tickets.");
  // A browser sends the cookie to any page that opens this socket: only Berth's own pages may use it.
  if (req.headers.origin !== berthOrigin) return refuse("UNAUTHORIZED", "A session cookie is accepted only from Berth's own origin; use a ticket.");
  const sessionId = await sessionIdFromCookie(cookie);
  const actor = sessionId ? await resolveWebSession(sessionId) : null;
  return actor ? { actor, via: "cookie" } : refuse("UNAUTHORIZED", "The session has expired; sign in again.");
}

export async function authorizeTerminal(req: IncomingMessage, opts: { slotId: string; ticket?: string; berthOrigin: string; meta: RequestMeta }): Promise<TerminalTarget | TerminalRefusal> {
  const who = await actorFrom(req, opts.ticket, opts.slotId, opts.berthOrigin);
  if ("closeCode" in who) return who;
  // A terminal changes everything in the slot: read-only accounts may look at slots, not type in them.
  if (who.actor.role === "readonly") return refuse("FORBIDDEN", "Read-only accounts cannot open a terminal.");
  try {
    const slot = await ownedSlot({ actor: who.actor, meta: opts.meta }, opts.slotId);
    if (slot.status !== "running" || !slot.containerId) return refuse("CONFLICT", `The slot is ${slot.status}; start it first.`);
    return { actor: who.actor, slotId: slot.id, ownerId: slot.ownerId, containerId: slot.containerId, via: who.via };
  } catch (err) {
    if (err instanceof BerthError) return refuse(err.code, err.message);
    throw err;
  }
}
