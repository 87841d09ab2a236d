import { describe, expect, it } from "vitest";
import { BerthError } from "@/server/errors";
import { decodeCursor, encodeCursor, pageFrom } from "./pagination";

describe("keyset pagination", () => {
  it("round-trips a cursor", () => {
    const at = new Date("2026-11-23T10:00:00.123Z");
    expect(decodeCursor(encodeCursor(at, "usr_1"))).toEqual({ createdAt: at, id: "usr_1" });
  });

  it.each(["", "%%%", "bm90IGpzb24", Buffer.from('{"t":"nope","id":"x"}').toString("base64url"), Buffer.from('{"t":"2026-01-01"}').toString("base64url")])(
    "rejects the tampered cursor %j as VALIDATION_ERROR",
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(BerthError);
      try {
        decodeCursor(cursor);
      } catch (e) {
        expect((e as BerthError).code).toBe("VALIDATION_ERROR");
      }
    },
  );

  it("cuts limit+1 rows into a page and the cursor of its last row", () => {
    const rows = [3, 2, 1].map((n) => ({ id: `r${n}`, createdAt: new Date(n * 1000) }));
    const page = pageFrom(rows, 2);
    expect(page.rows.map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(decodeCursor(page.nextCursor!)).toEqual({ createdAt: new Date(2000), id: "r2" });
    expect(pageFrom(rows, 3).nextCursor).toBeNull();
  });
});
