// Sign-in through GitHub, Google or an OIDC provider: find the linked account, or link/create one.
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { authAccounts, users } from "@/server/db/schema";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { writeAudit } from "../audit/audited";
import type { Actor, ServiceContext } from "../context";

export type OAuthProfile = { provider: string; providerAccountId: string; email: string | null; emailVerified: boolean; name: string | null };

export async function signInWithOAuth(ctx: ServiceContext, profile: OAuthProfile): Promise<Actor> {
  return db().transaction(async (tx) => {
    const [linked] = await tx
      .select({ id: users.id, email: users.email, role: users.role, status: users.status })
      .from(authAccounts)
      .innerJoin(users, eq(users.id, authAccounts.userId))
      .where(and(eq(authAccounts.provider, profile.provider), eq(authAccounts.providerAccountId, profile.providerAccountId)));
    let actor: Actor & { status: string };
    if (linked) {
      actor = linked;
    } else {
      if (!profile.email || !profile.emailVerified) {
        throw new BerthError("FORBIDDEN", "Your identity provider did not share a verified email address, so Berth cannot sign you in.");
      }
      const email = profile.email.toLowerCase();
      const [existing] = await tx.select({ id: users.id, email: users.email, role: users.role, status: users.status }).from(users).where(sql`lower(${users.email}) = ${email}`);
      if (existing) {
        // The provider vouches for this address, so the account it names is the person's own.
        actor = existing;
      } else {
        if (env().BERTH_SIGNUP !== "open") {
          throw new BerthError("FORBIDDEN", "There is no Berth account for this email, and sign-up is not open. Ask an administrator for an invitation.");
        }
        const id = newId("usr");
        await tx.insert(users).values({ id, email, name: profile.name });
        await writeAudit(tx, ctx, { action: "user.register", targetType: "user", targetId: id, actor: { id, email }, details: { email, via: profile.provider } }, "success");
        actor = { id, email, role: "user", status: "active" };
      }
      await tx.insert(authAccounts).values({ id: newId("acc"), userId: actor.id, provider: profile.provider, providerAccountId: profile.providerAccountId });
      await writeAudit(tx, ctx, { action: "user.account.link", targetType: "user", targetId: actor.id, actor, details: { provider: profile.provider } }, "success");
    }
    if (actor.status !== "active") throw new BerthError("FORBIDDEN", "This account is suspended. Contact an administrator.");
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, actor.id));
    return { id: actor.id, email: actor.email, role: actor.role };
  });
}
