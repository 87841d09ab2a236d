// A person makes an API key in the dashboard, copies it from the one-time dialog, drives the REST
// API with it (what its scopes allow, and a clear 403 for what they do not), sees its last use in
// the list, and revokes it after a confirmation.
import { expect, test } from "@playwright/test";
import { signUp, snap, uniqueEmail } from "./support/helpers";

test("creates a scoped key, uses it over REST, sees its last use and revokes it", async ({ page, request }) => {
  test.setTimeout(90_000);
  await signUp(page, { email: uniqueEmail("keys"), password: "api-keys-e2e-password" });
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await expect(page.getByText("No API keys yet")).toBeVisible();

  await page.getByRole("button", { name: "New API key" }).click();
  const dialog = page.getByRole("dialog");
  // No admin scope for a person who is not an administrator.
  await expect(dialog.getByLabel("admin")).toHaveCount(0);
  await dialog.getByLabel("slots:read").uncheck();
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByText("name cannot be empty")).toBeVisible();
  await expect(dialog.getByText("choose at least one scope")).toBeVisible();
  await dialog.getByLabel("Name").fill("CI deploy");
  await dialog.getByLabel("slots:read").check();
  await dialog.getByLabel("slots:write").check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByRole("heading", { name: "Key created" })).toBeVisible();
  const key = (await dialog.getByTestId("api-key-value").textContent())!.trim();
  expect(key).toMatch(/^brt_/);
  await snap(page, "api-key-created");
  await dialog.getByRole("button", { name: "Done" }).click();

  const row = page.getByTestId("api-key-row-CI deploy");
  await expect(row).toContainText(key.slice(0, 12));
  await expect(row).toContainText("slots:write");
  await expect(row).toContainText("Never");
  await expect(page.getByText(key)).toHaveCount(0);

  // The key works for what it may do…
  const auth = { Authorization: `Bearer ${key}` };
  const slots = await request.get("/api/v1/slots", { headers: auth });
  expect(slots.status()).toBe(200);
  expect(await slots.json()).toEqual({ data: [], nextCursor: null });
  // …and says which scope is missing for the rest.
  const exec = await request.post("/api/v1/slots/slt_doesnotexist/exec", { headers: auth, data: { command: ["true"] } });
  expect(exec.status()).toBe(403);
  expect((await exec.json()).error).toMatchObject({ code: "FORBIDDEN", details: { missingScope: "exec" } });

  await page.reload();
  await expect(row).not.toContainText("Never", { timeout: 10_000 });
  await expect(row).toContainText(/127\.0\.0\.1|::1/);
  await snap(page, "api-keys");

  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("stops working at once");
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Key revoked")).toBeVisible();
  await expect(row).toHaveCount(0);
  expect((await request.get("/api/v1/slots", { headers: auth })).status()).toBe(401);

  await page.getByLabel("Show revoked and expired keys").check();
  await expect(row).toContainText("revoked");
});

test("makes an OAuth client, trades its credentials for a token, and revokes it", async ({ page, request }) => {
  test.setTimeout(90_000);
  await signUp(page, { email: uniqueEmail("oauth"), password: "oauth-e2e-password" });
  await page.goto("/settings/api-keys");
  await expect(page.getByText("No OAuth clients")).toBeVisible();
  await page.getByRole("button", { name: "New OAuth client" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("deploy bot");
  await dialog.getByRole("button", { name: "Create client" }).click();
  await expect(dialog.getByRole("heading", { name: "Client created" })).toBeVisible();
  const clientId = (await dialog.getByTestId("oauth-client-id").textContent())!.trim();
  const secret = (await dialog.getByTestId("oauth-client-secret").textContent())!.trim();
  await snap(page, "oauth-client-created");
  await dialog.getByRole("button", { name: "Done" }).click();
  const row = page.getByTestId("oauth-client-row-deploy bot");
  await expect(row).toContainText(clientId);
  await expect(row).toContainText("Never");

  const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`;
  const res = await request.post("/api/v1/oauth/token", { headers: { Authorization: basic }, form: { grant_type: "client_credentials" } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { access_token: string; token_type: string; scope: string };
  expect(body).toMatchObject({ token_type: "Bearer", scope: "slots:read" });
  expect((await request.get("/api/v1/slots", { headers: { Authorization: `Bearer ${body.access_token}` } })).status()).toBe(200);
  const wrong = await request.post("/api/v1/oauth/token", { headers: { Authorization: `Basic ${Buffer.from(`${clientId}:nope`).toString("base64")}` }, form: { grant_type: "client_credentials" } });
  expect(wrong.status()).toBe(401);
  expect(await wrong.json()).toMatchObject({ error: "invalid_client" });

  await page.reload();
  await expect(row).not.toContainText("Never");
  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Client revoked")).toBeVisible();
  await expect(row).toHaveCount(0);
  expect((await request.get("/api/v1/slots", { headers: { Authorization: `Bearer ${body.access_token}` } })).status()).toBe(401);
});
