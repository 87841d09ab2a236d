// Test data made through the real services, never by writing rows behind their back.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { createInnerContext, type Context } from "@/server/api/trpc";
import { createCaller } from "@/server/api/root";
import { db } from "@/server/db";
import { users, type UserRole } from "@/server/db/schema";
import { registerUser } from "@/server/services/accounts/register-user";
import type { Actor, ServiceContext } from "@/server/services/context";
import { issueTokenPair } from "@/server/services/tokens/token-pairs";

export const PASSWORD = "correct horse battery";

export function testMeta(ip = "203.0.113.7") {
  return { ip, requestId: `req_test_${randomBytes(4).toString("hex")}`, userAgent: "vitest" };
}

export function anonymousContext(ip?: string): ServiceContext {
  return { actor: null, meta: testMeta(ip) };
}

export async function makeUser(role: UserRole = "user", opts: { email?: string; password?: string } = {}): Promise<Actor & { password: string }> {
  const email = opts.email ?? `${role}-${randomBytes(4).toString("hex")}@example.com`;
  const password = opts.password ?? PASSWORD;
  const user = await registerUser(anonymousContext(), { email, password });
  if (role !== "user") await db().update(users).set({ role }).where(eq(users.id, user.id));
  return { id: user.id, email: user.email, role, password };
}

/** A tRPC caller acting as `actor` through an access token, exactly as a REST client would. */
export async function callerFor(actor: Actor | null): Promise<{ caller: ReturnType<typeof createCaller>; ctx: Context; token?: string }> {
  if (!actor) {
    const ctx = createInnerContext({ meta: testMeta() });
    return { caller: createCaller(ctx), ctx };
  }
  const pair = await issueTokenPair(anonymousContext(), actor);
  const ctx = createInnerContext({ actor, credential: { kind: "access-token", token: pair.accessToken, familyId: "" }, meta: testMeta() });
  return { caller: createCaller(ctx), ctx, token: pair.accessToken };
}
