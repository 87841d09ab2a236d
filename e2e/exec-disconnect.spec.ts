// A script that runs a command through REST and then goes away (Ctrl-C, a crashed CI job) must not
// leave the command running in the slot. The production server behind Next: a real client
// disconnect, not a signal handed to the handler by a test. Both the waiting form (POST …/exec) and
// the NDJSON stream (POST …/exec/stream).
import { expect, test, type APIRequestContext } from "@playwright/test";
import { uniqueEmail } from "./support/helpers";

const PASSWORD = "exec-disconnect-password";
type Exec = { id: string; status: string; stdout: string };

async function account(request: APIRequestContext): Promise<Record<string, string>> {
  const email = uniqueEmail("exec");
  expect((await request.post("/api/v1/auth/register", { data: { email, password: PASSWORD } })).status()).toBe(201);
  const token = (await (await request.post("/api/v1/auth/token", { data: { email, password: PASSWORD } })).json()) as { accessToken: string };
  return { Authorization: `Bearer ${token.accessToken}`, "Content-Type": "application/json" };
}

test("a command whose caller hangs up is cancelled, its processes gone (waiting and streaming forms)", async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const headers = await account(request);
  const created = await request.post("/api/v1/slots", { headers, data: { name: "exec-hangup", wait: true } });
  expect(created.status()).toBe(201);
  const slotId = ((await created.json()) as { slot: { id: string } }).slot.id;
  const execs = async () => ((await (await request.get(`/api/v1/slots/${slotId}/execs`, { headers })).json()) as { data: Exec[] }).data;
  const sleepers = async (tag: string) => {
    // Every command line in the slot, one per line; only the sleep itself starts with "sleep" (its
    // shell's line holds the words too), and the brackets keep this grep out of its own count.
    const res = await request.post(`/api/v1/slots/${slotId}/exec`, { headers, data: { command: `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done | grep -c '^[s]leep ${tag}' || true` } });
    return Number(((await res.json()) as Exec).stdout.trim());
  };

  for (const [route, tag] of [
    ["exec", "301"],
    ["exec/stream", "302"],
  ] as const) {
    const hangUp = new AbortController();
    const pending = fetch(`${baseURL}/api/v1/slots/${slotId}/${route}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ command: `echo started; sleep ${tag}; echo never`, timeoutMs: 600_000 }),
      signal: hangUp.signal,
    }).then(async (res) => {
      // The stream form answers at once and goes on; the waiting form answers only at the end.
      if (route === "exec/stream") await res.body?.getReader().read();
      else await res.text();
    });
    pending.catch(() => undefined);

    // Running in the slot…
    await expect.poll(async () => (await execs()).find((e) => e.status === "running")?.id ?? null, { timeout: 20_000 }).not.toBeNull();
    await expect.poll(() => sleepers(tag), { timeout: 10_000 }).toBe(1);
    const running = (await execs()).find((e) => e.status === "running")!;

    // …until the caller goes away: the command is recorded cancelled and nothing of it is left.
    hangUp.abort();
    await expect
      .poll(async () => ((await (await request.get(`/api/v1/slots/${slotId}/execs/${running.id}`, { headers })).json()) as Exec).status, { timeout: 20_000 })
      .toBe("cancelled");
    expect(await sleepers(tag)).toBe(0);
  }

  expect((await request.delete(`/api/v1/slots/${slotId}`, { headers })).status()).toBeLessThan(300);
});
