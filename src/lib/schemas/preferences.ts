// A person's dashboard preferences (theme, terminal font and size, default template): what the API
// answers (every field, defaults filled in) and what it takes (any subset).
import { z } from "zod";

export const TERMINAL_FONT_SIZE = { min: 10, max: 24 } as const;
export const TERMINAL_FONTS = ["System monospace", "JetBrains Mono", "Fira Code", "Source Code Pro", "DejaVu Sans Mono", "Menlo", "Consolas"] as const;
export const Theme = z.enum(["light", "dark", "system"], { error: "theme must be light, dark or system" });

export const Preferences = z
  .object({
    theme: Theme.describe("light or dark everywhere; system: each device keeps its own setting (its toggle, else the OS)"),
    terminalFontFamily: z.enum(TERMINAL_FONTS),
    terminalFontSize: z.number().int(),
    defaultTemplateId: z.string().nullable().describe("Preselected when you create a slot; null: the platform's default"),
  })
  .meta({ id: "Preferences" });
export type Preferences = z.infer<typeof Preferences>;

export const DEFAULT_PREFERENCES: Preferences = { theme: "system", terminalFontFamily: "System monospace", terminalFontSize: 13, defaultTemplateId: null };

export const PreferencesUpdateInput = z
  .object({
    theme: Theme.optional(),
    terminalFontFamily: z.enum(TERMINAL_FONTS, { error: `terminalFontFamily must be one of ${TERMINAL_FONTS.join(", ")}` }).optional(),
    terminalFontSize: z
      .number({ error: "terminalFontSize must be a number" })
      .int("terminalFontSize must be a whole number")
      .min(TERMINAL_FONT_SIZE.min, `terminalFontSize must be between ${TERMINAL_FONT_SIZE.min} and ${TERMINAL_FONT_SIZE.max}`)
      .max(TERMINAL_FONT_SIZE.max, `terminalFontSize must be between ${TERMINAL_FONT_SIZE.min} and ${TERMINAL_FONT_SIZE.max}`)
      .optional(),
    defaultTemplateId: z.string().min(1).max(64).nullable().optional().describe("An enabled template's id; null clears it"),
  })
  .strict();
export type PreferencesUpdateInput = z.infer<typeof PreferencesUpdateInput>;
