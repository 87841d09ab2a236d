// Keyset pagination over (created_at desc, id desc): stable while rows are added.
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { BerthError } from "@/server/errors";

type Cursor = { t: string; id: string };

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), id } satisfies Cursor)).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<Cursor>;
    const createdAt = new Date(String(parsed.t));
    if (typeof parsed.id !== "string" || Number.isNaN(createdAt.getTime())) throw new Error("bad cursor");
    return { createdAt, id: parsed.id };
  } catch {
    throw new BerthError("VALIDATION_ERROR", "The cursor is not valid: pass nextCursor from a previous page unchanged.", {
      details: { fields: { cursor: ["Invalid cursor"] } },
    });
  }
}

/** The WHERE part that starts a page after `cursor`. */
export function afterCursor(cursor: string | undefined, createdAt: PgColumn, id: PgColumn): SQL | undefined {
  if (!cursor) return undefined;
  const c = decodeCursor(cursor);
  return or(lt(createdAt, c.createdAt), and(eq(createdAt, c.createdAt), lt(id, c.id)));
}

/** Given limit+1 rows, returns the page and the cursor of the next one. */
export function pageFrom<R extends { createdAt: Date; id: string }>(rows: R[], limit: number): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!;
  return { rows: page, nextCursor: encodeCursor(last.createdAt, last.id) };
}
