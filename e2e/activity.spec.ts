// The overview's Activity card: empty at first, then a slot made through the API shows up there
// by itself (the events.live subscription, server-sent events), and GET /events agrees.
import { expect, test } from "@playwright/test";
import { signIn, snap, uniqueEmail } from "./support/helpers";

const PASSWORD = "activity-e2e-password";

test("recent events on the overview, updating live", async ({ page, request }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("activity");
  expect((await request.post("/api/v1/auth/register", { data: { email, password: PASSWORD } })).status()).toBe(201);
  const { accessToken } = (await (await request.post("/api/v1/auth/token", { data: { email, password: PASSWORD } })).json()) as { accessToken: string };
  const headers = { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" };

  await signIn(page, { email, password: PASSWORD });
  const card = page.getByTestId("activity");
  await expect(card.getByText("No activity yet")).toBeVisible();
  await expect(card.getByTestId("activity-live")).toBeVisible();

  // Made elsewhere (a script, say): the page is not reloaded.
  const created = await request.post("/api/v1/slots", { headers, data: { name: "watched" } });
  expect(created.status()).toBe(202);
  const slotId = ((await created.json()) as { slot: { id: string } }).slot.id;
  await expect(card.getByText("Slot “watched” created")).toBeVisible({ timeout: 20_000 });
  await expect(card.getByText("Slot “watched” started")).toBeVisible({ timeout: 30_000 });
  // Newest first, linking the slot.
  await expect(card.getByTestId("activity-item").first()).toHaveAttribute("data-type", "slot.started");
  await expect(card.getByRole("link", { name: "Slot “watched” started" })).toHaveAttribute("href", `/slots/${slotId}`);
  await snap(page, "activity");

  const feed = (await (await request.get("/api/v1/events", { headers })).json()) as { data: { type: string }[] };
  expect(feed.data.map((e) => e.type)).toEqual(["slot.created", "slot.started"]);

  expect((await request.delete(`/api/v1/slots/${slotId}`, { headers })).status()).toBe(202);
  await expect(card.getByText("Slot “watched” deleted")).toBeVisible({ timeout: 30_000 });
  // Still there after a reload, from the feed.
  await page.reload();
  await expect(page.getByTestId("activity-item")).toHaveCount(3);
});
