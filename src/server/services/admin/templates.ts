// Admin: templates, what slots are made from. Exactly one enabled template is the default; a
// template that slots use cannot be deleted (disable it to hide it from new slots instead).
import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import type { AdminTemplate, TemplateChanges, TemplateCreateInput } from "@/lib/schemas/admin-catalog";
import { db, type Tx } from "@/server/db";
import { slots, templates } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { logger } from "@/server/logger";
import { runtime } from "@/server/runtime";
import { audited } from "../audit/audited";
import type { ServiceContext } from "../context";

type TemplateRow = typeof templates.$inferSelect;

/**
 * Template changes run one at a time (a transaction-scoped advisory lock): "exactly one default"
 * and "slug unique" are checked and written without a concurrent change slipping in between.
 */
async function lockTemplates(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(727275)`);
}

/** Whether the engine holds each image; null for all when the engine cannot be asked. */
async function imageAvailability(images: string[]): Promise<Map<string, boolean | null>> {
  const unique = [...new Set(images)];
  const result = new Map<string, boolean | null>(unique.map((i) => [i, null]));
  if (!unique.length) return result;
  const ping = await runtime().ping();
  if (!ping.ok) return result;
  await Promise.all(
    unique.map(async (image) => {
      try {
        result.set(image, await runtime().hasImage(image));
      } catch (err) {
        logger().warn({ err, image }, "could not check whether the engine has a template's image");
      }
    }),
  );
  return result;
}

async function slotCounts(templateId?: string): Promise<Map<string, number>> {
  const rows = await db()
    .select({ templateId: slots.templateId, count: sql<number>`count(*)::int` })
    .from(slots)
    .where(and(ne(slots.status, "deleted"), templateId ? eq(slots.templateId, templateId) : undefined))
    .groupBy(slots.templateId);
  return new Map(rows.map((r) => [r.templateId, r.count]));
}

function toAdminTemplate(row: TemplateRow, slotCount: number, imageAvailable: boolean | null): AdminTemplate {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    image: row.image,
    resources: { cpuMillicores: row.cpuMillicores, memoryMiB: row.memoryMiB, diskMiB: row.diskMiB },
    env: row.env ?? {},
    startCommand: row.startCommand ?? null,
    enabled: row.enabled,
    isDefault: row.isDefault,
    slots: slotCount,
    imageAvailable,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function describeTemplate(row: TemplateRow): Promise<AdminTemplate> {
  const [counts, images] = await Promise.all([slotCounts(row.id), imageAvailability([row.image])]);
  return toAdminTemplate(row, counts.get(row.id) ?? 0, images.get(row.image) ?? null);
}

export async function listAdminTemplates(): Promise<{ data: AdminTemplate[]; nextCursor: null }> {
  const rows = await db().select().from(templates).orderBy(desc(templates.isDefault), asc(templates.name), asc(templates.id));
  const [counts, images] = await Promise.all([slotCounts(), imageAvailability(rows.map((r) => r.image))]);
  return { data: rows.map((r) => toAdminTemplate(r, counts.get(r.id) ?? 0, images.get(r.image) ?? null)), nextCursor: null };
}

export async function getAdminTemplate(id: string): Promise<AdminTemplate> {
  const [row] = await db().select().from(templates).where(eq(templates.id, id));
  if (!row) throw new BerthError("NOT_FOUND", "No such template.");
  return describeTemplate(row);
}

async function assertSlugFree(tx: Tx, slug: string, exceptId?: string): Promise<void> {
  const [clash] = await tx
    .select({ id: templates.id })
    .from(templates)
    .where(and(eq(templates.slug, slug), exceptId ? ne(templates.id, exceptId) : undefined));
  if (clash) throw new BerthError("CONFLICT", `Another template already has the slug "${slug}".`, { details: { fields: { slug: ["Already used"] } } });
}

export async function createTemplate(ctx: ServiceContext, input: TemplateCreateInput): Promise<AdminTemplate> {
  if (input.isDefault && !input.enabled) {
    throw new BerthError("VALIDATION_ERROR", "The default template must be enabled.", { details: { fields: { enabled: ["The default template must be enabled"] } } });
  }
  const id = newId("tpl");
  const row = await audited(
    ctx,
    { action: "admin.template.create", targetType: "template", targetId: id, details: { slug: input.slug, image: input.image, enabled: input.enabled, isDefault: input.isDefault } },
    async (tx) => {
      await lockTemplates(tx);
      await assertSlugFree(tx, input.slug);
      if (input.isDefault) await tx.update(templates).set({ isDefault: false, updatedAt: new Date() }).where(eq(templates.isDefault, true));
      const [created] = await tx
        .insert(templates)
        .values({
          id,
          slug: input.slug,
          name: input.name,
          description: input.description,
          image: input.image,
          ...input.resources,
          env: input.env,
          startCommand: input.startCommand,
          enabled: input.enabled,
          isDefault: input.isDefault,
        })
        .returning();
      return created!;
    },
  );
  return describeTemplate(row);
}

export async function updateTemplate(ctx: ServiceContext, id: string, changes: TemplateChanges): Promise<AdminTemplate> {
  const given = Object.entries(changes).filter(([, v]) => v !== undefined);
  if (!given.length) throw new BerthError("VALIDATION_ERROR", "Nothing to change: send at least one field.");
  // Values of env are left out of the audit row: a template's variables may hold tokens for images.
  const details = { changed: given.map(([k]) => k), ...(changes.slug ? { slug: changes.slug } : {}), ...(changes.image ? { image: changes.image } : {}), ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}), ...(changes.isDefault !== undefined ? { isDefault: changes.isDefault } : {}) };
  const row = await audited(ctx, { action: "admin.template.update", targetType: "template", targetId: id, details }, async (tx) => {
    await lockTemplates(tx);
    const [current] = await tx.select().from(templates).where(eq(templates.id, id)).for("update");
    if (!current) throw new BerthError("NOT_FOUND", "No such template.");
    if (changes.isDefault === false && current.isDefault) {
      throw new BerthError("CONFLICT", "This is the default template and there must always be one: make another template the default instead.");
    }
    const makeDefault = changes.isDefault === true && !current.isDefault;
    const enabled = changes.enabled ?? current.enabled;
    if (!enabled && (current.isDefault || makeDefault)) {
      throw new BerthError("CONFLICT", "The default template cannot be disabled: make another template the default first.", {
        details: { fields: { enabled: ["The default template must stay enabled"] } },
      });
    }
    if (changes.slug !== undefined && changes.slug !== current.slug) await assertSlugFree(tx, changes.slug, id);
    if (makeDefault) await tx.update(templates).set({ isDefault: false, updatedAt: new Date() }).where(eq(templates.isDefault, true));
    const [updated] = await tx
      .update(templates)
      .set({
        ...(changes.slug !== undefined ? { slug: changes.slug } : {}),
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.image !== undefined ? { image: changes.image } : {}),
        ...(changes.resources ?? {}),
        ...(changes.env !== undefined ? { env: changes.env } : {}),
        ...(changes.startCommand !== undefined ? { startCommand: changes.startCommand } : {}),
        enabled,
        ...(makeDefault ? { isDefault: true } : {}),
        updatedAt: new Date(),
      })
      .where(eq(templates.id, id))
      .returning();
    return updated!;
  });
  return describeTemplate(row);
}

export async function deleteTemplate(ctx: ServiceContext, id: string): Promise<void> {
  await audited(ctx, { action: "admin.template.delete", targetType: "template", targetId: id }, async (tx, record) => {
    await lockTemplates(tx);
    const [current] = await tx.select().from(templates).where(eq(templates.id, id)).for("update");
    if (!current) throw new BerthError("NOT_FOUND", "No such template.");
    record.details = { slug: current.slug, image: current.image };
    if (current.isDefault) {
      throw new BerthError("CONFLICT", "This is the default template: make another template the default before deleting it.");
    }
    const [{ live, past }] = (await tx
      .select({
        live: sql<number>`(count(*) filter (where ${slots.status} <> 'deleted'))::int`,
        past: sql<number>`(count(*) filter (where ${slots.status} = 'deleted'))::int`,
      })
      .from(slots)
      .where(eq(slots.templateId, id))) as [{ live: number; past: number }];
    if (live > 0) {
      throw new BerthError("CONFLICT", `${live} slot${live === 1 ? " uses" : "s use"} this template, so it cannot be deleted. Disable it instead: it disappears from the create dialog and existing slots keep working.`, {
        details: { slots: live },
      });
    }
    if (past > 0) {
      // Deleted slots stay on record (events, usage) and refer to their template.
      throw new BerthError("CONFLICT", `The history of ${past} deleted slot${past === 1 ? "" : "s"} refers to this template, so it cannot be deleted. Disable it instead to hide it from new slots.`, {
        details: { slots: 0, deletedSlots: past },
      });
    }
    await tx.delete(templates).where(eq(templates.id, id));
  });
}
