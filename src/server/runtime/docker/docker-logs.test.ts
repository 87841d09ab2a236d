import { describe, expect, it } from "vitest";
import { DockerLogDemuxer } from "./docker-logs";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function demux(chunks: Buffer[]): Promise<string> {
  const demuxer = new DockerLogDemuxer();
  const out: Buffer[] = [];
  demuxer.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => demuxer.on("end", resolve));
  for (const c of chunks) demuxer.write(c);
  demuxer.end();
  await done;
  return Buffer.concat(out).toString();
}

describe("DockerLogDemuxer", () => {
  it("strips frame headers, keeping stdout and stderr in arrival order", async () => {
    expect(await demux([Buffer.concat([frame(1, "out 1\n"), frame(2, "err\n"), frame(1, "out 2\n")])])).toBe("out 1\nerr\nout 2\n");
  });

  it("joins frames split anywhere across chunks, headers included", async () => {
    const all = Buffer.concat([frame(1, "hello "), frame(2, "wörld\n")]);
    const bytes = [...all].map((b) => Buffer.from([b]));
    expect(await demux(bytes)).toBe("hello wörld\n");
  });

  it("passes a stream that is not framed (a TTY container) through untouched", async () => {
    expect(await demux([Buffer.from("plain text from a tty\n")])).toBe("plain text from a tty\n");
  });
});
