// A person opens a slot's terminal, types a command and sees its output; a reload brings back the
// same screen (the shell lives in tmux inside the slot); the terminal follows the window's size.
import { expect, test } from "@playwright/test";
import { signUp, snap, uniqueEmail } from "./support/helpers";

test("opens a terminal, runs a command, and finds the same screen after a reload", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, { email: uniqueEmail("term"), password: "terminal-e2e-password" });
  await page.goto("/slots");
  await page.getByRole("button", { name: "New slot" }).click();
  await page.getByLabel("Name").fill("shell");
  await page.getByRole("button", { name: "Create slot" }).click();
  const row = page.getByTestId("slot-row-shell");
  await expect(row.getByTestId("slot-status")).toHaveText(/running/, { timeout: 60_000 });
  await row.getByRole("link", { name: "shell" }).click();

  await page.getByRole("link", { name: "Terminal" }).click();
  await expect(page).toHaveURL(/\/slots\/slt_\w+\/terminal$/);
  await expect(page.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 30_000 });
  const screen = page.getByTestId("terminal-screen");
  await expect(screen.locator(".xterm-rows")).toContainText("$", { timeout: 15_000 });

  await screen.click();
  await page.keyboard.type("export MARK=kept; echo hello-$((6*7))");
  await page.keyboard.press("Enter");
  await expect(screen.locator(".xterm-rows")).toContainText("hello-42");
  await snap(page, "terminal");

  // The size the page gives the terminal reaches the shell.
  await page.keyboard.type("stty size");
  await page.keyboard.press("Enter");
  const size = screen.locator(".xterm-rows");
  await expect(size).toContainText(/stty size\s*\d{1,3} \d{2,3}/);

  // A reload reconnects to the same shell: the earlier output is on screen and the variable is set.
  await page.reload();
  await expect(page.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 30_000 });
  await expect(screen.locator(".xterm-rows")).toContainText("hello-42", { timeout: 15_000 });
  await screen.click();
  await page.keyboard.type("echo mark=$MARK");
  await page.keyboard.press("Enter");
  await expect(screen.locator(".xterm-rows")).toContainText("mark=kept");
  await snap(page, "terminal-after-reload");

  // A second terminal is a separate shell; the first one is still there when switching back.
  await page.getByRole("button", { name: "New terminal" }).click();
  await expect(page.getByRole("tab", { name: "Terminal 2" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 30_000 });
  await screen.click();
  await page.keyboard.type("echo second-$MARK-shell");
  await page.keyboard.press("Enter");
  await expect(screen.locator(".xterm-rows")).toContainText("second--shell");
  await expect(screen.locator(".xterm-rows")).not.toContainText("hello-42");
  await page.getByRole("tab", { name: "Terminal 1" }).click();
  await expect(page.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 30_000 });
  await expect(screen.locator(".xterm-rows")).toContainText("mark=kept");

  // Clean up: delete the slot.
  await page.getByRole("link", { name: "shell" }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete slot" }).click();
  await expect(page).toHaveURL(/\/slots$/);
});
