// What a slot can be made of: enabled templates and the plans.
import { asc, desc, eq } from "drizzle-orm";
import { db } from "@/server/db";
import { plans, templates } from "@/server/db/schema";

export async function listTemplates() {
  const rows = await db().select().from(templates).where(eq(templates.enabled, true)).orderBy(desc(templates.isDefault), asc(templates.name));
  return {
    data: rows.map((t) => ({
      id: t.id,
      slug: t.slug,
      name: t.name,
      description: t.description,
      image: t.image,
      resources: { cpuMillicores: t.cpuMillicores, memoryMiB: t.memoryMiB, diskMiB: t.diskMiB },
      isDefault: t.isDefault,
    })),
    nextCursor: null,
  };
}

export async function listPlans() {
  const rows = await db().select().from(plans).orderBy(asc(plans.pricePerHourCents), asc(plans.id));
  return {
    data: rows.map(({ createdAt: _c, updatedAt: _u, ...p }) => p),
    nextCursor: null,
  };
}
