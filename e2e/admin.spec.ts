// Administration: suspension takes effect everywhere at once, admin pages stay hidden from
// everyone else, the audit log records it, and invites can be made and revoked.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, signIn, signUp, snap, uniqueEmail } from "./support/helpers";

const PASSWORD = "user-password-123";

/** A sonner toast with this text, once it has finished animating in (so screenshots show it). */
async function expectToast(page: Page, text: string): Promise<void> {
  const toast = page.locator("[data-sonner-toast]").filter({ hasText: text });
  await expect(toast).toBeVisible();
  await expect(toast).toHaveCSS("opacity", "1");
}

/** Waits for finite CSS animations (dialogs opening, toasts sliding in) so screenshots show the end state. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

type ErrorBody = { error: { code: string; message: string; requestId: string; details?: unknown } };

async function restToken(request: APIRequestContext, email: string, password: string): Promise<string> {
  const res = await request.post("/api/v1/auth/token", { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function openAdmin(page: Page, link: "Users" | "Invites" | "Audit log", path: RegExp): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link }).click();
  await expect(page).toHaveURL(path);
}

test("admin suspends a user: their open dashboard and REST token stop working", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("suspendee");

  // The user signs up and keeps the dashboard open.
  const userContext = await browser.newContext();
  const adminContext = await browser.newContext();
  try {
    const userPage = await userContext.newPage();
    await signUp(userPage, { email, password: PASSWORD, name: "Soon Suspended" });
    await expect(userPage.getByTestId("overview-email")).toHaveText(email);

    // …and holds a REST token that works.
    const token = await restToken(request, email, PASSWORD);
    const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status()).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe(email);

    // The admin finds them and suspends them.
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, ADMIN);
    await openAdmin(adminPage, "Users", /\/admin\/users$/);
    await adminPage.getByRole("textbox", { name: "Search users" }).fill(email);
    const row = adminPage.getByTestId(`user-row-${email}`);
    await expect(row).toBeVisible();
    // The search narrowed the list to this one person (the admin's own row is gone).
    await expect(adminPage.getByTestId(`user-row-${ADMIN.email}`)).toHaveCount(0);
    await expect(row.getByText("active", { exact: true })).toBeVisible();
    await row.getByRole("button", { name: "Suspend" }).click();
    const dialog = adminPage.getByRole("alertdialog");
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`Suspend ${email}?`);
    await settled(adminPage);
    await snap(adminPage, "admin-suspend-dialog");
    const suspendedAt = Date.now();
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await expect(dialog).toBeHidden();
    await expectToast(adminPage, `${email} is suspended`);
    await expect(row.getByText("suspended", { exact: true })).toBeVisible();
    await expect(row.getByRole("button", { name: "Reactivate" })).toBeVisible();
    await snap(adminPage, "admin-user-suspended");

    // Their REST token stops working at once, with the API's error shape.
    const refused = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(refused.status()).toBe(401);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(typeof body.error.message).toBe("string");
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.requestId).toEqual(expect.any(String));
    expect(body.error.requestId.length).toBeGreaterThan(0);
    expect(refused.headers()["x-request-id"]).toBe(body.error.requestId);
    // Nor can they get a new one.
    const newToken = await request.post("/api/v1/auth/token", { data: { email, password: PASSWORD } });
    expect(newToken.status()).toBe(403);
    expect(((await newToken.json()) as ErrorBody).error.code).toBe("FORBIDDEN");

    // Their open dashboard notices by itself (the overview polls `me`), without a reload.
    await expect(userPage).toHaveURL(/\/sign-in/, { timeout: 30_000 });
    console.log(`open dashboard reached /sign-in ${((Date.now() - suspendedAt) / 1000).toFixed(1)} s after the suspension`);
    await expect(userPage.getByText("Your session ended. Sign in again to continue.")).toBeVisible();
    await snap(userPage, "admin-suspended-user-session-ended");

    // Signing in again is refused with the suspended message.
    await userPage.getByLabel("Email").fill(email);
    await userPage.getByLabel("Password").fill(PASSWORD);
    await userPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(userPage.getByText(/This account is suspended/)).toBeVisible();
    await expect(userPage).toHaveURL(/\/sign-in/);
    await snap(userPage, "admin-suspended-user-sign-in");

    // The admin reactivates them…
    await row.getByRole("button", { name: "Reactivate" }).click();
    await expectToast(adminPage, `${email} is active again`);
    await expect(row.getByText("active", { exact: true })).toBeVisible();
    await expect(row.getByRole("button", { name: "Suspend" })).toBeVisible();

    // …and they can sign in again (the dashboard and REST). The old token stays revoked.
    await signIn(userPage, { email, password: PASSWORD });
    await expect(userPage.getByTestId("overview-email")).toHaveText(email);
    expect((await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
    const fresh = await restToken(request, email, PASSWORD);
    expect((await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${fresh}` } })).status()).toBe(200);
  } finally {
    await userContext.close();
    await adminContext.close();
  }
});

test("non-admins cannot see admin pages", async ({ page, request }) => {
  const email = uniqueEmail("plain");
  await signUp(page, { email, password: PASSWORD });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Overview" })).toBeVisible();
  await expect(nav.getByText("Admin", { exact: true })).toHaveCount(0);
  for (const name of ["Users", "Invites", "Audit log"]) await expect(nav.getByRole("link", { name })).toHaveCount(0);

  for (const path of ["/admin/users", "/admin/invites", "/admin/audit"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
    // The 404 looks the same as for a page that truly does not exist: no admin content leaks.
    await expect(page.getByTestId(`user-row-${email}`)).toHaveCount(0);
  }
  await snap(page, "admin-non-admin-404");

  // The same over REST: FORBIDDEN for a normal user's token.
  const token = await restToken(request, email, PASSWORD);
  const res = await request.get("/api/v1/admin/users", { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as ErrorBody).error.code).toBe("FORBIDDEN");
});

test("audit log shows what happened", async ({ page, request }) => {
  // Make sure there is an admin.user.update entry of our own (independent of the other tests).
  const email = uniqueEmail("audited");
  const reg = await request.post("/api/v1/auth/register", { data: { email, password: PASSWORD } });
  expect(reg.status()).toBe(201);
  const userId = ((await reg.json()) as { user: { id: string } }).user.id;
  const adminToken = await restToken(request, ADMIN.email, ADMIN.password);
  const patch = await request.patch(`/api/v1/admin/users/${userId}`, { headers: { Authorization: `Bearer ${adminToken}` }, data: { role: "readonly" } });
  expect(patch.status(), await patch.text()).toBe(200);

  await signIn(page, ADMIN);
  await openAdmin(page, "Audit log", /\/admin\/audit$/);
  const table = page.getByRole("table");
  await expect(table).toBeVisible();
  const actionCells = table.locator("tbody tr td:nth-child(3)");
  // Unfiltered, the log holds several kinds of entries, among them the update and the sign-up.
  await expect(table.getByRole("cell", { name: "admin.user.update", exact: true }).first()).toBeVisible();
  await expect(table.getByRole("cell", { name: "user.register", exact: true }).first()).toBeVisible();
  const userRow = table.getByRole("row").filter({ has: page.getByRole("cell", { name: "admin.user.update", exact: true }) }).filter({ hasText: userId });
  await expect(userRow.first()).toBeVisible();
  await expect(userRow.first()).toContainText(ADMIN.email);
  const unfiltered = await actionCells.count();
  await snap(page, "admin-audit-log");

  // Filtering by action narrows the list to that action.
  await page.getByRole("textbox", { name: "Filter by action" }).fill("admin.user.update");
  await expect(table.getByRole("cell", { name: "user.register", exact: true })).toHaveCount(0);
  await expect(table.getByRole("cell", { name: "admin.user.update", exact: true }).first()).toBeVisible();
  const texts = await actionCells.allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  expect(texts.length).toBeLessThan(unfiltered);
  expect(new Set(texts)).toEqual(new Set(["admin.user.update"]));
  await expect(userRow.first()).toBeVisible();
  await snap(page, "admin-audit-log-filtered");

  // A filter nothing matches shows the empty state.
  await page.getByRole("textbox", { name: "Filter by action" }).fill("no.such.action");
  await expect(page.getByRole("heading", { name: "No audit entries" })).toBeVisible();
  await expect(page.getByText("Nothing matches these filters.")).toBeVisible();
  await expect(table).toHaveCount(0);
  await snap(page, "admin-audit-log-empty");

  // Clearing the filter brings the entries back.
  await page.getByRole("textbox", { name: "Filter by action" }).fill("");
  await expect(table.getByRole("cell", { name: "user.register", exact: true }).first()).toBeVisible();
});

test("invites", async ({ page }) => {
  const invitee = uniqueEmail("invitee");
  await signIn(page, ADMIN);
  await openAdmin(page, "Invites", /\/admin\/invites$/);
  await snap(page, "admin-invites-before");

  await page.getByRole("button", { name: "New invite" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: "New invite" })).toBeVisible();
  await dialog.getByLabel("Email (optional)").fill(invitee);
  await settled(page);
  await snap(page, "admin-invite-form");
  await dialog.getByRole("button", { name: "Create invite" }).click();

  // The code is shown once, in the dialog.
  await expect(dialog.getByRole("heading", { name: "Invite created" })).toBeVisible();
  const codeEl = dialog.getByTestId("invite-code");
  await expect(codeEl).not.toBeEmpty();
  const code = (await codeEl.textContent())!.trim();
  expect(code.length).toBeGreaterThanOrEqual(16);
  await settled(page);
  await snap(page, "admin-invite-created");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  // The list shows it as pending, without the code.
  const row = page.getByRole("row").filter({ hasText: invitee });
  await expect(row).toHaveCount(1);
  await expect(row.getByText("pending", { exact: true })).toBeVisible();
  await expect(row.getByRole("cell").nth(1)).toHaveText("user");
  await expect(page.getByText(code)).toHaveCount(0);
  await snap(page, "admin-invites-pending");

  // Revoking asks first; cancelling changes nothing.
  await row.getByRole("button", { name: "Revoke" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm.getByRole("heading", { name: "Revoke this invite?" })).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(row.getByText("pending", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(confirm).toBeVisible();
  await settled(page);
  await snap(page, "admin-invite-revoke-dialog");
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expectToast(page, "Invite revoked");
  await expect(row.getByText("revoked", { exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  await snap(page, "admin-invite-revoked");

  // Opening the dialog again (after closing it with "Done") starts a new invite: the code of
  // the previous one is not shown again.
  await page.getByRole("button", { name: "New invite" }).click();
  await expect(dialog).toBeVisible();
  await settled(page);
  await snap(page, "admin-invite-reopened");
  await expect(dialog.getByTestId("invite-code")).toHaveCount(0);
  await expect(dialog.getByRole("heading", { name: "New invite" })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Create invite" })).toBeVisible();
});
