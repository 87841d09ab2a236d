// Reading the admin forms' values: numbers, environment variables, argument lists.

/** A number field: empty → undefined; anything else is sent as typed, for the server to judge. */
export function numberField(form: FormData, key: string): number | undefined {
  const raw = String(form.get(key) ?? "").trim();
  return raw === "" ? undefined : Number(raw);
}

/** `KEY=value` lines → an object; blank lines are skipped. Returns the first bad line as an error. */
export function parseEnv(text: string): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { error: `Line ${i + 1}: write KEY=value` };
    env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return { env };
}

/** Sorted by name: the database does not keep the order they were typed in. */
export function formatEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

/** One argument per line → the argument list, or null when empty (keep the image's command). */
export function parseArgs(text: string): string[] | null {
  const args = text.split("\n").filter((line) => line.trim() !== "");
  return args.length ? args : null;
}
