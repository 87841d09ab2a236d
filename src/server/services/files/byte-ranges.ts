// The Range header of a download (RFC 9110 §14): one byte range, or the whole file.

export type RangeChoice = { kind: "full" } | { kind: "partial"; start: number; length: number } | { kind: "unsatisfiable" };

/**
 * `bytes=a-b`, `bytes=a-` and `bytes=-n` are served; anything else (other units, several ranges,
 * junk) is ignored and the whole file is sent, as the RFC allows. A range starting past the end is
 * unsatisfiable (416).
 */
export function chooseRange(header: string | null, size: number): RangeChoice {
  if (!header) return { kind: "full" };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: "full" };
  const [, a = "", b = ""] = match;
  if (a === "" && b === "") return { kind: "full" };
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) return { kind: "unsatisfiable" };
    const length = Math.min(suffix, size);
    return size === 0 ? { kind: "unsatisfiable" } : { kind: "partial", start: size - length, length };
  }
  const start = Number(a);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: "unsatisfiable" };
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(end) || end < start) return { kind: "full" };
  return { kind: "partial", start, length: end - start + 1 };
}
