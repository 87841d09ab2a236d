import { describe, expect, it } from "vitest";
import { ExecFrameParser } from "./docker-exec";

const frame = (stream: number, data: string) => {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(Buffer.byteLength(data), 4);
  return Buffer.concat([header, Buffer.from(data)]);
};

describe("ExecFrameParser", () => {
  it("splits frames cut anywhere, keeping stdout and stderr apart", () => {
    const all = Buffer.concat([frame(1, "hello "), frame(2, "oops"), frame(1, "world")]);
    for (let cut = 1; cut < all.length; cut++) {
      const d = new ExecFrameParser();
      const out: Record<number, string> = { 1: "", 2: "" };
      for (const part of [all.subarray(0, cut), all.subarray(cut)]) d.push(part, (s, data) => ((out[s] += data.toString()), true));
      expect(out).toEqual({ 1: "hello world", 2: "oops" });
    }
  });
});
