// Path safety (issue 6, point 2): hostile paths and links against the real engine, each checked to
// have read and written nothing outside the slot's home. Canaries sit in the slot's /tmp (writable
// by the slot user, so an escape could reach it), in its /etc (root's), and on the host.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import type { Actor } from "../context";
import { archive, download, filesPlan, removeSlots, slotOfTinyImage, stopSlot, upload, userOnPlan } from "./files-test-kit";

setupTestDatabase();

/** Root in the slot's container: plants canaries where the slot user cannot write (/etc). */
const execAsRoot = (containerId: string, script: string) => execAsSlotUser(containerId, script, "0:0");

const CANARY = `canary-${randomBytes(6).toString("hex")}`;
let owner: Actor;
let slot: { id: string; containerId: string };
let hostDir: string;
let outside: string;
let caller: Awaited<ReturnType<typeof callerFor>>["caller"];

/** Everything outside the home the slot user (or root) could touch: names and contents of /tmp and /etc, and the host's canary folder. */
async function outsideState(): Promise<string> {
  const inSlot = await execAsRoot(slot.containerId, "ls -la --full-time /tmp /etc 2>/dev/null || ls -la /tmp /etc; cat /tmp/canary /etc/berth-canary; ls /");
  const host = (await readdir(hostDir)).sort().join(",") + (await readFile(path.join(hostDir, "canary"), "utf8"));
  return `${inSlot.output}\n${host}`;
}

/** What the image's own /etc/passwd holds: a stopped slot's file helper is another container, without our canaries. */
const PASSWD_LINE = "root:x:0:0";

/** Every REST and tRPC operation on a path; none may answer a 500 (an error object's code, or "ok"). */
async function tryEverything(p: string): Promise<string[]> {
  const results: string[] = [];
  const status = async (r: Promise<Response>) => {
    const res = await r;
    const text = await res.text();
    expect(res.status, `${p}: never a 500`).toBeLessThan(500);
    // No answer may carry a canary's content, or any file of the container outside the home.
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(PASSWD_LINE);
    results.push(String(res.status));
  };
  const trpc = async (fn: () => Promise<unknown>) => {
    try {
      const out = await fn();
      expect(JSON.stringify(out ?? null)).not.toContain(CANARY);
      expect(JSON.stringify(out ?? null)).not.toContain(PASSWD_LINE);
      results.push("ok");
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      expect(code, `${p}: ${String(err)}`).not.toBe("INTERNAL_SERVER_ERROR");
      results.push(code);
    }
  };
  // Reads first: an upload replaces a link at the last component (it is never followed), after
  // which reading that name reads the new file, inside the home.
  await status(download(owner, slot.id, p));
  await status(download(owner, slot.id, p, { range: "bytes=0-3" }));
  await status(upload(owner, slot.id, p, Buffer.from("written by the hostile suite")));
  await status(archive(owner, slot.id, p));
  await trpc(() => caller.slots.files.list({ id: slot.id, path: p }));
  await trpc(() => caller.slots.files.stat({ id: slot.id, path: p }));
  await trpc(() => caller.slots.files.mkdir({ id: slot.id, path: `${p}/made` }));
  await trpc(() => caller.slots.files.move({ id: slot.id, from: "/victim.txt", to: p }));
  await trpc(() => caller.slots.files.move({ id: slot.id, from: p, to: "/moved-here" }));
  await trpc(() => caller.slots.files.delete({ id: slot.id, path: `${p}/canary`, recursive: true }));
  return results;
}

beforeAll(async () => {
  await filesPlan("files-hostile", { maxFileMiB: 8, filesQuotaMiB: 64 });
  owner = await userOnPlan("files-hostile");
  ({ caller } = await callerFor(owner));
  slot = await slotOfTinyImage(owner, { template: "tpl_tiny_hostile", name: "hostile" });
  hostDir = await mkdtemp(path.join(os.tmpdir(), "berth-host-canary-"));
  outside = hostDir;
  await writeFile(path.join(hostDir, "canary"), CANARY);
  expect((await execAsRoot(slot.containerId, `echo ${CANARY} > /etc/berth-canary && chmod 644 /etc/berth-canary`)).code).toBe(0);
  await plantLinks();
}, 240_000);

const LINK_NAMES = "out-etc out-tmp canary-link etc-canary-link rel-etc rel-tmp chain1 chain2 proc-root proc-cwd root-link host-dir dangling inner-link berth-parent";

/**
 * Links the slot's user makes in their home: out of it (absolute, relative, chained, through
 * /proc), to the host's path (which means nothing inside the engine), dangling, and one inside.
 * Planted afresh before each link test: an earlier test's upload or move replaces a link.
 */
async function plantLinks(): Promise<void> {
  const links = [
    `echo ${CANARY} > /tmp/canary`,
    `cd /home/berth && rm -rf ${LINK_NAMES} && echo victim > victim.txt && mkdir -p sub && echo inner > sub/ok.txt`,
    "ln -s /etc out-etc && ln -s /tmp out-tmp && ln -s /tmp/canary canary-link && ln -s /etc/berth-canary etc-canary-link",
    "ln -s ../../../etc rel-etc && ln -s ../../tmp rel-tmp && ln -s chain2 chain1 && ln -s /tmp chain2",
    "ln -s /proc/self/root/etc proc-root && ln -s /proc/1/cwd proc-cwd && ln -s / root-link",
    `ln -s ${outside} host-dir && ln -s /tmp/not-yet dangling && ln -s /home/berth/sub inner-link && ln -s /home berth-parent`,
  ];
  for (const cmd of links) expect((await execAsSlotUser(slot.containerId, `cd /home/berth && ${cmd}`)).code, cmd).toBe(0);
}

afterAll(async () => {
  await removeSlots([slot.id]);
  await rm(hostDir, { recursive: true, force: true });
});

const ENCODED = [
  "../etc/passwd",
  "/../../etc/passwd",
  "a/../../etc/passwd",
  "..",
  "/..",
  "./../x",
  "~/../etc",
  "/home/berth/../../etc/passwd",
  "%2e%2e/etc/passwd",
  "%2E%2E%2Fetc%2Fpasswd",
  "%2e%2e%2f%2e%2e%2fetc",
  "%252e%252e/etc/passwd",
  "%25252e%25252e/etc",
  "..%2fetc%2fpasswd",
  ".%2e/x",
  "%2e./x",
  "..%5c..%5cetc%5cpasswd",
  "..%255c..%255cetc",
  "..\\..\\etc\\passwd",
  "a\\..\\..\\etc",
  "%c0%ae%c0%ae/etc/passwd",
  "%e0%80%ae%e0%80%ae/x",
  "%u002e%u002e/x",
  "..%00/x",
  "a\u0000b",
  "%00",
  "x".repeat(256),
  "a/".repeat(2100),
];

const NAMES = [
  // Look-alikes and oddities: ordinary names inside the home.
  "．．/etc/passwd",
  "‥/etc",
  "/etc/passwd",
  "/tmp/canary",
  "....//x",
  "..;/etc",
  "file:///etc/passwd",
  " ../etc",
  "-rf",
  "$(touch /tmp/pwned)",
  "`touch /tmp/pwned`",
  "a\nb",
];

const LINKS = [
  "out-etc",
  "out-etc/passwd",
  "out-etc/berth-canary",
  "out-tmp",
  "out-tmp/canary",
  "out-tmp/new-file",
  "canary-link",
  "etc-canary-link",
  "rel-etc/berth-canary",
  "rel-tmp/canary",
  "chain1/canary",
  "proc-root/berth-canary",
  "proc-cwd",
  "root-link/etc/berth-canary",
  "host-dir/canary",
  "dangling",
  "berth-parent/tmp",
];

describe("hostile paths", () => {
  it.each(ENCODED)("refuses %j as invalid, touching nothing", async (p) => {
    const before = await outsideState();
    const results = await tryEverything(p);
    // Every operation is refused as invalid (400 / BAD_REQUEST) — except a move *from* the victim
    // or to it, which fails the same way.
    expect(results.every((r) => r === "400" || r === "BAD_REQUEST"), `${p}: ${results.join(" ")}`).toBe(true);
    expect(await outsideState()).toBe(before);
  });

  it.each(NAMES)("treats %j as a name inside the home, touching nothing outside", async (p) => {
    const before = await outsideState();
    await execAsSlotUser(slot.containerId, "cd /home/berth && [ -e victim.txt ] || echo victim > victim.txt");
    await tryEverything(p);
    expect(await outsideState()).toBe(before);
    expect((await execAsSlotUser(slot.containerId, "ls /tmp")).output).not.toContain("pwned");
  });

  it.each(LINKS)("never follows the link in %j out of the home", async (p) => {
    await plantLinks();
    const before = await outsideState();
    const results = await tryEverything(p);
    expect(await outsideState()).toBe(before);
    // Reads through the link are refused (403) or find nothing (404, 409): never 200 with outside bytes.
    expect(results.slice(0, 2).filter((r) => r === "200" || r === "206"), `${p}: ${results.join(" ")}`).toEqual([]);
  });

  it("follows a link that stays inside the home", async () => {
    expect((await upload(owner, slot.id, "/inner-link/through.txt", Buffer.from("inside"))).status).toBe(201);
    expect(await (await download(owner, slot.id, "/sub/through.txt")).text()).toBe("inside");
    expect(await (await download(owner, slot.id, "/inner-link/ok.txt")).text()).toBe("inner\n");
    // /home/berth seen from /home through a link is the home itself.
    expect(await (await download(owner, slot.id, "/berth-parent/berth/sub/ok.txt")).text()).toBe("inner\n");
  });

  it("describes a link without following it, and deletes the link, not its target", async () => {
    expect(await caller.slots.files.stat({ id: slot.id, path: "/out-etc" })).toMatchObject({ type: "symlink", size: 0 });
    await caller.slots.files.delete({ id: slot.id, path: "/etc-canary-link" });
    expect((await execAsRoot(slot.containerId, "cat /etc/berth-canary")).output.trim()).toBe(CANARY);
  });

  it("never follows a link swapped in during operations (TOCTOU)", async () => {
    // The slot's user flips "flip" between a real folder and a link to /tmp, and "flipf" between a
    // real file and a link to the canary, as fast as it can, while uploads and downloads run.
    const before = await outsideState();
    const flipper = execAsSlotUser(
      slot.containerId,
      `cd /home/berth && mkdir -p real && echo mine > realf && end=$(($(date +%s) + 12)); while [ $(date +%s) -lt $end ]; do
         rm -rf flip; mkdir flip; rm -rf flip; ln -s /tmp flip; rm -f flipf; cp realf flipf; rm -f flipf; ln -s /tmp/canary flipf; done; rm -rf flip flipf`,
    );
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const put = await upload(owner, slot.id, `/flip/f${i}`, Buffer.from("swap"));
      seen.add(`put ${put.status}`);
      const get = await download(owner, slot.id, "/flipf");
      const body = await get.text();
      expect(body).not.toContain(CANARY);
      seen.add(`get ${get.status}`);
    }
    await flipper;
    expect(await outsideState()).toBe(before);
    expect((await execAsSlotUser(slot.containerId, "ls /tmp")).output).not.toMatch(/\bf\d+\b/);
  }, 60_000);
});

describe("hostile paths on a stopped slot (the file helper container)", () => {
  // Stopped, a slot's files are served by a locked-down helper container on the same home: the same
  // inputs and links must not get out of the home there either. Its root fs is the tiny image's,
  // read-only; what could leak is that image's files (its /etc/passwd) or the host's canary.
  const hostState = async () => (await readdir(hostDir)).sort().join(",") + (await readFile(path.join(hostDir, "canary"), "utf8"));
  beforeAll(async () => {
    await plantLinks();
    await stopSlot(owner, slot.id);
  }, 60_000);
  // Paths through a link first: they leave the links in place (each is refused), while a bare link
  // name's upload or move replaces that link (the links cannot be planted again while stopped).
  const THROUGH_FIRST = [...LINKS.filter((p) => p.includes("/")), ...LINKS.filter((p) => !p.includes("/"))];

  it.each(ENCODED)("refuses %j as invalid", async (p) => {
    const results = await tryEverything(p);
    expect(results.every((r) => r === "400" || r === "BAD_REQUEST"), `${p}: ${results.join(" ")}`).toBe(true);
  });

  it.each(THROUGH_FIRST)("never follows the link in %j out of the home", async (p) => {
    const before = await hostState();
    const results = await tryEverything(p);
    expect(await hostState()).toBe(before);
    expect(results.slice(0, 2).filter((r) => r === "200" || r === "206"), `${p}: ${results.join(" ")}`).toEqual([]);
  });

  it("still follows a link that stays inside the home", async () => {
    expect(await (await download(owner, slot.id, "/inner-link/ok.txt")).text()).toBe("inner\n");
  });
});
