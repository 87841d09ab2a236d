// "Sign in with any OIDC provider", end to end against a real identity provider: oidc-provider runs
// locally (e2e/support/oidc-provider.ts) and Berth is configured with BERTH_OIDC_* to use it, like
// any company IdP. Playwright clicks through it the way a person would.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { snap } from "./support/helpers";

const IDP = "http://127.0.0.1:3299";

/** From Berth's sign-in page through the IdP's own login form, back to Berth's dashboard. */
async function signInThroughIdp(page: Page, login: string, shots?: string): Promise<void> {
  await page.goto("/sign-in");
  const button = page.getByRole("button", { name: "Continue with Test IdP" });
  await expect(button).toBeVisible(); // the provider list arrives after the page does
  if (shots) await snap(page, `${shots}-1-sign-in`);
  await button.click();

  // Now on the identity provider, not Berth: its login page accepts any login and password.
  await expect(page).toHaveURL(new RegExp(`^${IDP}/interaction/`));
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any-password");
  if (shots) await snap(page, `${shots}-2-idp-login`);
  await page.getByRole("button", { name: "Sign-in" }).click();

  // Berth is a first-party client of this IdP, so there is no consent screen: straight back.
  // Back on Berth's own origin (not the listen address 0.0.0.0), where its session cookie lives.
  await expect(page).toHaveURL(/^http:\/\/localhost:3200\/dashboard$/);
}

async function meId(page: Page): Promise<string> {
  const res = await page.request.get("/api/v1/me");
  expect(res.status()).toBe(200);
  const me = (await res.json()) as { id: string; email: string; hasPassword: boolean };
  expect(me.hasPassword).toBe(false);
  return me.id;
}

test("signs in with the OIDC identity provider and lands on the dashboard", async ({ page, browser }) => {
  const login = `oidc-${randomBytes(4).toString("hex")}`;
  const email = `${login}@oidc.test`;

  await signInThroughIdp(page, login, "oidc");
  await expect(page.getByTestId("overview-email")).toHaveText(email);
  await snap(page, "oidc-3-dashboard");

  // The session cookie Auth.js set also authenticates same-origin REST calls.
  const firstId = await meId(page);

  // An account that came from an IdP has no Berth password, and the password page says so.
  await page.goto("/settings/password");
  await expect(page.getByText("no Berth password")).toBeVisible();
  await snap(page, "oidc-4-password");

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/^http:\/\/localhost:3200\/sign-in/);
  await expect(page.getByRole("button", { name: "Continue with Test IdP" })).toBeVisible();
  await snap(page, "oidc-5-signed-out");
  expect((await page.request.get("/api/v1/me")).status()).toBe(401);

  // The same person signs in again from a fresh browser (no IdP session left to ride on), typing
  // the same login: the IdP account is already linked, so it is the same Berth account.
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    const again = await context.newPage();
    await signInThroughIdp(again, login);
    await expect(again.getByTestId("overview-email")).toHaveText(email);
    expect(await meId(again)).toBe(firstId);
    await snap(again, "oidc-6-signed-in-again");
  } finally {
    await context.close();
  }
});
