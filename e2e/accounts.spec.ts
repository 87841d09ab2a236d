// Accounts from a person's point of view: sign-up, sign-out/in, profile, password, dark mode.
import { expect, test, type Page } from "@playwright/test";
import { signIn, signUp, snap, uniqueEmail } from "./support/helpers";

const PASSWORD = "correct-horse-battery";

/** A sonner toast with this text, once it has finished animating in (so screenshots show it). */
async function expectToast(page: Page, text: string): Promise<void> {
  const toast = page.locator("[data-sonner-toast]").filter({ hasText: text });
  await expect(toast).toBeVisible();
  await expect(toast).toHaveCSS("opacity", "1");
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

async function trySignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("signs up, signs out, signs back in and edits the profile", async ({ page }) => {
  const email = uniqueEmail("ada");
  await signUp(page, { email, password: PASSWORD, name: "Ada Lovelace" });
  await expect(page.getByTestId("overview-email")).toHaveText(email);
  await expect(page.getByTestId("overview-name")).toHaveText("Ada Lovelace");
  await snap(page, "accounts-dashboard");

  await signOut(page);
  // Signed out means signed out: the dashboard sends us back to sign-in.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, { email, password: PASSWORD });
  await expect(page.getByTestId("overview-email")).toHaveText(email);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
  await expect(page).toHaveURL(/\/settings\/profile$/);
  const nameField = page.getByLabel("Display name");
  await expect(nameField).toHaveValue("Ada Lovelace");
  await nameField.fill("Countess of Lovelace");
  await page.getByRole("button", { name: "Save" }).click();
  await expectToast(page, "Profile saved");
  await snap(page, "accounts-profile-saved");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("overview-name")).toHaveText("Countess of Lovelace");
  // And it was stored, not just cached in the page.
  await page.reload();
  await expect(page.getByTestId("overview-name")).toHaveText("Countess of Lovelace");

  await signOut(page);

  // A wrong password: a clear message, and we stay on the sign-in page.
  await trySignIn(page, email, "not-the-password");
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  await snap(page, "accounts-sign-in-wrong-password");

  // Signing up again with the same email is refused with a message about the email.
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "An account with this email already exists. Sign in instead." })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to sign in" })).toBeVisible();
  await expect(page.getByText("Already registered")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/sign-up$/);
  await snap(page, "accounts-sign-up-duplicate");

  // A too-short password: the field says why.
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(uniqueEmail("short"));
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Password must be at least 8 characters")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/sign-up$/);
  await snap(page, "accounts-sign-up-short-password");
});

test("changes the password", async ({ page, request }) => {
  const email = uniqueEmail("pw");
  const newPassword = "a-brand-new-passphrase";
  await signUp(page, { email, password: PASSWORD });

  // A REST token obtained with the old password, working before the change.
  const tokenRes = await request.post("/api/v1/auth/token", { data: { email, password: PASSWORD } });
  expect(tokenRes.status()).toBe(200);
  const { accessToken } = (await tokenRes.json()) as { accessToken: string };
  const before = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${accessToken}` } });
  expect(before.status()).toBe(200);
  expect(((await before.json()) as { email: string }).email).toBe(email);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Password" }).click();
  await expect(page).toHaveURL(/\/settings\/password$/);

  // The two new passwords must match.
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat new password").fill(`${newPassword}-typo`);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The two passwords differ.")).toBeVisible();
  await snap(page, "accounts-password-mismatch");

  // A wrong current password is refused.
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("Repeat new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The two passwords differ.")).toHaveCount(0);
  await expect(page.getByText("Incorrect password")).toBeVisible();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await snap(page, "accounts-password-wrong-current");
  // Still the old password: the token keeps working.
  expect((await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${accessToken}` } })).status()).toBe(200);

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expectToast(page, "Password changed");
  await expect(page.getByLabel("Current password")).toHaveValue("");
  await snap(page, "accounts-password-changed");

  // The token from before the change no longer works, with the API's error shape.
  const after = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${accessToken}` } });
  expect(after.status()).toBe(401);
  expect(((await after.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");

  // The session that changed the password stays signed in.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expect(page.getByTestId("overview-email")).toHaveText(email);
  await signOut(page);

  // Old password: refused, in the dashboard and over REST.
  await trySignIn(page, email, PASSWORD);
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await request.post("/api/v1/auth/token", { data: { email, password: PASSWORD } })).status()).toBe(401);

  // New password: works in both.
  await signIn(page, { email, password: newPassword });
  await expect(page.getByTestId("overview-email")).toHaveText(email);
  expect((await request.post("/api/v1/auth/token", { data: { email, password: newPassword } })).status()).toBe(200);
});

test("dark mode toggles and sticks across a reload", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  const html = page.locator("html");

  // On the sign-in page (no account needed)…
  await page.goto("/sign-in");
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(html).toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await snap(page, "accounts-sign-in-dark");

  // …and it carries into the dashboard.
  const email = uniqueEmail("dark");
  await signUp(page, { email, password: PASSWORD, name: "Night Owl" });
  await expect(html).toHaveClass(/\bdark\b/);
  await expect(page.getByTestId("overview-name")).toHaveText("Night Owl");
  await snap(page, "accounts-dashboard-dark");
  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await expect(page.getByTestId("overview-email")).toHaveText(email);

  // Toggling back to light also sticks.
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(page.getByTestId("overview-email")).toHaveText(email);
  await expect(html).not.toHaveClass(/\bdark\b/);
});
