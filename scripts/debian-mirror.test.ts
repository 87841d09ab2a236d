import { describe, expect, it } from "vitest";
import { parseDeb822Sources, parseOneLineSources, pickMirror } from "./debian-mirror";

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
`;

describe("Debian mirror discovery", () => {
  it("reads deb822 sources and picks the archive that carries the suite, not security", () => {
    const sources = parseDeb822Sources(DEB822);
    expect(sources).toHaveLength(2);
    expect(pickMirror(sources, "bookworm")).toBe("http://deb.debian.org/debian");
  });

  it("skips disabled stanzas and third-party repositories, even ones ending in /debian", () => {
    const sources = [
      ...parseOneLineSources("deb [arch=amd64 signed-by=/k.gpg] https://download.docker.com/linux/debian bookworm stable\n"),
      ...parseDeb822Sources("Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n"),
      ...parseOneLineSources("# a comment\ndeb http://ftp.fr.debian.org/debian/ trixie main contrib\n"),
    ];
    // Another suite's Debian mirror still serves bookworm.
    expect(pickMirror(sources, "bookworm")).toBe("http://ftp.fr.debian.org/debian");
  });

  it("answers null when nothing looks like a Debian archive", () => {
    expect(pickMirror(parseOneLineSources("deb https://deb.nodesource.com/node_20.x nodistro main\n"), "bookworm")).toBeNull();
  });
});
