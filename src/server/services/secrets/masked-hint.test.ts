import { describe, expect, it } from "vitest";
import { maskedHint } from "./masked-hint";

describe("maskedHint", () => {
  it("shows nothing of a short value, not even its length", () => {
    expect(maskedHint("x")).toBe("••••••••");
    expect(maskedHint("fifteen-chars!!")).toBe("••••••••");
  });

  it("shows the last 4 characters of a long value, and a provider's common prefix", () => {
    expect(maskedHint("0123456789abcdefWXYZ")).toBe("…WXYZ");
    expect(maskedHint("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123", /^sk-ant-(api\d+-)?/)).toBe("sk-ant-api03-…0123");
    expect(maskedHint("ghp_shortish", /^ghp_/)).toBe("ghp_••••••••");
  });

  it("never contains the value", () => {
    for (const v of ["a", "password123", "correct horse battery staple", "ünïcødé-ünïcødé-ünïcødé"]) {
      expect(maskedHint(v)).not.toContain(v);
    }
  });
});
