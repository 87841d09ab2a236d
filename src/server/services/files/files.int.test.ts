// Files in a slot's home against the real engine (tiny image) and Postgres: list, stat, mkdir, move,
// delete; uploads and downloads byte-identical, Range; the same on a stopped slot; limits and
// aborts leave nothing; tenancy and read-only accounts; activity and audit.
import { createHash, randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { auditLog, slots } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { runtime } from "@/server/runtime";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import type { Actor } from "../context";
import { archive, bearer, download, filesPlan, removeSlots, slotOfTinyImage, stopSlot, upload, userOnPlan } from "./files-test-kit";
import { as } from "./files-test-kit";
import { listSlotFiles, statSlotFile } from "./manage-files";

setupTestDatabase();

const MiB = 1024 * 1024;
let owner: Actor;
let stranger: Actor;
let readonly: Actor;
let running: { id: string; containerId: string };
let stopped: { id: string; containerId: string };
const created: string[] = [];

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(Error);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof BerthError ? cause.code : ((e as { code?: string }).code ?? "none");
}

async function errorBody(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** Names in a folder of the home, seen from inside the slot (temporary upload files included). */
async function namesIn(containerId: string, dir: string): Promise<string[]> {
  const r = await execAsSlotUser(containerId, `cd /home/berth/${dir} && ls -A`);
  return r.output.split("\n").filter(Boolean);
}

beforeAll(async () => {
  await filesPlan("files-small", { maxFileMiB: 8, filesQuotaMiB: 24 });
  owner = await userOnPlan("files-small");
  stranger = await userOnPlan("files-small");
  readonly = await userOnPlan("files-small", "readonly");
  running = await slotOfTinyImage(owner, { template: "tpl_tiny_files", name: "files-running" });
  created.push(running.id);
  stopped = await slotOfTinyImage(owner, { template: "tpl_tiny_files", name: "files-stopped" });
  created.push(stopped.id);
  await stopSlot(owner, stopped.id);
}, 240_000);

afterAll(async () => {
  await removeSlots(created);
});

describe.each([
  ["running", () => running],
  ["stopped", () => stopped],
])("a %s slot", (state, slot) => {
  it("makes folders, lists, stats, moves and deletes", async () => {
    const { caller } = await callerFor(owner);
    const id = slot().id;
    const made = await caller.slots.files.mkdir({ id, path: "/proj/src/deep" });
    expect(made).toMatchObject({ name: "deep", path: "/proj/src/deep", type: "directory", size: 0 });
    expect(await caller.slots.files.mkdir({ id, path: "proj/src/deep/" })).toMatchObject({ path: "/proj/src/deep" }); // idempotent, normalized
    expect((await upload(owner, id, "/proj/src/main.py", Buffer.from("print('hi')\n"))).status).toBe(201);
    expect((await upload(owner, id, "/proj/README", Buffer.from("read me"))).status).toBe(201);

    const list = await caller.slots.files.list({ id, path: "/proj" });
    expect(list.data.map((e) => [e.name, e.type, e.size])).toEqual([["src", "directory", 0], ["README", "file", 7]]);
    expect(list).toMatchObject({ nextCursor: null, total: 2, truncated: false });
    expect(list.data[1]!.path).toBe("/proj/README");
    expect(Date.parse(list.data[1]!.modifiedAt)).not.toBeNaN();
    const home = await caller.slots.files.list({ id });
    expect(home.data.map((e) => e.name)).toContain("proj");

    expect(await caller.slots.files.stat({ id, path: "/proj/src/main.py" })).toMatchObject({ name: "main.py", type: "file", size: 12 });
    expect(await caller.slots.files.stat({ id, path: "/" })).toMatchObject({ name: "", path: "/", type: "directory" });
    expect(await codeOf(caller.slots.files.stat({ id, path: "/nope" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.slots.files.list({ id, path: "/proj/README" }))).toBe("CONFLICT");

    expect(await caller.slots.files.move({ id, from: "/proj/README", to: "/proj/src/README.md" })).toMatchObject({ path: "/proj/src/README.md", type: "file", size: 7 });
    expect(await codeOf(caller.slots.files.move({ id, from: "/proj/src/main.py", to: "/proj/src/README.md" }))).toBe("CONFLICT");
    expect(await caller.slots.files.move({ id, from: "/proj/src/main.py", to: "/proj/src/README.md", overwrite: true })).toMatchObject({ size: 12 });
    expect(await codeOf(caller.slots.files.move({ id, from: "/proj", to: "/proj/src/inner" }))).toBe("VALIDATION_ERROR");
    expect(await codeOf(caller.slots.files.move({ id, from: "/proj/missing", to: "/x" }))).toBe("NOT_FOUND");
    expect(await caller.slots.files.move({ id, from: "/proj", to: "/renamed" })).toMatchObject({ path: "/renamed", type: "directory" });

    expect(await codeOf(caller.slots.files.delete({ id, path: "/renamed" }))).toBe("CONFLICT"); // a folder needs recursive
    await caller.slots.files.delete({ id, path: "/renamed/src/README.md" });
    expect(await codeOf(caller.slots.files.stat({ id, path: "/renamed/src/README.md" }))).toBe("NOT_FOUND");
    await caller.slots.files.delete({ id, path: "/renamed", recursive: true });
    expect(await codeOf(caller.slots.files.delete({ id, path: "/renamed", recursive: true }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.slots.files.delete({ id, path: "/", recursive: true }))).toBe("VALIDATION_ERROR");
  });

  it("uploads a few MB and downloads them byte-identical, whole and by Range", async () => {
    const id = slot().id;
    const bytes = randomBytes(3 * MiB + 12345);
    const put = await upload(owner, id, "/data/blob.bin", bytes);
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ path: "/data/blob.bin", size: bytes.length });
    expect(put.headers.get("location")).toBe(`/api/v1/slots/${id}/files/content?path=%2Fdata%2Fblob.bin`);
    expect(Number(put.headers.get("ratelimit-limit"))).toBeGreaterThan(0); // a rate-limited route: its answers say so

    const get = await download(owner, id, "/data/blob.bin");
    expect(get.status).toBe(200);
    expect(get.headers.get("ratelimit-remaining")).toMatch(/^\d+$/);
    expect(get.headers.get("content-length")).toBe(String(bytes.length));
    expect(get.headers.get("content-type")).toBe("application/octet-stream");
    expect(get.headers.get("content-disposition")).toContain('attachment; filename="blob.bin"');
    expect(get.headers.get("accept-ranges")).toBe("bytes");
    expect(sha(new Uint8Array(await get.arrayBuffer()))).toBe(sha(bytes));

    const part = await download(owner, id, "/data/blob.bin", { range: "bytes=1000-1999" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
    const tail = await download(owner, id, "/data/blob.bin", { range: "bytes=-10" });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const open = await download(owner, id, "/data/blob.bin", { range: `bytes=${bytes.length - 5}-` });
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(true);
    const beyond = await download(owner, id, "/data/blob.bin", { range: `bytes=${bytes.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${bytes.length}`);

    // Replacing a file is atomic and leaves no temporary file.
    const smaller = randomBytes(1000);
    expect((await upload(owner, id, "/data/blob.bin", smaller)).status).toBe(201);
    expect(sha(new Uint8Array(await (await download(owner, id, "/data/blob.bin")).arrayBuffer()))).toBe(sha(smaller));
    const { caller } = await callerFor(owner);
    expect((await caller.slots.files.list({ id, path: "/data" })).data.map((e) => e.name)).toEqual(["blob.bin"]);
    // An empty file, and a folder in the way.
    expect((await upload(owner, id, "/data/empty", new Uint8Array(0))).status).toBe(201);
    expect((await download(owner, id, "/data/empty")).headers.get("content-length")).toBe("0");
    expect((await errorBody(await upload(owner, id, "/data", Buffer.from("x")))).code).toBe("CONFLICT");
    expect((await download(owner, id, "/data")).status).toBe(409);
    expect((await download(owner, id, "/data/none")).status).toBe(404);
  });

  it(`downloads a folder as a tar and a tar.gz (${state})`, async () => {
    const id = slot().id;
    await upload(owner, id, "/arch/a.txt", Buffer.from("alpha"));
    await upload(owner, id, "/arch/sub/b.txt", Buffer.from("beta"));
    for (const format of ["tar", "tar.gz"]) {
      const res = await archive(owner, id, "/arch", format);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toContain(`filename="arch.${format}"`);
      let body = Buffer.from(await res.arrayBuffer());
      if (format === "tar.gz") body = (await import("node:zlib")).gunzipSync(body);
      const text = body.toString("latin1");
      expect(text).toContain("./a.txt");
      expect(text).toContain("./sub/b.txt");
      expect(text).toContain("alpha");
    }
    expect((await archive(owner, id, "/arch/a.txt")).status).toBe(409);
    expect((await archive(owner, id, "/missing")).status).toBe(404);
    expect((await archive(owner, id, "/arch", "zip")).status).toBe(400);
  });
});

describe("limits", () => {
  it("refuses a file over the plan's per-file limit with 413 before writing anything", async () => {
    const res = await upload(owner, running.id, "/big/too-big.bin", randomBytes(8 * MiB + 1));
    expect(res.status).toBe(413);
    expect((await errorBody(res)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(await namesIn(running.containerId, "")).not.toContain("big");
  });

  it("refuses an upload past the user's quota across all their slots with 403 QUOTA_EXCEEDED, leaving nothing", async () => {
    // 24 MiB across both slots: 7 + 7 + 7 fit, the next 7 does not (wherever it goes).
    for (const [i, s] of [running, stopped, running].entries()) {
      expect((await upload(owner, s.id, `/quota/f${i}.bin`, randomBytes(7 * MiB))).status).toBe(201);
    }
    const res = await upload(owner, stopped.id, "/quota/over.bin", randomBytes(7 * MiB));
    expect(res.status).toBe(403);
    const error = await errorBody(res);
    expect(error.code).toBe("QUOTA_EXCEEDED");
    expect(error.message).toMatch(/24 MiB/);
    const { caller } = await callerFor(owner);
    expect((await caller.slots.files.list({ id: stopped.id, path: "/quota" })).data.map((e) => e.name)).toEqual(["f1.bin"]);
    // Freed space counts at once.
    for (const [i, s] of [running, stopped, running].entries()) await caller.slots.files.delete({ id: s.id, path: `/quota/f${i}.bin` });
    expect((await upload(owner, stopped.id, "/quota/over.bin", randomBytes(7 * MiB))).status).toBe(201);
    await caller.slots.files.delete({ id: stopped.id, path: "/quota", recursive: true });
  });

  it("requires Content-Length (411) and a body as long as it says", async () => {
    const stream = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array(10)), c.close()) });
    const res = await upload(owner, running.id, "/chunked.bin", stream);
    expect(res.status).toBe(411);
    expect((await errorBody(res)).code).toBe("VALIDATION_ERROR");
  });

  it.each([
    ["running", () => running],
    ["stopped", () => stopped],
  ])("a client that goes away mid-upload leaves nothing, and the old file intact (%s)", async (_state, slot) => {
    const { id } = slot();
    const old = Buffer.from("the old content");
    expect((await upload(owner, id, "/abort/file.bin", old)).status).toBe(201);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent >= 2 * MiB) {
          c.error(new Error("the client went away"));
          return;
        }
        sent += 256 * 1024;
        c.enqueue(randomBytes(256 * 1024));
      },
    });
    const res = await upload(owner, id, "/abort/file.bin", body, { "content-length": String(5 * MiB) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const { caller } = await callerFor(owner);
    expect((await caller.slots.files.list({ id, path: "/abort" })).data.map((e) => [e.name, e.size])).toEqual([["file.bin", old.length]]);
    expect(Buffer.from(await (await download(owner, id, "/abort/file.bin")).arrayBuffer()).equals(old)).toBe(true);
  });
});

describe("uploads onto the slot's own disk", () => {
  /** A 2 MiB body that stops halfway until `resume()`; `bytes` is what it sends. */
  function pausedBody() {
    const bytes = randomBytes(2 * MiB);
    let resume!: () => void;
    const halfway = new Promise<void>((r) => (resume = r));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent === MiB) await halfway;
        if (sent >= bytes.length) return c.close();
        c.enqueue(bytes.subarray(sent, sent + 256 * 1024));
        sent += 256 * 1024;
      },
    });
    return { bytes, body, resume };
  }

  /** `stat` of the upload's staging file at the home's top, seen by the slot user, once it is there. */
  async function stagedFile(containerId: string): Promise<{ name: string; owner: string; mode: string; readable: boolean }> {
    for (let i = 0; i < 200; i++) {
      const r = await execAsSlotUser(containerId, "cd /home/berth && for f in .berth-upload-*; do [ -f \"$f\" ] && stat -c '%n %u %a' \"$f\" && { head -c1 \"$f\" >/dev/null 2>&1 && echo readable || echo unreadable; }; done");
      const [line, readable] = r.output.trim().split("\n");
      if (line && readable) {
        const [name = "", owner = "", mode = ""] = line.split(" ");
        return { name, owner, mode, readable: readable === "readable" };
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error("no upload was staged at the home's top");
  }

  it("writes the bytes at the home's top under a fresh name only root can read, then gives the file to the slot user in its place", async () => {
    // This machine makes slot disks (home-disk.int.test.ts), so uploads take this way here.
    expect(await runtime().capabilities?.()).toEqual({ diskLimitEnforced: true });
    const { bytes, body, resume } = pausedBody();
    const put = upload(owner, running.id, "/staged/file.bin", body, { "content-length": String(bytes.length) });
    const staged = await stagedFile(running.containerId);
    expect(staged).toMatchObject({ name: expect.stringMatching(/^\.berth-upload-[0-9a-f]{24}$/), owner: "0", mode: "600", readable: false });
    resume();
    expect((await put).status).toBe(201);
    expect((await execAsSlotUser(running.containerId, "stat -c '%u %g %a' /home/berth/staged/file.bin")).output).toBe("1000 1000 644\n");
    expect(sha(new Uint8Array(await (await download(owner, running.id, "/staged/file.bin")).arrayBuffer()))).toBe(sha(bytes));
    expect((await namesIn(running.containerId, "")).filter((n) => n.startsWith(".berth-upload-"))).toEqual([]);
  });

  it("fails, touching nothing outside the home, when the slot user swaps a link in for the staged file", async () => {
    const before = await execAsSlotUser(running.containerId, "md5sum /etc/passwd");
    const { bytes, body, resume } = pausedBody();
    const put = upload(owner, running.id, "/staged/swapped.bin", body, { "content-length": String(bytes.length) });
    const staged = await stagedFile(running.containerId);
    const swap = await execAsSlotUser(running.containerId, `cd /home/berth && mv ${staged.name} moved-away && ln -s /etc/passwd ${staged.name} && echo swapped`);
    expect(swap.output).toBe("swapped\n");
    resume();
    const res = await put;
    expect(res.status).toBe(400);
    expect((await errorBody(res)).code).toBe("VALIDATION_ERROR");
    expect((await execAsSlotUser(running.containerId, "md5sum /etc/passwd")).output).toBe(before.output);
    const top = await namesIn(running.containerId, "");
    expect(top.filter((n) => n.startsWith(".berth-upload-"))).toEqual([]); // the link at Berth's name is removed, not followed
    expect(await namesIn(running.containerId, "staged")).toEqual(["file.bin"]);
    // Berth's descriptor followed the file, not the name: what the user moved away is the upload's
    // bytes, given to them, theirs to keep or delete.
    expect((await execAsSlotUser(running.containerId, "cd /home/berth && stat -c '%u %a %s' moved-away && rm -f moved-away && echo gone")).output).toBe(`1000 644 ${bytes.length}\ngone\n`);
  });
});

describe("who may do what", () => {
  it("answers NOT_FOUND for another user's slot, on every route", async () => {
    const { caller } = await callerFor(stranger);
    const id = running.id;
    expect(await codeOf(caller.slots.files.list({ id, path: "/" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.slots.files.stat({ id, path: "/" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.slots.files.mkdir({ id, path: "/x" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.slots.files.move({ id, from: "/a", to: "/b" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.slots.files.delete({ id, path: "/a" }))).toBe("NOT_FOUND");
    expect((await download(stranger, id, "/data/blob.bin")).status).toBe(404);
    expect((await upload(stranger, id, "/intruder", Buffer.from("x"))).status).toBe(404);
    expect((await archive(stranger, id, "/")).status).toBe(404);
    expect(await namesIn(running.containerId, "")).not.toContain("intruder");
  });

  it("lets a read-only account change nothing (403)", async () => {
    const { caller } = await callerFor(readonly);
    expect(await codeOf(caller.slots.files.mkdir({ id: running.id, path: "/x" }))).toBe("FORBIDDEN");
    expect(await codeOf(caller.slots.files.move({ id: running.id, from: "/a", to: "/b" }))).toBe("FORBIDDEN");
    expect(await codeOf(caller.slots.files.delete({ id: running.id, path: "/a" }))).toBe("FORBIDDEN");
    const res = await upload(readonly, running.id, "/ro", Buffer.from("x"));
    expect(res.status).toBe(403);
    expect((await errorBody(res)).code).toBe("FORBIDDEN");
  });

  it("answers UNAUTHORIZED without credentials and VALIDATION_ERROR for a bad path, never a 500", async () => {
    const { GET } = await import("@/app/api/v1/slots/[id]/files/content/route");
    const anon = await GET(new Request(`http://berth.test/api/v1/slots/${running.id}/files/content?path=/a`), { params: Promise.resolve({ id: running.id }) });
    expect(anon.status).toBe(401);
    expect((await download(owner, running.id, "/../etc/passwd")).status).toBe(400);
    const noPath = await GET(new Request(`http://berth.test/api/v1/slots/${running.id}/files/content`, { headers: await bearer(owner) }), { params: Promise.resolve({ id: running.id }) });
    expect(noPath.status).toBe(400);
  });
});

describe("activity and audit", () => {
  it("counts file actions as activity and audits changes with paths only", async () => {
    await db().update(slots).set({ lastActivityAt: new Date(Date.now() - 3_600_000) }).where(eq(slots.id, running.id));
    await listSlotFiles(as(owner), { id: running.id, path: "/" });
    const [row] = await db().select({ at: slots.lastActivityAt }).from(slots).where(eq(slots.id, running.id));
    expect(Date.now() - row!.at.getTime()).toBeLessThan(60_000);

    expect((await upload(owner, running.id, "/audited.txt", Buffer.from("secret contents"))).status).toBe(201);
    const rows = await db().select().from(auditLog).where(and(eq(auditLog.actorId, owner.id), eq(auditLog.action, "file.upload")));
    const mine = rows.find((r) => (r.details as { path?: string }).path === "/audited.txt");
    expect(mine).toMatchObject({ outcome: "success", targetType: "slot", targetId: running.id, details: { path: "/audited.txt", size: 15 } });
    expect(JSON.stringify(rows)).not.toContain("secret contents");
    const refused = rows.find((r) => (r.details as { path?: string }).path === "/big/too-big.bin");
    expect(refused).toMatchObject({ outcome: "failure", details: { error: "PAYLOAD_TOO_LARGE" } });
    expect(await statSlotFile(as(owner), { id: running.id, path: "/audited.txt" })).toMatchObject({ size: 15 });
  });
});
