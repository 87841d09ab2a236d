// Single-use terminal tickets: issued to a slot's owner, stored as SHA-256, valid 30 s, consumed
// atomically by the WebSocket broker (one UPDATE … RETURNING: two sockets can never share one).
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { TerminalTicket } from "@/lib/schemas/terminal";
import { db } from "@/server/db";
import { terminalTickets } from "@/server/db/schema";
import { newSecret, sha256 } from "@/server/ids";
import type { ServiceContext } from "@/server/services/context";
import { ownedSlot } from "@/server/services/slots/slot-queries";

export const TICKET_TTL_MS = 30_000;

export function terminalPath(slotId: string): string {
  return `/ws/slots/${encodeURIComponent(slotId)}/terminal`;
}

export async function createTerminalTicket(ctx: ServiceContext, slotId: string): Promise<TerminalTicket> {
  const slot = await ownedSlot(ctx, slotId); // NOT_FOUND for another user's slot
  const ticket = newSecret("btt");
  const expiresAt = new Date(Date.now() + TICKET_TTL_MS);
  await db().insert(terminalTickets).values({ hash: sha256(ticket), slotId: slot.id, userId: slot.ownerId, expiresAt });
  // Old tickets are worthless: clear the caller's expired ones so the table stays small.
  await db()
    .delete(terminalTickets)
    .where(and(eq(terminalTickets.userId, slot.ownerId), lt(terminalTickets.expiresAt, sql`now() - interval '1 hour'`)));
  return { ticket, url: `${terminalPath(slot.id)}?ticket=${encodeURIComponent(ticket)}`, expiresAt: expiresAt.toISOString() };
}

/** Marks the ticket used and says whom and which slot it was for; null when unknown, used or expired. */
export async function consumeTerminalTicket(ticket: string): Promise<{ slotId: string; userId: string } | null> {
  const [row] = await db()
    .update(terminalTickets)
    .set({ usedAt: sql`now()` })
    .where(and(eq(terminalTickets.hash, sha256(ticket)), isNull(terminalTickets.usedAt), gt(terminalTickets.expiresAt, sql`now()`)))
    .returning({ slotId: terminalTickets.slotId, userId: terminalTickets.userId });
  return row ?? null;
}
