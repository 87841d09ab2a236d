// A person sets a variable for all their slots, a dark theme, then a secret variable and a provider
// key on a slot's Environment page (the values are never shown back), restarts the slot, and reads
// them all with printenv in its terminal.
import { expect, test } from "@playwright/test";
import { signUp, snap, uniqueEmail } from "./support/helpers";

const VALUE = "e2e-secret-value-7Hq2Lm9X";
const ANTHROPIC = `sk-ant-api03-${"E2eKey".repeat(7)}`;

test("sets a secret in the UI, restarts the slot and sees it with printenv in the terminal", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, { email: uniqueEmail("secrets"), password: "secrets-e2e-password" });

  // A variable for all of one's slots, and a preference that applies at once.
  await page.goto("/settings/env");
  await page.getByRole("button", { name: "Add variable" }).click();
  await page.getByLabel("Name").fill("E2E_USER_WIDE");
  await page.getByLabel("Value", { exact: true }).fill("user-wide-value");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByTestId("env-var-user-E2E_USER_WIDE")).toContainText("••••••••");
  await page.goto("/settings/preferences");
  await page.getByLabel("Theme").click();
  await page.getByRole("option", { name: "Dark" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await snap(page, "preferences");

  await page.goto("/slots");
  await page.getByRole("button", { name: "New slot" }).click();
  await page.getByLabel("Name").fill("envy");
  await page.getByRole("button", { name: "Create slot" }).click();
  const row = page.getByTestId("slot-row-envy");
  await expect(row.getByTestId("slot-status")).toHaveText(/running/, { timeout: 60_000 });
  await row.getByRole("link", { name: "envy" }).click();

  await page.getByRole("link", { name: "Environment" }).click();
  await expect(page).toHaveURL(/\/slots\/slt_\w+\/env$/);
  await expect(page.getByTestId("restart-notice")).toContainText("restart the slot");

  // A variable: the value goes into a password field and is never shown again.
  await page.getByRole("button", { name: "Add variable" }).click();
  await page.getByLabel("Name").fill("E2E_SECRET");
  await expect(page.getByLabel("Value", { exact: true })).toHaveAttribute("type", "password");
  await page.getByLabel("Value", { exact: true }).fill(VALUE);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const variable = page.getByTestId("env-var-slot-E2E_SECRET");
  await expect(variable).toContainText("E2E_SECRET");
  await expect(variable).toContainText("…Lm9X");
  await expect(page.getByTestId("env-var-user-E2E_USER_WIDE")).toContainText("all your slots");

  // A provider key: a wrong shape is explained, a right one is stored masked.
  const anthropic = page.getByTestId("credential-anthropic");
  await anthropic.getByRole("button", { name: "Set" }).click();
  await page.getByLabel(/^Key of Anthropic/).fill("not-a-key");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/does not look like a valid Anthropic key/)).toBeVisible();
  await page.getByLabel(/^Key of Anthropic/).fill(ANTHROPIC);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(anthropic).toContainText("sk-ant-api03-…");
  await expect(page.locator("body")).not.toContainText(VALUE);
  await expect(page.locator("body")).not.toContainText(ANTHROPIC);
  await snap(page, "slot-env");

  // Restart, then a new terminal has both.
  await page.getByRole("link", { name: "Back to the slot" }).click();
  await page.getByRole("button", { name: "Restart" }).click();
  await expect(page.getByTestId("slot-events")).toContainText("slot.restarting", { timeout: 30_000 });
  await expect(page.getByTestId("slot-status")).toHaveText(/running/, { timeout: 60_000 });
  await page.getByRole("link", { name: "Terminal" }).click();
  await expect(page.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 30_000 });
  const screen = page.getByTestId("terminal-screen");
  await expect(screen.locator(".xterm-rows")).toContainText("$", { timeout: 15_000 });
  await screen.click();
  await page.keyboard.type("printenv E2E_SECRET E2E_USER_WIDE ANTHROPIC_API_KEY");
  await page.keyboard.press("Enter");
  await expect(screen.locator(".xterm-rows")).toContainText(VALUE);
  await expect(screen.locator(".xterm-rows")).toContainText("user-wide-value");
  await expect(screen.locator(".xterm-rows")).toContainText(ANTHROPIC.slice(0, 40));
  await snap(page, "secrets-printenv");

  // Clean up: delete the slot.
  await page.getByRole("link", { name: "envy" }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete slot" }).click();
  await expect(page).toHaveURL(/\/slots$/);
});
