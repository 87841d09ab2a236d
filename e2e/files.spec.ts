// A person drags a file onto the slot's Files page, finds it in the terminal, downloads it back
// byte-identical, edits a small text file, makes a folder, renames and deletes (after confirming).
import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { signUp, snap, uniqueEmail } from "./support/helpers";

/** Drops files on an element the way a browser does (a DataTransfer with File objects). */
async function dropFiles(page: Page, selector: string, files: { name: string; bytes: Buffer }[]) {
  const payload = files.map((f) => ({ name: f.name, data: f.bytes.toString("base64") }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const bin = atob(item.data);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], item.name, { type: "application/octet-stream" }));
    }
    return dt;
  }, payload);
  await page.dispatchEvent(selector, "dragover", { dataTransfer });
  await page.dispatchEvent(selector, "drop", { dataTransfer });
}

test("drag a file in, see it in the terminal, download it back, edit, rename and delete", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, { email: uniqueEmail("files"), password: "files-e2e-password" });
  await page.goto("/slots");
  await page.getByRole("button", { name: "New slot" }).click();
  await page.getByLabel("Name").fill("box");
  await page.getByRole("button", { name: "Create slot" }).click();
  const row = page.getByTestId("slot-row-box");
  await expect(row.getByTestId("slot-status")).toHaveText(/running/, { timeout: 60_000 });
  await row.getByRole("link", { name: "box" }).click();
  await page.getByRole("link", { name: "Files" }).click();
  await expect(page).toHaveURL(/\/slots\/slt_\w+\/files$/);
  const slotUrl = page.url().replace(/\/files$/, "");

  // Drag and drop: a binary file and a text file, each with its own progress bar.
  const binary = randomBytes(300_000);
  await dropFiles(page, "[data-testid=file-drop-zone]", [
    { name: "blob.bin", bytes: binary },
    { name: "notes.txt", bytes: Buffer.from("first line\n") },
  ]);
  await expect(page.getByTestId("upload-blob.bin")).toContainText("Uploaded", { timeout: 30_000 });
  await expect(page.getByTestId("upload-notes.txt")).toContainText("Uploaded");
  await expect(page.getByTestId("file-row-blob.bin")).toContainText("300 KB");
  await snap(page, "files-uploaded");

  // Downloaded back byte-identical.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download blob.bin" }).click()]);
  expect(Buffer.compare(await readFile((await download.path())!), binary)).toBe(0);

  // Opened in the page, edited and saved.
  await page.getByTestId("file-row-notes.txt").getByRole("button", { name: "notes.txt", exact: true }).click();
  const editor = page.getByLabel("Contents of notes.txt");
  await expect(editor).toHaveValue("first line\n");
  await editor.fill("first line\nsecond line\n");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved notes.txt")).toBeVisible();

  // The terminal sees both files, the edit included.
  await page.goto(`${slotUrl}/terminal`);
  await expect(page.getByTestId("terminal-status")).toHaveText("Connected", { timeout: 30_000 });
  const screen = page.getByTestId("terminal-screen");
  await screen.click();
  await page.keyboard.type("cat ~/notes.txt; sha256sum ~/blob.bin | cut -c1-16");
  await page.keyboard.press("Enter");
  await expect(screen.locator(".xterm-rows")).toContainText("second line");
  const { createHash } = await import("node:crypto");
  await expect(screen.locator(".xterm-rows")).toContainText(createHash("sha256").update(binary).digest("hex").slice(0, 16));

  // A folder (empty at first), a rename into it, and deletes behind a confirmation.
  await page.goto(`${slotUrl}/files`);
  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByRole("dialog").getByLabel("Name", { exact: true }).fill("docs");
  await page.getByRole("button", { name: "Make folder" }).click();
  await page.getByTestId("file-row-docs").getByRole("button", { name: "docs", exact: true }).click();
  await expect(page).toHaveURL(/files\?path=%2Fdocs$/);
  await expect(page.getByText("This folder is empty")).toBeVisible();
  await snap(page, "files-empty-folder");
  await page.getByRole("button", { name: "Home" }).click();

  await page.getByRole("button", { name: "Rename notes.txt" }).click();
  await page.getByLabel("New name").fill("/docs/readme.txt");
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await expect(page.getByTestId("file-row-notes.txt")).toHaveCount(0);
  await page.getByTestId("file-row-docs").getByRole("button", { name: "docs", exact: true }).click();
  await expect(page.getByTestId("file-row-readme.txt")).toBeVisible();
  await page.getByRole("button", { name: "Home" }).click();

  await page.getByRole("button", { name: "Delete docs" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("everything in it");
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByTestId("file-row-docs")).toHaveCount(0);
  await page.getByRole("button", { name: "Delete blob.bin" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByTestId("file-row-blob.bin")).toHaveCount(0);
  await expect(page.getByTestId("file-row-.bashrc")).toBeVisible(); // the rest of the home is untouched
  await snap(page, "files-after-deletes");
});
