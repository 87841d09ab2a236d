// BERTH_ADMIN_EMAIL + BERTH_ADMIN_PASSWORD: create or update the first administrator at start, idempotently.
import { eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { users } from "@/server/db/schema";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { newId } from "@/server/ids";
import { writeAudit } from "../audit/audited";
import { systemContext } from "../context";

export type EnsureAdminResult = "created" | "updated" | "unchanged";

export async function ensureAdmin(emailInput: string, password: string): Promise<EnsureAdminResult> {
  const email = emailInput.trim().toLowerCase();
  const ctx = systemContext("startup");
  const [existing] = await db()
    .select({ id: users.id, role: users.role, status: users.status, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`);
  if (existing) {
    const samePassword = await verifyPassword(existing.passwordHash, password);
    if (existing.role === "admin" && existing.status === "active" && samePassword) return "unchanged";
    const passwordHash = samePassword ? existing.passwordHash : await hashPassword(password);
    await db().transaction(async (tx) => {
      await tx.update(users).set({ role: "admin", status: "active", suspendedAt: null, passwordHash, updatedAt: new Date() }).where(eq(users.id, existing.id));
      await writeAudit(tx, ctx, { action: "admin.bootstrap", targetType: "user", targetId: existing.id, details: { email, change: "updated" } }, "success");
    });
    return "updated";
  }
  const id = newId("usr");
  const passwordHash = await hashPassword(password);
  await db().transaction(async (tx) => {
    await tx.insert(users).values({ id, email, name: "Administrator", passwordHash, role: "admin" }).onConflictDoNothing();
    await writeAudit(tx, ctx, { action: "admin.bootstrap", targetType: "user", targetId: id, details: { email, change: "created" } }, "success");
  });
  return "created";
}
