import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createTar } from "./tar-archive";

describe("createTar", () => {
  it("writes an archive GNU tar reads back with the owners, modes and links asked for", () => {
    const long = `deep/${"d".repeat(90)}/${"f".repeat(60)}`;
    const archive = createTar([
      { type: "dir", path: "home/berth", mode: 0o755, uid: 1000, gid: 1000 },
      { type: "dir", path: "tmp", mode: 0o1777 },
      { type: "file", path: "etc/passwd", mode: 0o644, content: "root:x:0:0::/root:/bin/sh\n" },
      { type: "symlink", path: "bin/sh", target: "busybox" },
      { type: "file", path: long, mode: 0o600, content: Buffer.alloc(700, 1) },
    ]);
    expect(archive.length % 512).toBe(0);
    const listing = spawnSync("tar", ["-tv", "--numeric-owner", "-f", "-"], { input: archive, encoding: "utf8" });
    expect(listing.status).toBe(0);
    const lines = listing.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^drwxr-xr-x 1000\/1000 +0 .* home\/berth\/$/);
    expect(lines[1]).toMatch(/^drwxrwxrwt 0\/0 +0 .* tmp\/$/);
    expect(lines[2]).toMatch(/^-rw-r--r-- 0\/0 +26 .* etc\/passwd$/);
    expect(lines[3]).toMatch(/^lrwxrwxrwx 0\/0 +0 .* bin\/sh -> busybox$/);
    expect(lines[4]).toMatch(new RegExp(`^-rw------- 0/0 +700 .* ${long}$`));
    const content = spawnSync("tar", ["-xO", "-f", "-", "etc/passwd"], { input: archive, encoding: "utf8" });
    expect(content.stdout).toBe("root:x:0:0::/root:/bin/sh\n");
  });
});
