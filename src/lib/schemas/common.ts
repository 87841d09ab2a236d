// Shapes every area shares: pagination, timestamps, the error body.
import { z } from "zod";

export const IsoDate = z.iso.datetime({ offset: true }).describe("ISO-8601 UTC time");

/**
 * A boolean input. The REST adapter (trpc-to-openapi) marks every plain `z.boolean()` of an input
 * as coercing — JSON bodies included, and on the shared schema — so `"false"` or `"yes"` became
 * `true`. A union is left alone by it: this takes true/false, or the strings "true"/"false"
 * (query strings), and refuses anything else with a VALIDATION_ERROR naming the field.
 */
export function inputBoolean(field: string) {
  return z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: `${field} must be true or false` });
}

export const PageQuery = z.object({
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be between 1 and 100")
    .max(100, "limit must be between 1 and 100")
    .default(20)
    .describe("Items per page, 1–100 (default 20)"),
  cursor: z.string().max(500).optional().describe("nextCursor from the previous page"),
});
export type PageQuery = z.infer<typeof PageQuery>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null on the last page"),
  });
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe("Machine-readable code, e.g. VALIDATION_ERROR"),
      message: z.string().describe("A sentence a person can act on"),
      details: z.record(z.string(), z.unknown()).optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: "Error" });

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });

/** Email as people type it: trimmed, lower-cased. */
export const Email = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "Enter a valid email address" }).max(254, "Email is too long"));

export const Password = z
  .string({ error: "Password is required" })
  .min(8, "Password must be at least 8 characters")
  .max(200, "Password must be at most 200 characters");
