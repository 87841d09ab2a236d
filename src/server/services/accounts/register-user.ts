// Sign-up with email and password, under the BERTH_SIGNUP policy (open, invite, closed).
import { and, eq, isNull, sql } from "drizzle-orm";
import type { User } from "@/lib/schemas/users";
import { invites, users, type UserRole } from "@/server/db/schema";
import type { Tx } from "@/server/db";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { newId, sha256 } from "@/server/ids";
import { hashPassword } from "@/server/auth/password";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";
import { toUser, userColumns } from "./user-view";

export type RegisterUserArgs = { email: string; password: string; name?: string | null; inviteCode?: string };

/** Finds and locks the usable invite `code` for `email` inside `tx`, or throws. */
async function lockInvite(tx: Tx, code: string | undefined, email: string): Promise<{ id: string; role: UserRole }> {
  if (!code) throw new BerthError("FORBIDDEN", "Sign-up on this Berth is by invitation: enter the invite code you were given.");
  const [invite] = await tx
    .select()
    .from(invites)
    .where(and(eq(invites.codeHash, sha256(code)), isNull(invites.usedAt), isNull(invites.revokedAt)))
    .for("update");
  if (!invite || invite.expiresAt < new Date() || (invite.email && invite.email.toLowerCase() !== email)) {
    throw new BerthError("FORBIDDEN", "This invite code is not valid: it may be used, expired, revoked, or meant for another email.");
  }
  return { id: invite.id, role: invite.role };
}

export async function registerUser(ctx: ServiceContext, args: RegisterUserArgs): Promise<User> {
  const mode = env().BERTH_SIGNUP;
  if (mode === "closed") {
    throw new BerthError("FORBIDDEN", "Sign-up is closed on this Berth. Ask an administrator for an account.");
  }
  const email = args.email.trim().toLowerCase();
  const id = newId("usr");
  // Hash before the transaction: argon2 is deliberately slow and must not hold a connection.
  const passwordHash = await hashPassword(args.password);
  return audited(ctx, { action: "user.register", targetType: "user", targetId: id, actor: { id, email }, details: { email, via: "password" } }, async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email}`);
    if (existing) {
      throw new BerthError("CONFLICT", "An account with this email already exists. Sign in instead.", { details: { fields: { email: ["Already registered"] } } });
    }
    const invite = mode === "invite" ? await lockInvite(tx, args.inviteCode, email) : null;
    const [row] = await tx
      .insert(users)
      .values({ id, email, name: args.name ?? null, passwordHash, role: invite?.role ?? "user" })
      .onConflictDoNothing()
      .returning(userColumns);
    if (!row) throw new BerthError("CONFLICT", "An account with this email already exists. Sign in instead.");
    if (invite) await tx.update(invites).set({ usedAt: new Date(), usedBy: id }).where(eq(invites.id, invite.id));
    return toUser(row);
  });
}
