// A new person creates a slot in the dashboard, sees it running, stops it and deletes it.
import { expect, test } from "@playwright/test";
import { signUp, snap, uniqueEmail } from "./support/helpers";

const PASSWORD = "slots-e2e-password";

test("creates a slot, sees it running, stops and deletes it", async ({ page }) => {
  await signUp(page, { email: uniqueEmail("slots"), password: PASSWORD, name: "Slot Person" });
  await page.getByRole("link", { name: "Slots" }).first().click();
  await expect(page).toHaveURL(/\/slots$/);
  await expect(page.getByText("No slots yet")).toBeVisible();
  await snap(page, "slots-empty");

  await page.getByRole("button", { name: "New slot" }).click();
  await page.getByLabel("Name").fill("my-first-slot");
  await snap(page, "slots-create-dialog");
  await page.getByRole("button", { name: "Create slot" }).click();

  const row = page.getByTestId("slot-row-my-first-slot");
  await expect(row).toBeVisible();
  await expect(row.getByTestId("slot-status")).toHaveText(/running/, { timeout: 60_000 });
  await snap(page, "slots-running");

  // A second slot is made but waits, stopped: the free plan allows one running slot.
  await page.getByRole("button", { name: "New slot" }).click();
  await page.getByLabel("Name").fill("second");
  await page.getByRole("button", { name: "Create slot" }).click();
  await expect(page.getByTestId("slot-row-second").getByTestId("slot-status")).toHaveText(/stopped/, { timeout: 30_000 });

  await row.getByRole("link", { name: "my-first-slot" }).click();
  await expect(page.getByRole("heading", { name: "my-first-slot" })).toBeVisible();
  await expect(page.getByTestId("slot-events")).toContainText("slot.started");
  await expect(page.getByTestId("slot-logs")).toContainText("No output yet.");
  await expect(page.getByTestId("logs-following")).toBeVisible();

  // Live metrics arrive over the subscription within seconds of opening the page.
  await expect(page.getByTestId("metrics-live")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("metric-cpu")).toHaveText(/^\d+ of \d+ millicores$/, { timeout: 20_000 });
  await expect(page.getByTestId("metric-memory")).toHaveText(/^[\d.]+ (B|KiB|MiB) of [\d.]+ (MiB|GiB)$/);
  await expect(page.getByTestId("metric-processes")).toHaveText(/^\d+ running$/);
  await expect(page.getByTestId("chart-memory").locator(".recharts-area-area")).toHaveCount(1);
  const cpuBefore = await page.getByTestId("chart-cpu").locator(".recharts-area-curve").getAttribute("d");
  await expect.poll(async () => page.getByTestId("chart-cpu").locator(".recharts-area-curve").getAttribute("d"), { timeout: 20_000 }).not.toBe(cpuBefore);

  // The free plan stops idle slots; the page says when, and "Keep running" counts as activity.
  await expect(page.getByTestId("auto-stop")).toContainText(/Stops when idle in \d+ minutes/);
  await page.getByRole("button", { name: "Keep running" }).click();
  await expect(page.getByText("Marked as active")).toBeVisible();
  await snap(page, "slot-detail");

  // Changing memory on a running slot applies live, and the page says so; the limit follows.
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Memory (MiB)").fill("512");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("The new limits apply now, to the running slot.")).toBeVisible();
  await expect(page.getByText("512 MiB", { exact: true })).toBeVisible();
  await expect(page.getByTestId("metric-memory")).toHaveText(/ of 512 MiB$/, { timeout: 20_000 });
  await expect(page.getByTestId("slot-events")).toContainText("slot.resources.changed");

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByTestId("slot-status")).toHaveText(/stopped/, { timeout: 30_000 });

  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("cannot be undone");
  await page.getByRole("button", { name: "Delete slot" }).click();
  await expect(page).toHaveURL(/\/slots$/);
  await expect(page.getByTestId("slot-row-my-first-slot")).toHaveCount(0, { timeout: 30_000 });

  // Leave nothing behind in the engine.
  const second = page.getByTestId("slot-row-second");
  await second.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete slot" }).click();
  await expect(page.getByTestId("slot-row-second")).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByText("No slots yet")).toBeVisible();
});
