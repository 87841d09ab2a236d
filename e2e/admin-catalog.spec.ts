// Administration of what slots are made of and who may use what: templates, plans, a person's
// plan and limit overrides, and every user's slots, driven through the dashboard like a person.
import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, signIn, snap, uniqueEmail } from "./support/helpers";

const PASSWORD = "catalog-e2e-password";
const suffix = () => randomBytes(3).toString("hex");

async function expectToast(page: Page, text: string | RegExp) {
  const toast = page.locator("[data-sonner-toast]").filter({ hasText: text });
  await expect(toast.first()).toBeVisible();
  await expect(toast.first()).toHaveCSS("opacity", "1");
  return toast.first();
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

async function token(request: APIRequestContext, email: string, password: string): Promise<string> {
  const res = await request.post("/api/v1/auth/token", { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** A new person, through the REST API: their id and a bearer header. */
async function newUser(request: APIRequestContext, prefix: string) {
  const email = uniqueEmail(prefix);
  const reg = await request.post("/api/v1/auth/register", { data: { email, password: PASSWORD } });
  expect(reg.status(), await reg.text()).toBe(201);
  const id = ((await reg.json()) as { user: { id: string } }).user.id;
  return { id, email, headers: { Authorization: `Bearer ${await token(request, email, PASSWORD)}` } };
}

async function openAdmin(page: Page, link: string, path: RegExp) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link, exact: true }).click();
  await expect(page).toHaveURL(path);
}

test("admin creates, edits, disables and deletes templates", async ({ page, request }) => {
  test.setTimeout(120_000);
  const slug = `tiny-${suffix()}`;
  const ghost = `ghost-${suffix()}`;
  await signIn(page, ADMIN);
  await openAdmin(page, "Templates", /\/admin\/templates$/);
  const defaultRow = page.getByTestId("template-row-default");
  await expect(defaultRow).toBeVisible();
  await expect(defaultRow.getByRole("cell").nth(4)).toHaveText(/default/);
  // The default template can be edited but neither disabled nor deleted.
  await expect(defaultRow.getByRole("button", { name: "Disable" })).toHaveCount(0);
  await expect(defaultRow.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await snap(page, "admin-templates");

  // A form with mistakes shows what is wrong, next to each field, and keeps the dialog open.
  await page.getByRole("button", { name: "New template" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Broken");
  await dialog.getByLabel("Slug").fill("Not A Slug");
  await dialog.getByLabel("Image").fill("not an image!");
  await dialog.getByLabel("Environment").fill("NOEQUALS");
  await dialog.getByRole("button", { name: "Create template" }).click();
  await expect(dialog.getByText("Line 1: write KEY=value")).toBeVisible();
  await dialog.getByLabel("Environment").fill("BERTH_SECRET=x");
  await dialog.getByRole("button", { name: "Create template" }).click();
  await expect(dialog.getByText(/slug may use lower-case letters/)).toBeVisible();
  await expect(dialog.getByText(/image must be a Docker image reference/)).toBeVisible();
  await expect(dialog.getByText(/BERTH_SECRET is reserved/)).toBeVisible();
  await settled(page);
  await snap(page, "admin-template-invalid");

  // Fixed, it is created.
  await dialog.getByLabel("Name").fill("Tiny e2e");
  await dialog.getByLabel("Slug").fill(slug);
  await dialog.getByLabel("Image").fill("berth/tiny:latest");
  await dialog.getByLabel("Description").fill("A tiny busybox image for tests.");
  await dialog.getByLabel("CPU (millicores)").fill("500");
  await dialog.getByLabel("Memory (MiB)").fill("128");
  await dialog.getByLabel("Disk (MiB)").fill("256");
  await dialog.getByLabel("Environment").fill("GREETING=hello\nEDITOR=nano");
  await dialog.getByLabel("Start command").fill("sleep\ninfinity");
  await dialog.getByRole("button", { name: "Create template" }).click();
  await expect(dialog).toBeHidden();
  await expectToast(page, "Tiny e2e created");
  const row = page.getByTestId(`template-row-${slug}`);
  await expect(row).toContainText("berth/tiny:latest");
  await expect(row.getByText("enabled", { exact: true })).toBeVisible();
  await expect(row).not.toContainText("Not on this engine");

  // The same slug again: the server says it is taken.
  await page.getByRole("button", { name: "New template" }).click();
  await dialog.getByLabel("Name").fill("Duplicate");
  await dialog.getByLabel("Slug").fill(slug);
  await dialog.getByLabel("Image").fill("berth/tiny:latest");
  await dialog.getByRole("button", { name: "Create template" }).click();
  await expect(dialog.getByText("Already used")).toBeVisible();
  // An image the engine does not have is accepted, with a warning that says so.
  await dialog.getByLabel("Name").fill("Ghost");
  await dialog.getByLabel("Slug").fill(ghost);
  await dialog.getByLabel("Image").fill("berth/not-built-here:1");
  await dialog.getByRole("button", { name: "Create template" }).click();
  await expect(dialog).toBeHidden();
  await expectToast(page, "The engine does not have berth/not-built-here:1 yet");
  await expect(page.getByTestId(`template-row-${ghost}`)).toContainText("Not on this engine");
  await snap(page, "admin-templates-created");

  // Edit: the dialog opens with the template's values.
  await row.getByRole("button", { name: "Edit Tiny e2e" }).click();
  await expect(dialog.getByLabel("Environment")).toHaveValue("EDITOR=nano\nGREETING=hello");
  await expect(dialog.getByLabel("Start command")).toHaveValue("sleep\ninfinity");
  await dialog.getByLabel("Name").fill("Tiny workspace");
  await settled(page);
  await snap(page, "admin-template-edit");
  await dialog.getByRole("button", { name: "Save template" }).click();
  await expect(dialog).toBeHidden();
  await expectToast(page, "Tiny workspace saved");
  await expect(row).toContainText("Tiny workspace");

  // Disabled, it disappears from what users may pick; enabled again, it is back.
  const user = await newUser(request, "picker");
  const offered = async () => ((await (await request.get("/api/v1/templates", { headers: user.headers })).json()) as { data: { slug: string }[] }).data.map((t) => t.slug);
  expect(await offered()).toContain(slug);
  await row.getByRole("button", { name: "Disable" }).click();
  await expectToast(page, "Tiny workspace is disabled");
  await expect(row.getByText("disabled", { exact: true })).toBeVisible();
  expect(await offered()).not.toContain(slug);
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByText("enabled", { exact: true })).toBeVisible();
  expect(await offered()).toContain(slug);

  // In use: deleting is not possible; the dialog offers disabling instead.
  const templateId = ((await (await request.get("/api/v1/templates", { headers: user.headers })).json()) as { data: { id: string; slug: string }[] }).data.find((t) => t.slug === slug)!.id;
  const created = await request.post("/api/v1/slots", { headers: user.headers, data: { name: "uses-template", templateId } });
  expect(created.status(), await created.text()).toBe(202);
  const slotId = ((await created.json()) as { slot: { id: string } }).slot.id;
  await page.reload();
  await expect(row.getByRole("cell").nth(3)).toHaveText("1");
  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("1 slot uses this template, so it cannot be deleted");
  await settled(page);
  await snap(page, "admin-template-in-use");
  await confirm.getByRole("button", { name: "Disable template" }).click();
  await expect(row.getByText("disabled", { exact: true })).toBeVisible();

  // Once the slot is deleted, its history still refers to the template: the server refuses, and
  // the toast offers what to do.
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/slots/${slotId}`, { headers: user.headers })).json()) as { status: string }).status, { timeout: 30_000 })
    .toBe("running");
  expect((await request.delete(`/api/v1/slots/${slotId}`, { headers: user.headers })).status()).toBe(202);
  await expect.poll(async () => (await request.get(`/api/v1/slots/${slotId}`, { headers: user.headers })).status(), { timeout: 30_000 }).toBe(404);
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByText("enabled", { exact: true })).toBeVisible();
  await page.reload();
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toContainText("This cannot be undone");
  await confirm.getByRole("button", { name: "Delete template" }).click();
  const refusal = await expectToast(page, /deleted slot.*refers to this template/);
  await snap(page, "admin-template-delete-refused");
  await refusal.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByText("disabled", { exact: true })).toBeVisible();

  // An unused template is deleted after confirming.
  const ghostRow = page.getByTestId(`template-row-${ghost}`);
  await ghostRow.getByRole("button", { name: "Delete" }).click();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(ghostRow).toBeVisible();
  await ghostRow.getByRole("button", { name: "Delete" }).click();
  await confirm.getByRole("button", { name: "Delete template" }).click();
  await expectToast(page, "Ghost is deleted");
  await expect(ghostRow).toHaveCount(0);
});

test("admin creates a plan, puts a person on it with an override, and deletes it when unused", async ({ page, request }) => {
  test.setTimeout(90_000);
  const planId = `e2e-${suffix()}`;
  const person = await newUser(request, "planned");
  await signIn(page, ADMIN);
  await openAdmin(page, "Plans", /\/admin\/plans$/);
  await expect(page.getByTestId("plan-row-free").getByText("default", { exact: true })).toBeVisible();
  await expect(page.getByTestId("plan-row-pro")).toContainText("10 slots · 5 running");
  await snap(page, "admin-plans");

  await page.getByRole("button", { name: "New plan" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("E2E plan");
  await dialog.getByLabel("Id", { exact: true }).fill(planId);
  await dialog.getByLabel("Max slots").fill("4");
  await dialog.getByLabel("Max running").fill("6");
  await dialog.getByLabel("Price per running hour (cents)").fill("-1");
  await dialog.getByRole("button", { name: "Create plan" }).click();
  await expect(dialog.getByText("pricePerHourCents must be at least 0")).toBeVisible();
  await dialog.getByLabel("Price per running hour (cents)").fill("7");
  await dialog.getByRole("button", { name: "Create plan" }).click();
  await expect(dialog.getByText("At most maxSlots (4)")).toBeVisible();
  await settled(page);
  await snap(page, "admin-plan-invalid");
  await dialog.getByLabel("Max running").fill("2");
  await dialog.getByRole("button", { name: "Create plan" }).click();
  await expect(dialog).toBeHidden();
  await expectToast(page, "E2E plan created");
  const row = page.getByTestId(`plan-row-${planId}`);
  await expect(row).toContainText("4 slots · 2 running");
  await expect(row).toContainText("$0.07/h");

  // Edit: the id cannot change, the rest can.
  await row.getByRole("button", { name: "Edit E2E plan" }).click();
  await expect(dialog.getByLabel("Id", { exact: true })).toBeDisabled();
  await dialog.getByLabel("Max uptime (minutes)").fill("120");
  await expect(dialog.getByLabel("Largest upload (MiB)")).toHaveValue("100");
  await dialog.getByLabel("Largest upload (MiB)").fill("25");
  await dialog.getByLabel("Files per user (MiB)").fill("512");
  await dialog.getByRole("button", { name: "Save plan" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("uptime 2 h");
  await expect(row).toContainText("files 25 MiB each · 512 MiB in all");

  // The person's page: plan and overrides, with the plan's values as placeholders.
  await openAdmin(page, "Users", /\/admin\/users$/);
  await page.getByRole("textbox", { name: "Search users" }).fill(person.email);
  await page.getByTestId(`user-row-${person.email}`).getByRole("link", { name: person.email }).click();
  await expect(page.getByRole("heading", { name: person.email })).toBeVisible();
  await expect(page.getByLabel("Max running")).toHaveAttribute("placeholder", "1"); // the free plan
  await page.getByRole("combobox", { name: "Plan" }).click();
  await page.getByRole("option", { name: `E2E plan (${planId})` }).click();
  await expect(page.getByLabel("Max slots")).toHaveAttribute("placeholder", "4");
  await expect(page.getByLabel("Max running")).toHaveAttribute("placeholder", "2");
  await page.getByLabel("Max running").fill("3");
  await page.getByLabel("Memory per slot (MiB)").fill("99999999999");
  await page.getByRole("button", { name: "Save plan and limits" }).click();
  await expect(page.locator("#limit-memoryMiB-error")).toBeVisible();
  await page.getByLabel("Memory per slot (MiB)").fill("");
  await page.getByRole("button", { name: "Save plan and limits" }).click();
  await expectToast(page, `Saved ${person.email}'s plan and limits`);
  await snap(page, "admin-user-plan");
  const me = (await (await request.get("/api/v1/me", { headers: person.headers })).json()) as { plan: string; limits: Record<string, number> };
  expect(me.plan).toBe(planId);
  expect(me.limits).toMatchObject({ slots: 4, maxRunning: 3, cpuMillicores: 1000 });

  // The plan is in use now: it cannot be deleted.
  await openAdmin(page, "Plans", /\/admin\/plans$/);
  await expect(row.getByRole("cell").nth(5)).toHaveText("1");
  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("1 user is on this plan, so it cannot be deleted");
  await settled(page);
  await snap(page, "admin-plan-in-use");
  await confirm.getByRole("button", { name: "OK" }).click();

  // Back on the default plan with no overrides, the plan can go.
  await page.goto(`/admin/users/${person.id}`);
  await expect(page.getByLabel("Max running")).toHaveValue("3");
  await page.getByRole("combobox", { name: "Plan" }).click();
  await page.getByRole("option", { name: /^Default plan/ }).click();
  await page.getByRole("button", { name: "Clear overrides" }).click();
  await expect(page.getByLabel("Max running")).toHaveValue("");
  await page.getByRole("button", { name: "Save plan and limits" }).click();
  await expectToast(page, `Saved ${person.email}'s plan and limits`);
  expect(((await (await request.get("/api/v1/me", { headers: person.headers })).json()) as { plan: string }).plan).toBe("free");

  await openAdmin(page, "Plans", /\/admin\/plans$/);
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toContainText("Nobody is on this plan");
  await confirm.getByRole("button", { name: "Delete plan" }).click();
  await expectToast(page, `The ${planId} plan is deleted`);
  await expect(row).toHaveCount(0);

  // A user page for nobody says so.
  await page.goto("/admin/users/usr_doesnotexist");
  await expect(page.getByRole("heading", { name: "No such user" })).toBeVisible();
});

test("admin watches every user's slots live, then stops and deletes one", async ({ page, request }) => {
  test.setTimeout(120_000);
  const adminHeaders = { Authorization: `Bearer ${await token(request, ADMIN.email, ADMIN.password)}` };
  const tpl = await request.post("/api/v1/admin/templates", {
    headers: adminHeaders,
    data: { slug: `watch-${suffix()}`, name: "Tiny (watch)", image: "berth/tiny:latest", resources: { cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 } },
  });
  expect(tpl.status(), await tpl.text()).toBe(201);
  const templateId = ((await tpl.json()) as { id: string }).id;
  const owner = await newUser(request, "watched");
  const slotName = `watched-${suffix()}`;

  await signIn(page, ADMIN);
  await openAdmin(page, "All slots", /\/admin\/slots$/);
  await page.getByRole("textbox", { name: "Search slots" }).fill(owner.email);
  await expect(page.getByRole("heading", { name: "No slots found" })).toBeVisible();
  await snap(page, "admin-slots-empty");

  // The owner creates a slot; the admin's page shows it arrive and start, without a reload.
  const created = await request.post("/api/v1/slots", { headers: owner.headers, data: { name: slotName, templateId } });
  expect(created.status(), await created.text()).toBe(202);
  const row = page.getByTestId(`admin-slot-row-${slotName}`);
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row).toContainText(owner.email);
  await expect(row).toContainText("Tiny (watch)");
  await expect(row.getByTestId("slot-status")).toHaveText(/running/, { timeout: 30_000 });
  await snap(page, "admin-slots-running");

  // Stop asks first, then the status follows live.
  await row.getByRole("button", { name: "Stop" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText(`It belongs to ${owner.email}`);
  await settled(page);
  await snap(page, "admin-slot-stop-dialog");
  await confirm.getByRole("button", { name: "Stop slot" }).click();
  await expectToast(page, `${slotName} (${owner.email}) is stopping`);
  await expect(row.getByTestId("slot-status")).toHaveText(/stopped/, { timeout: 30_000 });
  const seen = (await (await request.get("/api/v1/slots", { headers: owner.headers })).json()) as { data: { name: string; status: string }[] };
  expect(seen.data.find((s) => s.name === slotName)?.status).toBe("stopped");

  // The owner's page link filters the list to their slots.
  await row.getByRole("link", { name: owner.email }).click();
  await expect(page.getByRole("heading", { name: owner.email })).toBeVisible();
  await page.getByRole("link", { name: "Their slots" }).click();
  await expect(page).toHaveURL(/\/admin\/slots\?owner=/);
  await expect(page.getByTestId("owner-filter")).toContainText(owner.email);
  await expect(row).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(2); // header + their one slot
  await snap(page, "admin-slots-owner");

  // Delete asks first; the slot goes away for the owner too.
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toContainText("cannot be undone");
  await confirm.getByRole("button", { name: "Delete slot" }).click();
  await expect(row).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "No slots found" })).toBeVisible();
  await expect.poll(async () => ((await (await request.get("/api/v1/slots", { headers: owner.headers })).json()) as { data: unknown[] }).data.length, { timeout: 30_000 }).toBe(0);

  // Asked for, deleted slots are still listed.
  await page.getByRole("combobox", { name: "Filter by status" }).click();
  await page.getByRole("option", { name: "deleted", exact: true }).click();
  await expect(row.getByTestId("slot-status")).toHaveText("deleted", { timeout: 30_000 });
  await expect(row.getByRole("button")).toHaveCount(0);

  // Plain users are refused over REST too.
  expect((await request.get("/api/v1/admin/slots", { headers: owner.headers })).status()).toBe(403);
  expect((await request.post("/api/v1/admin/templates", { headers: owner.headers, data: {} })).status()).toBe(403);
});
