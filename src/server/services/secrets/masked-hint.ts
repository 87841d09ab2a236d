// The masked hint a read shows instead of a value: enough to tell two keys apart, never enough to
// use one, and nothing at all of a short value.
const HIDDEN = "••••••••";
/** A value shows its last 4 characters only from this length on (at least 12 stay hidden). */
const MIN_LENGTH_FOR_TAIL = 16;

/** `prefix`: the part of a key that is the same for everyone (sk-ant-, ghp_), which may be shown. */
export function maskedHint(value: string, prefix?: RegExp): string {
  const chars = Array.from(value);
  const shown = prefix ? (prefix.exec(value)?.[0] ?? "") : "";
  const rest = chars.length - Array.from(shown).length;
  if (rest < MIN_LENGTH_FOR_TAIL) return shown ? `${shown}${HIDDEN}` : HIDDEN;
  return `${shown}…${chars.slice(-4).join("")}`;
}
