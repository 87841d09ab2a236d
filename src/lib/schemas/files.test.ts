import { describe, expect, it } from "vitest";
import { parseSlotPath } from "./files";

describe("parseSlotPath", () => {
  it.each([
    ["/", "/"],
    ["", "/"],
    ["a/b", "/a/b"],
    ["//a/./b/", "/a/b"],
    ["/etc/passwd", "/etc/passwd"],
    ["．．/x", "/．．/x"],
    ["....", "/...."],
    ["%41bc", "/%41bc"],
  ])("normalizes %j to %j", (raw, path) => {
    expect(parseSlotPath(raw)).toMatchObject({ ok: true, path });
  });

  it.each(["..", "a/../b", "%2e%2e", "%252e%252e/x", ".%2e", "..%2fx", "a\\..\\b", "%c0%ae%c0%ae", "a\0b", "%00", "x".repeat(256), "a/".repeat(2100)])("refuses %j", (raw) => {
    expect(parseSlotPath(raw).ok).toBe(false);
  });
});
