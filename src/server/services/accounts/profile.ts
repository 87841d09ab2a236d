// What a signed-in person does to their own account: read it, rename, change the password.
import { eq } from "drizzle-orm";
import type { Me } from "@/lib/schemas/users";
import { db } from "@/server/db";
import { users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { audited } from "../audit/audited";
import { requireActor, type ServiceContext } from "../context";
import { revokeUserWebSessions } from "../sessions/web-sessions";
import { revokeUserTokens } from "../tokens/token-pairs";
import { limitsFor } from "../slots/plan-limits";
import { meColumns, toMe, type MeRow } from "./user-view";

/** The account as GET /me shows it: one more query, for the plan that applies. */
async function describeMe(row: MeRow): Promise<Me> {
  return toMe(row, await limitsFor(db(), row));
}

export async function getMe(ctx: ServiceContext): Promise<Me> {
  const actor = requireActor(ctx);
  if (actor.profile) return describeMe(actor.profile);
  const [row] = await db().select(meColumns).from(users).where(eq(users.id, actor.id));
  if (!row) throw new BerthError("UNAUTHORIZED", "This account no longer exists.");
  return describeMe(row);
}

export async function updateProfile(ctx: ServiceContext, args: { name: string | null }): Promise<Me> {
  const actor = requireActor(ctx);
  const row = await audited(ctx, { action: "user.profile.update", targetType: "user", targetId: actor.id }, async (tx) => {
    const [updated] = await tx
      .update(users)
      .set({ name: args.name, updatedAt: new Date() })
      .where(eq(users.id, actor.id))
      .returning(meColumns);
    if (!updated) throw new BerthError("UNAUTHORIZED", "This account no longer exists.");
    return updated;
  });
  return describeMe(row);
}

/**
 * Changes the password after checking the current one. Every other dashboard session and every
 * REST token of the account is revoked: whoever knew the old password is out.
 */
export async function changePassword(ctx: ServiceContext, args: { currentPassword: string; newPassword: string; keepSessionId?: string }): Promise<void> {
  const actor = requireActor(ctx);
  const [row] = await db().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, actor.id));
  if (!row?.passwordHash) {
    throw new BerthError("CONFLICT", "This account signs in through an identity provider and has no password to change.");
  }
  if (!(await verifyPassword(row.passwordHash, args.currentPassword))) {
    throw new BerthError("VALIDATION_ERROR", "The current password is incorrect.", { details: { fields: { currentPassword: ["Incorrect password"] } } });
  }
  if (args.currentPassword === args.newPassword) {
    throw new BerthError("VALIDATION_ERROR", "The new password must differ from the current one.", { details: { fields: { newPassword: ["Same as the current password"] } } });
  }
  const passwordHash = await hashPassword(args.newPassword);
  await audited(ctx, { action: "user.password.change", targetType: "user", targetId: actor.id }, async (tx, record) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, actor.id));
    const sessions = await revokeUserWebSessions(tx, actor.id, args.keepSessionId);
    await revokeUserTokens(tx, actor.id);
    record.details = { revokedSessions: sessions };
  });
}
