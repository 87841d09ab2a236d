// The typed client's example, run as a user would run it (a separate process, an API key from the
// REST API), against the live server: creates a slot, runs a command, prints its output, deletes it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { uniqueEmail } from "./support/helpers";

const run = promisify(execFile);

test("examples/slot-roundtrip.ts drives a slot through berth/client with an API key", async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("client");
  const password = "typed-client-e2e-password";
  expect((await request.post("/api/v1/auth/register", { data: { email, password } })).status()).toBe(201);
  const { accessToken } = (await (await request.post("/api/v1/auth/token", { data: { email, password } })).json()) as { accessToken: string };
  const auth = { Authorization: `Bearer ${accessToken}` };
  const created = await request.post("/api/v1/api-keys", { headers: auth, data: { name: "example", scopes: ["slots:read", "slots:write", "exec"] } });
  expect(created.status()).toBe(201);
  const { key } = (await created.json()) as { key: string };

  const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/slot-roundtrip.ts"], {
    env: { ...process.env, BERTH_URL: baseURL, BERTH_API_KEY: key },
    timeout: 100_000,
  });
  expect(stdout).toMatch(/slot slt_\w+ is running/);
  expect(stdout).toMatch(/hello from \S+\nLinux\nexit code 0/);
  expect(stdout).toMatch(/slot slt_\w+ deleted/);
  // The live subscription (server-sent events through the same client and key) saw it all happen.
  expect(stdout).toContain("events: slot.created, slot.started, command.finished, slot.deleted");
  // Nothing left behind.
  await expect.poll(async () => (await (await request.get("/api/v1/slots", { headers: auth })).json()) as unknown, { timeout: 30_000 }).toEqual({ data: [], nextCursor: null });

  // Without the exec scope, the example stops with the API's own words.
  const narrow = (await (await request.post("/api/v1/api-keys", { headers: auth, data: { name: "narrow", scopes: ["slots:read"] } })).json()) as { key: string };
  const failed = await run(process.execPath, ["--import", "tsx", "examples/slot-roundtrip.ts"], { env: { ...process.env, BERTH_URL: baseURL, BERTH_API_KEY: narrow.key } }).catch((e: { code: number; stderr: string }) => e);
  expect((failed as { code: number }).code).toBe(1);
  expect((failed as { stderr: string }).stderr).toContain("FORBIDDEN: This API key lacks the slots:write scope.");
});
