import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { authTokens, webSessions } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { updateUser } from "../admin/users";
import { changePassword } from "../accounts/profile";
import { createWebSession, resolveWebSession } from "../sessions/web-sessions";
import { issueTokenPair, logoutTokens, refreshTokenPair, resolveAccessToken } from "./token-pairs";

setupTestDatabase();

const ctx = anonymousContext;

describe("REST token pairs", () => {
  it("stores only hashes, and the access token identifies its user", async () => {
    const u = await makeUser();
    const pair = await issueTokenPair(ctx(), u);
    expect(pair.tokenType).toBe("Bearer");
    expect(pair.accessToken).toMatch(/^bat_/);
    expect(pair.refreshToken).toMatch(/^brf_/);
    const rows = await db().select().from(authTokens).where(eq(authTokens.userId, u.id));
    expect(rows.map((r) => r.tokenHash)).not.toContain(pair.accessToken);
    expect(JSON.stringify(rows)).not.toContain(pair.refreshToken);
    expect(await resolveAccessToken(pair.accessToken)).toMatchObject({ id: u.id, email: u.email });
    expect(await resolveAccessToken(pair.accessToken + "x")).toBeNull();
  });

  it("rotates on refresh: the old refresh token and the old access token stop working", async () => {
    const u = await makeUser();
    const first = await issueTokenPair(ctx(), u);
    const second = await refreshTokenPair(ctx(), first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await resolveAccessToken(first.accessToken)).toBeNull();
    expect(await resolveAccessToken(second.accessToken)).toMatchObject({ id: u.id });
  });

  it("revokes the whole family when a spent refresh token comes back", async () => {
    const u = await makeUser();
    const first = await issueTokenPair(ctx(), u);
    const second = await refreshTokenPair(ctx(), first.refreshToken);
    const reuse = await refreshTokenPair(ctx(), first.refreshToken).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(BerthError);
    expect((reuse as BerthError).code).toBe("UNAUTHORIZED");
    expect(await resolveAccessToken(second.accessToken)).toBeNull();
    await expect(refreshTokenPair(ctx(), second.refreshToken)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("logout revokes the presented token and its refresh token, not the user's other pairs", async () => {
    const u = await makeUser();
    const a = await issueTokenPair(ctx(), u);
    const b = await issueTokenPair(ctx(), u);
    await logoutTokens({ ...ctx(), actor: u }, { accessToken: a.accessToken });
    expect(await resolveAccessToken(a.accessToken)).toBeNull();
    await expect(refreshTokenPair(ctx(), a.refreshToken)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await resolveAccessToken(b.accessToken)).toMatchObject({ id: u.id });
  });

  it("ignores another user's token presented at logout", async () => {
    const u = await makeUser();
    const other = await makeUser();
    const theirs = await issueTokenPair(ctx(), other);
    const mine = await issueTokenPair(ctx(), u);
    await logoutTokens({ ...ctx(), actor: u }, { accessToken: mine.accessToken, refreshToken: theirs.refreshToken });
    expect(await resolveAccessToken(theirs.accessToken)).toMatchObject({ id: other.id });
  });
});

describe("suspension and password change end access at once", () => {
  it("suspending revokes every session and token in the same transaction; reactivating restores none of them", async () => {
    const admin = await makeUser("admin");
    const u = await makeUser();
    const pair = await issueTokenPair(ctx(), u);
    const session = await createWebSession(ctx(), u, "password");
    expect(await resolveWebSession(session.id)).toMatchObject({ id: u.id });
    await updateUser({ ...ctx(), actor: admin }, u.id, { status: "suspended" });
    expect(await resolveAccessToken(pair.accessToken)).toBeNull();
    expect(await resolveWebSession(session.id)).toBeNull();
    const live = await db().select().from(authTokens).where(and(eq(authTokens.userId, u.id), isNull(authTokens.revokedAt)));
    expect(live).toHaveLength(0);
    await updateUser({ ...ctx(), actor: admin }, u.id, { status: "active" });
    expect(await resolveAccessToken(pair.accessToken)).toBeNull();
    expect(await resolveWebSession(session.id)).toBeNull();
  });

  it("an admin cannot suspend or demote themselves, and the last admin cannot be demoted by another", async () => {
    const admin = await makeUser("admin");
    await expect(updateUser({ ...ctx(), actor: admin }, admin.id, { status: "suspended" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(updateUser({ ...ctx(), actor: admin }, admin.id, { role: "user" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(updateUser({ ...ctx(), actor: admin }, "usr_missing", { role: "user" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("changing the password keeps the current session and revokes the others and every token", async () => {
    const u = await makeUser();
    const keep = await createWebSession(ctx(), u, "password");
    const other = await createWebSession(ctx(), u, "password");
    const pair = await issueTokenPair(ctx(), u);
    await expect(changePassword({ ...ctx(), actor: u }, { currentPassword: "wrong one", newPassword: "a new password" })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await changePassword({ ...ctx(), actor: u }, { currentPassword: u.password, newPassword: "a new password", keepSessionId: keep.id });
    expect(await resolveWebSession(keep.id)).toMatchObject({ id: u.id });
    expect(await resolveWebSession(other.id)).toBeNull();
    expect(await resolveAccessToken(pair.accessToken)).toBeNull();
    const [row] = await db().select().from(webSessions).where(eq(webSessions.id, other.id));
    expect(row!.revokedAt).not.toBeNull();
  });
});
