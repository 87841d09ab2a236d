import { describe, expect, it } from "vitest";
import { parseStat, scriptError } from "./docker-files";

describe("parseStat", () => {
  it("reads the raw mode's file type", () => {
    expect(parseStat("81a4 12 1700000000")).toEqual({ type: "file", size: 12, modifiedAt: new Date(1_700_000_000_000) });
    expect(parseStat("41ed 4096 0").type).toBe("directory");
    expect(parseStat("41ed 4096 0").size).toBe(0);
    expect(parseStat("a1ff 4 0").type).toBe("symlink");
    expect(parseStat("11a4 0 0").type).toBe("other");
  });
});

describe("scriptError", () => {
  it("maps the script's refusals and the tools' messages", () => {
    expect(scriptError("berth-files:ENOENT:\n", "x").code).toBe("NOT_FOUND");
    expect(scriptError("berth-files:EOUTSIDE:\n", "x").code).toBe("OUTSIDE_HOME");
    expect(scriptError("berth-files:EWRITE:dd: error writing '/proc/12/fd/3/x': No space left on device", "x").code).toBe("NO_SPACE");
    expect(scriptError("berth-files:EMOVE:mv: can't rename: Directory not empty", "x").code).toBe("EXISTS");
    expect(scriptError("sh: something odd", "list").message).toContain("something odd");
  });
});
