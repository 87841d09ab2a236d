// A person adds a webhook endpoint (a real receiver in this test), copies its secret, makes a slot,
// and sees the signed deliveries arrive — verified with the standardwebhooks package — and in the
// endpoint's delivery log; a failing endpoint shows its error, and redelivery sends it again.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { signUp, snap, uniqueEmail } from "./support/helpers";

test("receives signed webhooks on a local receiver and sees each delivery in the dashboard", async ({ page }) => {
  test.setTimeout(150_000);
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let status = 200;
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/berth`;
  try {
    await signUp(page, { email: uniqueEmail("hooks"), password: "webhooks-e2e-password" });
    await page.getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByText("No webhooks yet")).toBeVisible();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("URL").fill("http://169.254.169.254/latest");
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    await expect(dialog.getByText(/Webhooks may not go to 169\.254\.169\.254, a link-local address/)).toBeVisible();
    await dialog.getByLabel("URL").fill(url);
    await dialog.getByLabel("All events").uncheck();
    await dialog.getByLabel("slot.created").check();
    await dialog.getByLabel("webhook.test").check();
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await dialog.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId(`webhook-row-${url}`)).toContainText("slot.created, webhook.test");

    // Something happens: a slot is created.
    await page.goto("/slots");
    await page.getByRole("button", { name: "New slot" }).click();
    await page.getByLabel("Name").fill("hooked");
    await page.getByRole("button", { name: "Create slot" }).click();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
    const payload = new Webhook(secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>) as { type: string; data: { slot: { name: string } } };
    expect(payload).toMatchObject({ type: "slot.created", data: { slot: { name: "hooked" } } });

    // The endpoint's page: the delivery, then a failing test event, then a redelivery that succeeds.
    await page.goto("/settings/webhooks");
    await page.getByRole("link", { name: url }).click();
    await expect(page.getByTestId("delivery-slot.created")).toContainText("succeeded");
    await expect(page.getByTestId("delivery-slot.created")).toContainText("200");
    status = 503;
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByTestId("delivery-webhook.test")).toContainText("The endpoint answered 503", { timeout: 20_000 });
    await snap(page, "webhook-deliveries");
    status = 200;
    await page.getByTestId("delivery-slot.created").getByRole("button", { name: "Redeliver" }).click();
    // The redelivery carries the same webhook-id (the failed test event's own retries may arrive too).
    const firstId = received[0]!.headers["webhook-id"];
    await expect.poll(() => received.filter((r) => r.headers["webhook-id"] === firstId).length, { timeout: 20_000 }).toBe(2);
    await expect(page.getByTestId("delivery-slot.created")).toHaveCount(2, { timeout: 10_000 });
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});
