import { describe, expect, it } from "vitest";
import { backoffMs, describeClose } from "./terminal-protocol";

describe("terminal client protocol", () => {
  it("backs off 1, 2, 4, 8 s, then every 15 s", () => {
    expect([0, 1, 2, 3, 4, 10].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
  });

  it("does not retry on its own after the close codes that need a person", () => {
    expect(describeClose(4401)).toMatchObject({ final: true });
    expect(describeClose(4404)).toMatchObject({ final: true });
    expect(describeClose(4409)).toMatchObject({ final: true, message: expect.stringContaining("not running") });
    expect(describeClose(1006)).toMatchObject({ final: false });
    expect(describeClose(1001)).toMatchObject({ final: false });
  });
});
