import { describe, expect, it } from "vitest";
import { formatBytes, joinPath, parentPath, uploadError } from "./upload-queue";

describe("file manager helpers", () => {
  it("joins and splits home paths", () => {
    expect(joinPath("/", "a.txt")).toBe("/a.txt");
    expect(joinPath("/src/app", "main.py")).toBe("/src/app/main.py");
    expect(parentPath("/a.txt")).toBe("/");
    expect(parentPath("/src/app/main.py")).toBe("/src/app");
  });

  it("shows sizes in decimal units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1500)).toBe("1.5 KB");
    expect(formatBytes(104_857_600)).toBe("105 MB");
  });

  it("takes the API's message from an error body, and says something useful otherwise", () => {
    expect(uploadError(403, JSON.stringify({ error: { code: "QUOTA_EXCEEDED", message: "Your uploads would pass 1 GB." } }))).toBe("Your uploads would pass 1 GB.");
    expect(uploadError(413, "<html>")).toMatch(/larger than your plan allows/);
    expect(uploadError(0, "")).toMatch(/connection was lost/);
    expect(uploadError(502, "")).toBe("The upload failed (HTTP 502).");
  });
});
