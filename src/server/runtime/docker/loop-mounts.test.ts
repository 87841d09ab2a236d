import { describe, expect, it } from "vitest";
import { parseMountInfo } from "./loop-mounts";

describe("parseMountInfo", () => {
  it("reads the mount point, fs type and source, with optional fields and escaped spaces", () => {
    const text = [
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
      "42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/vda rw",
      "682 27 7:0 / /srv/berth\\040data/homes/slt_1 rw,nosuid,nodev,relatime - ext4 /dev/loop0 rw",
      "569 42 7:0 /home /var/lib/docker/volumes/berth-home-slt_1/_data rw,nosuid shared:16 - ext4 /dev/loop0 rw",
      "",
    ].join("\n");
    expect(parseMountInfo(text)).toEqual([
      { mountPoint: "/", source: "/dev/vda", fsType: "ext4" },
      { mountPoint: "/var/lib/docker", source: "/dev/vda", fsType: "ext4" },
      { mountPoint: "/srv/berth data/homes/slt_1", source: "/dev/loop0", fsType: "ext4" },
      { mountPoint: "/var/lib/docker/volumes/berth-home-slt_1/_data", source: "/dev/loop0", fsType: "ext4" },
    ]);
  });
});
