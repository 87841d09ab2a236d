// Email + password check shared by the dashboard sign-in and POST /auth/token.
// An unknown email and a wrong password get the same answer in the same time.
import { eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { verifyPassword } from "@/server/auth/password";
import { assertSignInAllowed, recordSignInFailure, recordSignInSuccess } from "@/server/auth/sign-in-throttle";
import { writeAudit } from "../audit/audited";
import type { Actor, ServiceContext } from "../context";

export const WRONG_CREDENTIALS = "Email or password is incorrect.";

export async function verifyCredentials(ctx: ServiceContext, email: string, password: string): Promise<Actor> {
  const normalized = email.trim().toLowerCase();
  await assertSignInAllowed(normalized, ctx.meta.ip);
  const [user] = await db()
    .select({ id: users.id, email: users.email, role: users.role, status: users.status, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${normalized}`);
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok) {
    await recordSignInFailure(normalized, ctx.meta.ip);
    await writeAudit(db(), ctx, { action: "auth.login", targetType: "user", targetId: user?.id ?? null, actor: user ? { id: user.id, email: user.email } : null, details: { email: normalized } }, "failure");
    throw new BerthError("UNAUTHORIZED", WRONG_CREDENTIALS);
  }
  if (user.status !== "active") {
    await writeAudit(db(), ctx, { action: "auth.login", targetType: "user", targetId: user.id, actor: { id: user.id, email: user.email }, details: { reason: "suspended" } }, "denied");
    throw new BerthError("FORBIDDEN", "This account is suspended. Contact an administrator.");
  }
  await recordSignInSuccess(normalized);
  await db().update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  return { id: user.id, email: user.email, role: user.role };
}
