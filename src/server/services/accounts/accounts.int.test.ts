import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { anonymousContext, makeUser, PASSWORD } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { setEnvForTests } from "@/server/env";
import { BerthError } from "@/server/errors";
import { createInvite } from "../invites/invites";
import { ensureAdmin } from "./ensure-admin";
import { registerUser } from "./register-user";
import { verifyCredentials, WRONG_CREDENTIALS } from "./verify-credentials";

const ENV = { BERTH_LOGIN_MAX_FAILURES: "3", BERTH_LOGIN_MAX_FAILURES_PER_IP: "6" };
setupTestDatabase(ENV);

async function failure(p: Promise<unknown>): Promise<BerthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BerthError);
  return err as BerthError;
}

describe("sign-up", () => {
  it("creates a user with a lower-cased email, an argon2id hash and an audit row in the same transaction", async () => {
    const user = await registerUser(anonymousContext(), { email: "Ada@Example.COM", password: PASSWORD, name: "Ada" });
    expect(user).toMatchObject({ email: "ada@example.com", name: "Ada", role: "user", status: "active" });
    const [row] = await db().select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    const audit = await db().select().from(auditLog).where(eq(auditLog.targetId, user.id));
    expect(audit.map((a) => [a.action, a.outcome])).toContainEqual(["user.register", "success"]);
  });

  it("refuses a second account for the same email in any letter case (CONFLICT) and audits the refusal", async () => {
    await registerUser(anonymousContext(), { email: "twice@example.com", password: PASSWORD });
    const err = await failure(registerUser(anonymousContext(), { email: "TWICE@example.com", password: PASSWORD }));
    expect(err.code).toBe("CONFLICT");
    const rows = await db().select().from(users).where(eq(users.email, "twice@example.com"));
    expect(rows).toHaveLength(1);
    const failures = (await db().select().from(auditLog).where(eq(auditLog.action, "user.register"))).filter((a) => a.outcome === "failure");
    expect(failures.length).toBeGreaterThan(0);
  });

  it("is refused when sign-up is closed, and needs a valid unused invite when by invitation", async () => {
    const admin = await makeUser("admin");
    try {
      setEnvForTests({ ...ENV, BERTH_SIGNUP: "closed", LOG_LEVEL: "silent" });
      expect((await failure(registerUser(anonymousContext(), { email: "closed@example.com", password: PASSWORD }))).code).toBe("FORBIDDEN");

      setEnvForTests({ ...ENV, BERTH_SIGNUP: "invite", LOG_LEVEL: "silent" });
      expect((await failure(registerUser(anonymousContext(), { email: "noinvite@example.com", password: PASSWORD }))).code).toBe("FORBIDDEN");
      const forSomeoneElse = await createInvite({ ...anonymousContext(), actor: admin }, { email: "other@example.com", role: "user", expiresInDays: 1 });
      expect((await failure(registerUser(anonymousContext(), { email: "me@example.com", password: PASSWORD, inviteCode: forSomeoneElse.code }))).code).toBe("FORBIDDEN");
      const invite = await createInvite({ ...anonymousContext(), actor: admin }, { role: "readonly", expiresInDays: 1 });
      const user = await registerUser(anonymousContext(), { email: "invited@example.com", password: PASSWORD, inviteCode: invite.code });
      expect(user.role).toBe("readonly");
      const reuse = await failure(registerUser(anonymousContext(), { email: "again@example.com", password: PASSWORD, inviteCode: invite.code }));
      expect(reuse.code).toBe("FORBIDDEN");
    } finally {
      setEnvForTests({ ...ENV, LOG_LEVEL: "silent" });
    }
  });
});

describe("sign-in", () => {
  it("accepts the right password and answers an unknown email exactly like a wrong password", async () => {
    const u = await makeUser();
    await expect(verifyCredentials(anonymousContext("198.51.100.1"), u.email.toUpperCase(), PASSWORD)).resolves.toMatchObject({ id: u.id });
    const wrong = await failure(verifyCredentials(anonymousContext("198.51.100.1"), u.email, "not the password"));
    const unknown = await failure(verifyCredentials(anonymousContext("198.51.100.1"), "ghost@example.com", "not the password"));
    expect([wrong.code, wrong.message]).toEqual(["UNAUTHORIZED", WRONG_CREDENTIALS]);
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
  });

  it("spends the same argon2 work on an unknown email as on a wrong password", async () => {
    const u = await makeUser();
    const time = async (email: string) => {
      const started = performance.now();
      await verifyCredentials(anonymousContext(`192.0.2.${Math.floor(Math.random() * 250)}`), email, "wrong password!").catch(() => {});
      return performance.now() - started;
    };
    // Medians of a few runs: both paths verify one argon2id hash, so neither is several times faster.
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time(u.email));
      unknown.push(await time(`ghost-${i}@example.com`));
    }
    expect(median(unknown) / median(known)).toBeGreaterThan(0.5);
    expect(median(known) / median(unknown)).toBeGreaterThan(0.5);
  });

  it("locks an account after too many failures (RATE_LIMITED with retry time), even with the right password", async () => {
    const u = await makeUser();
    for (let i = 0; i < 3; i++) await failure(verifyCredentials(anonymousContext(`10.0.0.${i}`), u.email, "wrong"));
    const locked = await failure(verifyCredentials(anonymousContext("10.0.0.99"), u.email, PASSWORD));
    expect(locked.code).toBe("RATE_LIMITED");
    expect(locked.retryAfter).toBeGreaterThan(0);
  });

  it("limits one IP guessing across many accounts", async () => {
    const ip = "203.0.113.200";
    for (let i = 0; i < 6; i++) await failure(verifyCredentials(anonymousContext(ip), `spray-${i}@example.com`, "wrong"));
    const u = await makeUser();
    expect((await failure(verifyCredentials(anonymousContext(ip), u.email, PASSWORD))).code).toBe("RATE_LIMITED");
    await expect(verifyCredentials(anonymousContext("203.0.113.201"), u.email, PASSWORD)).resolves.toMatchObject({ id: u.id });
  });

  it("refuses a suspended account", async () => {
    const u = await makeUser();
    await db().update(users).set({ status: "suspended" }).where(eq(users.id, u.id));
    expect((await failure(verifyCredentials(anonymousContext("198.51.100.50"), u.email, PASSWORD))).code).toBe("FORBIDDEN");
  });
});

describe("first administrator from the environment", () => {
  it("is created once, then left unchanged, and repaired when demoted or given a new password", async () => {
    expect(await ensureAdmin("Boss@Example.com", "first-password")).toBe("created");
    expect(await ensureAdmin("boss@example.com", "first-password")).toBe("unchanged");
    const [row] = await db().select().from(users).where(eq(users.email, "boss@example.com"));
    expect(row!.role).toBe("admin");
    await db().update(users).set({ role: "user", status: "suspended" }).where(eq(users.id, row!.id));
    expect(await ensureAdmin("boss@example.com", "second-password")).toBe("updated");
    await expect(verifyCredentials(anonymousContext("198.51.100.77"), "boss@example.com", "second-password")).resolves.toMatchObject({ role: "admin" });
    expect(await db().select().from(users).where(eq(users.email, "boss@example.com"))).toHaveLength(1);
  });
});
