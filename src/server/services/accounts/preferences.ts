// The user's dashboard preferences (theme, terminal font and size, default template): stored as a
// partial object in users.preferences, read with the defaults filled in.
import { and, eq } from "drizzle-orm";
import { DEFAULT_PREFERENCES, Preferences, TERMINAL_FONT_SIZE, TERMINAL_FONTS, type PreferencesUpdateInput } from "@/lib/schemas/preferences";
import { db, type DbOrTx } from "@/server/db";
import { templates, users, type UserPreferences } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { audited } from "../audit/audited";
import { requireActor, type ServiceContext } from "../context";

async function enabledTemplate(executor: DbOrTx, id: string): Promise<boolean> {
  const [row] = await executor.select({ id: templates.id }).from(templates).where(and(eq(templates.id, id), eq(templates.enabled, true)));
  return Boolean(row);
}

/** Stored values that no longer fit (a font dropped from the list, a template since disabled) read as the default. */
async function withDefaults(executor: DbOrTx, stored: UserPreferences): Promise<Preferences> {
  const font = (TERMINAL_FONTS as readonly string[]).includes(stored.terminalFontFamily ?? "") ? (stored.terminalFontFamily as Preferences["terminalFontFamily"]) : DEFAULT_PREFERENCES.terminalFontFamily;
  const size = stored.terminalFontSize && stored.terminalFontSize >= TERMINAL_FONT_SIZE.min && stored.terminalFontSize <= TERMINAL_FONT_SIZE.max ? stored.terminalFontSize : DEFAULT_PREFERENCES.terminalFontSize;
  const template = stored.defaultTemplateId && (await enabledTemplate(executor, stored.defaultTemplateId)) ? stored.defaultTemplateId : null;
  return Preferences.parse({ theme: stored.theme ?? DEFAULT_PREFERENCES.theme, terminalFontFamily: font, terminalFontSize: size, defaultTemplateId: template });
}

export async function getPreferences(ctx: ServiceContext): Promise<Preferences> {
  const actor = requireActor(ctx);
  const [row] = await db().select({ preferences: users.preferences }).from(users).where(eq(users.id, actor.id));
  if (!row) throw new BerthError("UNAUTHORIZED", "This account no longer exists.");
  return withDefaults(db(), row.preferences);
}

export async function updatePreferences(ctx: ServiceContext, input: PreferencesUpdateInput): Promise<Preferences> {
  const actor = requireActor(ctx);
  return audited(ctx, { action: "user.preferences.update", targetType: "user", targetId: actor.id, details: { fields: Object.keys(input) } }, async (tx) => {
    const [row] = await tx.select({ preferences: users.preferences }).from(users).where(eq(users.id, actor.id)).for("update");
    if (!row) throw new BerthError("UNAUTHORIZED", "This account no longer exists.");
    if (input.defaultTemplateId && !(await enabledTemplate(tx, input.defaultTemplateId))) {
      throw new BerthError("VALIDATION_ERROR", "No such template, or it is disabled.", { details: { fields: { defaultTemplateId: ["Unknown or disabled template"] } } });
    }
    const next: UserPreferences = { ...row.preferences };
    if (input.theme !== undefined) next.theme = input.theme;
    if (input.terminalFontFamily !== undefined) next.terminalFontFamily = input.terminalFontFamily;
    if (input.terminalFontSize !== undefined) next.terminalFontSize = input.terminalFontSize;
    if (input.defaultTemplateId === null) delete next.defaultTemplateId;
    else if (input.defaultTemplateId !== undefined) next.defaultTemplateId = input.defaultTemplateId;
    await tx.update(users).set({ preferences: next, updatedAt: new Date() }).where(eq(users.id, actor.id));
    return withDefaults(tx, next);
  });
}
