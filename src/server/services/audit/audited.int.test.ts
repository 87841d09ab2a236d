import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { anonymousContext, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { auditLog, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { updateUser } from "../admin/users";
import { audited } from "./audited";
import { listAudit } from "./list-audit";

setupTestDatabase();

describe("audit log", () => {
  it("writes the change and its audit row together, with actor, target, IP and request id", async () => {
    const admin = await makeUser("admin");
    const u = await makeUser();
    const ctx = { ...anonymousContext("198.51.100.9"), actor: admin };
    await updateUser(ctx, u.id, { role: "readonly" });
    const [row] = await db().select().from(auditLog).where(eq(auditLog.action, "admin.user.update"));
    expect(row).toMatchObject({ actorId: admin.id, actorEmail: admin.email, targetId: u.id, outcome: "success", ip: "198.51.100.9", requestId: ctx.meta.requestId });
    expect(row!.details).toMatchObject({ role: "readonly" });
  });

  it("rolls the change back when the action fails, and records the failed attempt", async () => {
    const u = await makeUser();
    const ctx = { ...anonymousContext(), actor: u };
    await expect(
      audited(ctx, { action: "test.half-written", targetType: "user", targetId: u.id }, async (tx) => {
        await tx.update(users).set({ name: "half written" }).where(eq(users.id, u.id));
        throw new BerthError("CONFLICT", "changed my mind");
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const [user] = await db().select().from(users).where(eq(users.id, u.id));
    expect(user!.name).toBeNull();
    const rows = await db().select().from(auditLog).where(eq(auditLog.action, "test.half-written"));
    expect(rows.map((r) => [r.outcome, r.details])).toEqual([["failure", { error: "CONFLICT" }]]);
  });

  it("filters by actor, action prefix and outcome, newest first, a page at a time", async () => {
    const admin = await makeUser("admin");
    const ctx = { ...anonymousContext(), actor: admin };
    for (let i = 0; i < 3; i++) await updateUser(ctx, (await makeUser()).id, { role: "readonly" });
    await updateUser(ctx, "usr_missing", { role: "user" }).catch(() => {});
    const mine = await listAudit({ actor: admin.email, action: "admin.user", limit: 2 });
    expect(mine.data).toHaveLength(2);
    expect(mine.nextCursor).not.toBeNull();
    const rest = await listAudit({ actor: admin.email, action: "admin.user", limit: 10, cursor: mine.nextCursor! });
    expect(rest.data).toHaveLength(2);
    const all = [...mine.data, ...rest.data];
    expect(new Set(all.map((a) => a.id)).size).toBe(4);
    expect(all.map((a) => a.createdAt)).toEqual([...all.map((a) => a.createdAt)].sort().reverse());
    const denied = await listAudit({ actor: admin.id, outcome: "denied", limit: 10 });
    expect(denied.data.map((a) => a.targetId)).toEqual(["usr_missing"]);
  });
});
