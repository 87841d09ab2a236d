// Which Debian mirror this machine uses, read from apt's own configuration (both formats).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type AptSource = { types: string[]; uris: string[]; suites: string[]; components: string[] };

export const FALLBACK_MIRROR = "http://deb.debian.org/debian";

/** deb822 stanzas (`*.sources`): `Key: value` lines, stanzas separated by blank lines. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split("\n")) {
      if (line.startsWith("#") || !line.trim()) continue;
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`); // continuation line
        continue;
      }
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      fields.set(last, line.slice(colon + 1).trim());
    }
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    const words = (key: string) => (fields.get(key) ?? "").split(/\s+/).filter(Boolean);
    if (fields.has("uris")) {
      sources.push({ types: words("types"), uris: words("uris"), suites: words("suites"), components: words("components") });
    }
  }
  return sources;
}

/** One-line format (`sources.list`): `deb [options] URI suite component…`. */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").replace(/\[[^\]]*\]/, "").trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (!type || !uri || !suite || (type !== "deb" && type !== "deb-src")) continue;
    sources.push({ types: [type], uris: [uri], suites: [suite], components });
  }
  return sources;
}

/**
 * The mirror to debootstrap `suite` from. Debian archives carry the `main` component and usually sit
 * at a path ending in /debian; third-party repositories (Docker's ends in /debian too, but has no
 * `main`) and security or CD sources never qualify. Best first: a source already carrying `suite`.
 */
export function pickMirror(sources: AptSource[], suite: string): string | null {
  const usable = sources
    .filter((s) => s.types.includes("deb") && s.components.includes("main"))
    .flatMap((s) => s.uris.map((uri) => ({ uri: uri.replace(/\/+$/, ""), suites: s.suites })))
    .filter(({ uri }) => /^(https?|file|ftp):\/\//.test(uri) && !/security/.test(uri));
  const isDebian = (uri: string) => /\/debian$/.test(uri);
  const found =
    usable.find((s) => s.suites.includes(suite) && isDebian(s.uri)) ??
    usable.find((s) => isDebian(s.uri)) ??
    usable.find((s) => s.suites.includes(suite));
  return found?.uri ?? null;
}

/** Reads /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}. */
export function configuredDebianMirror(suite: string, aptDir = "/etc/apt"): string | null {
  const sources: AptSource[] = [];
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  sources.push(...parseOneLineSources(read(path.join(aptDir, "sources.list"))));
  let entries: string[] = [];
  try {
    entries = readdirSync(path.join(aptDir, "sources.list.d")).sort();
  } catch {
    // no sources.list.d: only the main file counts
  }
  for (const name of entries) {
    const file = path.join(aptDir, "sources.list.d", name);
    if (name.endsWith(".sources")) sources.push(...parseDeb822Sources(read(file)));
    else if (name.endsWith(".list")) sources.push(...parseOneLineSources(read(file)));
  }
  return pickMirror(sources, suite);
}
