// Invitations for BERTH_SIGNUP=invite: a code shown once, stored hashed, used once.
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Invite, InviteCreated } from "@/lib/schemas/auth";
import { db } from "@/server/db";
import { invites, type UserRole } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId, newSecret, sha256 } from "@/server/ids";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";
import { afterCursor, pageFrom } from "../pagination";

type InviteRow = typeof invites.$inferSelect;

function toInvite(row: InviteRow): z.infer<typeof Invite> {
  const status = row.revokedAt ? "revoked" : row.usedAt ? "used" : row.expiresAt <= new Date() ? "expired" : "pending";
  return { id: row.id, email: row.email, role: row.role, status, expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString() };
}

export async function createInvite(ctx: ServiceContext, args: { email?: string; role: UserRole; expiresInDays: number }): Promise<z.infer<typeof InviteCreated>> {
  const id = newId("inv");
  const code = newSecret("inv");
  return audited(ctx, { action: "admin.invite.create", targetType: "invite", targetId: id, details: { email: args.email ?? null, role: args.role } }, async (tx) => {
    const [row] = await tx
      .insert(invites)
      .values({ id, codeHash: sha256(code), email: args.email ?? null, role: args.role, createdBy: ctx.actor?.id ?? null, expiresAt: new Date(Date.now() + args.expiresInDays * 86_400_000) })
      .returning();
    return { ...toInvite(row!), code };
  });
}

export async function listInvites(args: { limit: number; cursor?: string }) {
  const rows = await db()
    .select()
    .from(invites)
    .where(afterCursor(args.cursor, invites.createdAt, invites.id))
    .orderBy(desc(invites.createdAt), desc(invites.id))
    .limit(args.limit + 1);
  const page = pageFrom(rows, args.limit);
  return { data: page.rows.map(toInvite), nextCursor: page.nextCursor };
}

export async function revokeInvite(ctx: ServiceContext, id: string): Promise<void> {
  await audited(ctx, { action: "admin.invite.revoke", targetType: "invite", targetId: id }, async (tx) => {
    const rows = await tx.update(invites).set({ revokedAt: new Date() }).where(and(eq(invites.id, id), isNull(invites.usedAt), isNull(invites.revokedAt))).returning({ id: invites.id });
    if (rows.length === 0) {
      const [exists] = await tx.select({ id: invites.id }).from(invites).where(eq(invites.id, id));
      if (!exists) throw new BerthError("NOT_FOUND", "No such invite.");
      throw new BerthError("CONFLICT", "This invite was already used or revoked.");
    }
  });
}
