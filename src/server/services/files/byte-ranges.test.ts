import { describe, expect, it } from "vitest";
import { chooseRange } from "./byte-ranges";

describe("chooseRange", () => {
  it.each([
    [null, 100, { kind: "full" }],
    ["bytes=0-9", 100, { kind: "partial", start: 0, length: 10 }],
    ["bytes=90-", 100, { kind: "partial", start: 90, length: 10 }],
    ["bytes=90-500", 100, { kind: "partial", start: 90, length: 10 }],
    ["bytes=-10", 100, { kind: "partial", start: 90, length: 10 }],
    ["bytes=-500", 100, { kind: "partial", start: 0, length: 100 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=0-0", 0, { kind: "unsatisfiable" }],
    ["bytes=5-1", 100, { kind: "full" }],
    ["bytes=0-1,5-6", 100, { kind: "full" }],
    ["items=0-1", 100, { kind: "full" }],
  ] as const)("%j of %d bytes", (header, size, choice) => {
    expect(chooseRange(header, size)).toEqual(choice);
  });
});
