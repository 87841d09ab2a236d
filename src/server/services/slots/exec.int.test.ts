// The exec API against the real engine (the tiny busybox image) and the real Postgres: argv and
// shell, cwd/env/stdin, exit codes, timeouts and cancel killing the whole tree, the output cap,
// history, activity, tenancy, and the NDJSON stream.
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as execStream } from "@/app/api/v1/slots/[id]/exec/stream/route";
import { EXEC_OUTPUT_CAP_BYTES, type ExecStreamEvent } from "@/lib/schemas/exec";
import { anonymousContext, callerFor, makeUser } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";
import { db } from "@/server/db";
import { berthProcesses, slotExecs, slots, templates, users } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { runtime, SLOT_EXEC_USER } from "@/server/runtime";
import { execAsSlotUser } from "@/server/runtime/docker/test-exec";
import { ensureTinyImage } from "@/server/runtime/docker/test-images";
import { issueTokenPair } from "../tokens/token-pairs";
import type { Actor } from "../context";
import { createSlot } from "./create-slot";
import { cancelSlotExec, getSlotExec, listSlotExecs, MAX_RUNNING_EXECS_PER_SLOT, runSlotExec, startSlotExec, sweepOrphanExecs } from "./exec";
import { sweepDeadProcesses } from "./process-sweep";
import { runSlotAction } from "./slot-actions";

setupTestDatabase();

const TEMPLATE = "tpl_tiny_exec";
const created: string[] = [];
let owner: Actor;
let slotId: string;
let containerId: string;

const as = (actor: Actor) => ({ ...anonymousContext(), actor });

async function errorOf(p: Promise<unknown>): Promise<BerthError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(BerthError);
  return e as BerthError;
}

/** The slot's processes other than its own keep-alive and the ps itself. */
async function strayProcesses(pattern: RegExp): Promise<string[]> {
  const ps = await execAsSlotUser(containerId, "ps -o pid,args");
  return ps.output.split("\n").filter((l) => pattern.test(l) && !l.includes("ps -o"));
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const image = await ensureTinyImage();
  await db().insert(templates).values({ id: TEMPLATE, slug: "tiny-exec", name: "Tiny (exec tests)", image, cpuMillicores: 500, memoryMiB: 128, diskMiB: 256 });
  owner = await makeUser();
  await db().update(users).set({ plan: "team", limits: { slots: 10 } }).where(eq(users.id, owner.id));
  const slot = await createSlot(as(owner), { name: "exec", templateId: TEMPLATE });
  created.push(slot.id);
  await runSlotAction(slot.id, "provision", owner.id);
  const [row] = await db().select().from(slots).where(eq(slots.id, slot.id));
  expect(row!.status).toBe("running");
  slotId = slot.id;
  containerId = row!.containerId!;
}, 180_000);

afterAll(async () => {
  for (const id of created) await runtime().remove(`berth-${id}`, { slotId: id, withHome: true }).catch(() => {});
});

describe("running a command", () => {
  it("runs argv directly and a string through the shell, with stdout, stderr and the exit code apart", async () => {
    const argv = await runSlotExec(as(owner), { id: slotId, command: ["echo", "a  b", "$HOME"] });
    expect(argv).toMatchObject({ status: "exited", exitCode: 0, stdout: "a  b $HOME\n", stderr: "", timedOut: false, truncated: false, shell: false, command: ["echo", "a  b", "$HOME"] });
    expect(argv.durationMs).toBeGreaterThanOrEqual(0);
    expect(argv.finishedAt).not.toBeNull();

    const sh = await runSlotExec(as(owner), { id: slotId, command: "echo $((1+2)); echo oops >&2; exit 7" });
    expect(sh).toMatchObject({ status: "exited", exitCode: 7, stdout: "3\n", stderr: "oops\n", shell: true });

    // Through the shell a missing program is the shell's own answer…
    const viaShell = await runSlotExec(as(owner), { id: slotId, command: "no-such-program" });
    expect(viaShell).toMatchObject({ status: "exited", exitCode: 127 });
    expect(viaShell.stderr).toContain("no-such-program");
  });

  it("says plainly when the engine cannot start the command: no such program, no such directory", async () => {
    // …as argv the engine refuses it; the record says which, not runc's "OCI runtime exec failed".
    const missing = await runSlotExec(as(owner), { id: slotId, command: ["no-such-program", "x"] });
    expect(missing).toMatchObject({ status: "failed", exitCode: 127, stdout: "", stderr: 'No program named "no-such-program" was found in the slot\'s PATH.' });
    const badCwd = await runSlotExec(as(owner), { id: slotId, command: ["pwd"], cwd: "/no/such/dir" });
    expect(badCwd).toMatchObject({ status: "failed", exitCode: 126, stdout: "", stderr: "The working directory /no/such/dir does not exist in the slot." });
    const notDir = await runSlotExec(as(owner), { id: slotId, command: ["pwd"], cwd: "/etc/passwd" });
    expect(notDir.stderr).toBe("The working directory /etc/passwd is not a directory.");
    const notProgram = await runSlotExec(as(owner), { id: slotId, command: ["/etc/passwd"] });
    expect(notProgram).toMatchObject({ status: "failed", exitCode: 126 });
    expect(notProgram.stderr).toMatch(/^\/etc\/passwd is not a program/);
    // A command that prints runc's words itself is left alone.
    const echoed = await runSlotExec(as(owner), { id: slotId, command: "echo 'OCI runtime exec failed: x'; exit 126" });
    expect(echoed).toMatchObject({ status: "exited", exitCode: 126, stdout: "OCI runtime exec failed: x\n" });
  });

  it("takes cwd, env and stdin, and keeps env names but never their values", async () => {
    const r = await runSlotExec(as(owner), { id: slotId, command: 'pwd; echo "$GREETING"; echo ${#TOKEN}; cat; id -u', cwd: "/tmp", env: { GREETING: "hello", TOKEN: "s3cret-value-xyz" }, stdin: "from stdin\n" });
    expect(r.stdout).toBe("/tmp\nhello\n16\nfrom stdin\n1000\n");
    expect(r.envNames.sort()).toEqual(["GREETING", "TOKEN"]);
    const [row] = await db().select().from(slotExecs).where(eq(slotExecs.id, r.id));
    expect(JSON.stringify(row)).not.toContain("s3cret-value-xyz");
    // Without stdin, a reader sees end of file at once instead of hanging.
    expect((await runSlotExec(as(owner), { id: slotId, command: "cat; echo done", timeoutMs: 5_000 })).stdout).toBe("done\n");
  });

  it("kills the whole process tree when the timeout passes", async () => {
    const started = Date.now();
    const r = await runSlotExec(as(owner), { id: slotId, command: "sleep 31 & sleep 32; echo never", timeoutMs: 1_000 });
    expect(r).toMatchObject({ status: "timed_out", timedOut: true, stdout: "" });
    expect(r.exitCode).toBe(137);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await until(() => strayProcesses(/sleep 3[12]/), (l) => l.length === 0)).toEqual([]);
  });

  it("kills what dropped the marker from its environment too: children and session of the tree", async () => {
    // env -i clears BERTH_EXEC: found as a child of a marked process; a grandchild whose parent
    // exited (re-parented to init) is found by its session instead.
    const r = await runSlotExec(as(owner), { id: slotId, command: "env -i sleep 33 & (env -i sh -c 'sleep 34 &') ; setsid sh -c 'sleep 35' & sleep 36", timeoutMs: 1_000 });
    expect(r.status).toBe("timed_out");
    // setsid + a marker still in the environment: found by the marker.
    expect(await until(() => strayProcesses(/sleep 3[3-6]/), (l) => l.length === 0)).toEqual([]);
  });

  it("caps each stream at the limit, cut on a whole UTF-8 character, and says truncated", async () => {
    const big = await runSlotExec(as(owner), { id: slotId, command: "head -c 5000000 /dev/zero | tr '\\0' a; echo small >&2" });
    expect(big).toMatchObject({ status: "exited", exitCode: 0, truncated: true, stderr: "small\n" });
    expect(big.stdout.length).toBe(EXEC_OUTPUT_CAP_BYTES);
    expect(big.stdout).toMatch(/^a+$/);

    // "x" then 2-byte characters: the cap falls inside one, which is dropped rather than mangled.
    const utf8 = await runSlotExec(as(owner), { id: slotId, command: "printf x; yes é | tr -d '\\n' | head -c 3000000" });
    expect(utf8.truncated).toBe(true);
    expect(Buffer.byteLength(utf8.stdout)).toBe(EXEC_OUTPUT_CAP_BYTES - 1);
    expect(utf8.stdout).not.toContain("\uFFFD");

    const [row] = await db().select().from(slotExecs).where(eq(slotExecs.id, big.id));
    expect(row!.stdout.length).toBe(EXEC_OUTPUT_CAP_BYTES);
  });

  it("counts as activity", async () => {
    const old = new Date(Date.now() - 3_600_000);
    await db().update(slots).set({ lastActivityAt: old }).where(eq(slots.id, slotId));
    await runSlotExec(as(owner), { id: slotId, command: ["true"] });
    const [row] = await db().select().from(slots).where(eq(slots.id, slotId));
    expect(row!.lastActivityAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("async commands, get and cancel", () => {
  it("answers 202 with the running record, shows output so far, and cancel kills the tree", async () => {
    const { caller, ctx } = await callerFor(owner);
    const rec = await caller.slots.exec({ id: slotId, command: "echo started; sleep 41 & sleep 42", async: true });
    expect(ctx.response.status).toBe(202);
    expect(ctx.response.headers.Location).toBe(`/api/v1/slots/${slotId}/execs/${rec.id}`);
    expect(rec).toMatchObject({ status: "running", exitCode: null, durationMs: null, finishedAt: null });

    const soFar = await until(() => caller.slots.execs.get({ id: slotId, execId: rec.id }), (r) => r.stdout === "started\n");
    expect(soFar).toMatchObject({ status: "running", stdout: "started\n" });
    // …and the row has it too within a few seconds, for another instance to answer from.
    const saved = await until(async () => (await db().select().from(slotExecs).where(eq(slotExecs.id, rec.id)))[0]!, (r) => r.stdout === "started\n");
    expect(saved).toMatchObject({ status: "running", stdout: "started\n" });
    expect(await until(() => strayProcesses(/sleep 4[12]/), (l) => l.length === 2)).toHaveLength(2); // ps does see them

    const cancelled = await caller.slots.execs.cancel({ id: slotId, execId: rec.id });
    expect(cancelled).toMatchObject({ status: "cancelled", timedOut: false, stdout: "started\n" });
    expect(cancelled.finishedAt).not.toBeNull();
    expect(await until(() => strayProcesses(/sleep 4[12]/), (l) => l.length === 0)).toEqual([]);

    // Cancelling again answers the same; a command that ended by itself cannot be cancelled.
    expect((await caller.slots.execs.cancel({ id: slotId, execId: rec.id })).status).toBe("cancelled");
    const done = await runSlotExec(as(owner), { id: slotId, command: ["true"] });
    expect((await errorOf(cancelSlotExec(as(owner), slotId, done.id))).code).toBe("CONFLICT");
  });

  it("a cancel that another instance receives kills the command by its marker and keeps it cancelled", async () => {
    const started = await startSlotExec(as(owner), { id: slotId, command: "sleep 51" });
    // The other instance acts on a command that is really running (a kill before the process exists finds nothing).
    await until(() => strayProcesses(/sleep 51/), (p) => p.length > 0);
    // What another Berth would do: no handle on the process, only the row.
    const [row] = await db().select().from(slotExecs).where(eq(slotExecs.id, started.record.id));
    await db().update(slotExecs).set({ status: "cancelled" }).where(eq(slotExecs.id, row!.id));
    await runtime().killByMarker(containerId, row!.marker);
    const final = await started.done;
    expect(final.status).toBe("cancelled");
    expect(final.exitCode).toBe(137);
    expect(await strayProcesses(/sleep 51/)).toEqual([]);
  });

  it("the reconciler kills a command whose Berth stopped, once past its timeout, and records it failed", async () => {
    // What a crashed Berth leaves: the process in the slot and its row `running`, followed by nobody.
    const marker = "orphan-sweep-test";
    const proc = await runtime().exec(containerId, { cmd: ["sh", "-c", "sleep 53"], user: SLOT_EXEC_USER, marker });
    proc.output.resume();
    await until(() => strayProcesses(/sleep 53/), (p) => p.length > 0);
    const id = "exc_orphan_sweep";
    await db().insert(slotExecs).values({ id, slotId, userId: owner.id, command: ["sleep 53"], shell: true, status: "running", marker, timeoutMs: 1_000, createdAt: new Date(Date.now() - 120_000) });
    // A young orphan is left alone (its timeout has not passed yet).
    await db().insert(slotExecs).values({ id: "exc_orphan_young", slotId, userId: owner.id, command: ["true"], shell: true, status: "running", marker: "young", timeoutMs: 60_000 });
    expect(await sweepOrphanExecs(async () => () => true)).toBe(1); // no process is alive
    const [row] = await db().select().from(slotExecs).where(eq(slotExecs.id, id));
    expect(row).toMatchObject({ status: "failed" });
    expect(await strayProcesses(/sleep 53/)).toEqual([]);
    expect((await db().select().from(slotExecs).where(eq(slotExecs.id, "exc_orphan_young")))[0]!.status).toBe("running");
    await db().delete(slotExecs).where(eq(slotExecs.id, "exc_orphan_young"));
  });

  it("ends at once a young command whose Berth process is gone (its lease lapsed), not one whose process lives", async () => {
    const start = async (marker: string, seconds: number) => {
      const proc = await runtime().exec(containerId, { cmd: ["sh", "-c", `sleep ${seconds}`], user: SLOT_EXEC_USER, marker });
      proc.output.resume();
      await until(() => strayProcesses(new RegExp(`sleep ${seconds}`)), (p) => p.length > 0);
    };
    // A process on another host that stopped renewing a while ago, and one that renews.
    await db().insert(berthProcesses).values([
      { id: "prc_dead_exec_test", hostname: "elsewhere", pid: 4242, seenAt: new Date(Date.now() - 5 * 60_000) },
      { id: "prc_live_exec_test", hostname: "elsewhere", pid: 4243 },
    ]);
    await start("lease-dead", 54);
    await start("lease-live", 55);
    const rows = [
      { id: "exc_lease_dead", marker: "lease-dead", processId: "prc_dead_exec_test" },
      { id: "exc_lease_live", marker: "lease-live", processId: "prc_live_exec_test" },
    ];
    for (const r of rows) await db().insert(slotExecs).values({ ...r, slotId, userId: owner.id, command: ["sleep"], status: "running", timeoutMs: 600_000 });

    const result = await sweepDeadProcesses();
    expect(result.execs).toBe(1);
    expect(result.deadProcesses).toBeGreaterThanOrEqual(1);
    const status = async (id: string) => (await db().select().from(slotExecs).where(eq(slotExecs.id, id)))[0]!.status;
    expect(await status("exc_lease_dead")).toBe("failed");
    expect(await status("exc_lease_live")).toBe("running");
    expect(await strayProcesses(/sleep 54/)).toEqual([]);
    expect(await strayProcesses(/sleep 55/)).toHaveLength(1);
    // The dead lease is gone, the live one stays.
    expect((await db().select().from(berthProcesses)).map((p) => p.id)).not.toContain("prc_dead_exec_test");
    await runtime().killByMarker(containerId, "lease-live");
    await db().delete(slotExecs).where(eq(slotExecs.id, "exc_lease_live"));
    await db().delete(berthProcesses).where(eq(berthProcesses.id, "prc_live_exec_test"));
  });

  it("a cancel taken by another instance while the engine is still making the process kills it once it exists", async () => {
    // The follower (another live process) has the row; its process appears only after the cancel's first kill.
    await db().insert(berthProcesses).values({ id: "prc_follower_test", hostname: "elsewhere", pid: 4244 });
    const marker = "late-process";
    await db().insert(slotExecs).values({ id: "exc_late", slotId, userId: owner.id, command: ["sleep"], status: "running", marker, timeoutMs: 600_000, processId: "prc_follower_test" });
    const cancelling = cancelSlotExec(as(owner), slotId, "exc_late");
    await until(async () => (await db().select().from(slotExecs).where(eq(slotExecs.id, "exc_late")))[0]!.status, (s) => s === "cancelled");
    await new Promise((r) => setTimeout(r, 300)); // the first kill has run by now and found nothing
    const proc = await runtime().exec(containerId, { cmd: ["sh", "-c", "sleep 56"], user: SLOT_EXEC_USER, marker });
    proc.output.resume();
    // Killed by a later round; then the follower records the end, as the real one would.
    expect(await proc.wait()).toBe(137);
    await db().update(slotExecs).set({ finishedAt: new Date(), exitCode: 137 }).where(eq(slotExecs.id, "exc_late"));
    expect(await cancelling).toMatchObject({ status: "cancelled", exitCode: 137 });
    expect(await strayProcesses(/sleep 56/)).toEqual([]);
    await db().delete(berthProcesses).where(eq(berthProcesses.id, "prc_follower_test"));
  });

  it(`runs at most ${MAX_RUNNING_EXECS_PER_SLOT} commands at once in a slot (RATE_LIMITED beyond)`, async () => {
    const running = await Promise.all(Array.from({ length: MAX_RUNNING_EXECS_PER_SLOT }, () => startSlotExec(as(owner), { id: slotId, command: ["sleep", "61"] })));
    const err = await errorOf(startSlotExec(as(owner), { id: slotId, command: ["true"] }));
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryAfter).toBe(1);
    await Promise.all(running.map((r) => cancelSlotExec(as(owner), slotId, r.record.id)));
    expect((await runSlotExec(as(owner), { id: slotId, command: ["true"] })).exitCode).toBe(0);
    expect(await until(() => strayProcesses(/sleep 61/), (l) => l.length === 0)).toEqual([]);
  }, 60_000);

  it("lists the history newest first, page by page, without output", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await runSlotExec(as(owner), { id: slotId, command: ["echo", String(i)] })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const { data, nextCursor } = await listSlotExecs(as(owner), { id: slotId, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(data.length).toBeLessThanOrEqual(2);
      for (const e of data) expect(e).not.toHaveProperty("stdout");
      seen.push(...data.map((e) => e.id));
      if (!nextCursor) break;
      cursor = nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 3)).toEqual([...ids].reverse());
    const all = await db().select({ id: slotExecs.id }).from(slotExecs).where(eq(slotExecs.slotId, slotId));
    expect(seen.length).toBe(all.length);
  });
});

describe("over REST, a caller that goes away", () => {
  it("cancels its synchronous command: the process is killed and the record says cancelled", async () => {
    const { handleRest } = await import("@/server/api/rest/handler");
    const { token } = await callerFor(owner);
    const abort = new AbortController();
    const answer = handleRest(
      new Request(`http://berth.test/api/v1/slots/${slotId}/exec`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ command: "sleep 57" }), signal: abort.signal }),
    ).catch(() => null);
    await until(() => strayProcesses(/sleep 57/), (p) => p.length > 0);
    abort.abort();
    await answer;
    await until(() => strayProcesses(/sleep 57/), (p) => p.length === 0);
    const [row] = await db().select().from(slotExecs).where(eq(slotExecs.slotId, slotId)).orderBy(desc(slotExecs.createdAt)).limit(1);
    expect(row).toMatchObject({ command: ["sleep 57"], status: "cancelled" });
  });
});

describe("over REST", () => {
  it("runs a shell string (200) and an async command (202 + Location), and a row left by a stopped Berth ends as failed", async () => {
    const { handleRest } = await import("@/server/api/rest/handler");
    const { token } = await callerFor(owner);
    const post = (body: unknown) =>
      handleRest(new Request(`http://berth.test/api/v1/slots/${slotId}/exec`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }));
    const ran = await post({ command: "echo rest", timeoutMs: 5_000 });
    expect(ran.status).toBe(200);
    expect(await ran.json()).toMatchObject({ exitCode: 0, stdout: "rest\n", stderr: "", timedOut: false, truncated: false, status: "exited" });

    const queued = await post({ command: ["sleep", "0.2"], async: true });
    expect(queued.status).toBe(202);
    const body = (await queued.json()) as { id: string; status: string };
    expect(body.status).toBe("running");
    expect(queued.headers.get("location")).toBe(`/api/v1/slots/${slotId}/execs/${body.id}`);
    const later = await until(() => getSlotExec(as(owner), slotId, body.id), (r) => r.status !== "running");
    expect(later).toMatchObject({ status: "exited", exitCode: 0 });

    const bad = await post({ command: ["true"], env: { BERTH_EXEC: "x" } });
    expect(bad.status).toBe(400);

    // No instance follows this row, and its timeout is long past.
    const [orphan] = await db()
      .insert(slotExecs)
      .values({ id: "exe_orphan_test", slotId, userId: owner.id, command: ["sleep", "1"], status: "running", timeoutMs: 1_000, marker: "orphan", createdAt: new Date(Date.now() - 3_600_000) })
      .returning();
    expect((await getSlotExec(as(owner), slotId, orphan!.id)).status).toBe("failed");
  });
});

describe("who may run what", () => {
  it("runs only in a running slot: CONFLICT otherwise, nothing recorded", async () => {
    const idle = await createSlot(as(owner), { name: "not-running", templateId: TEMPLATE });
    created.push(idle.id);
    const err = await errorOf(runSlotExec(as(owner), { id: idle.id, command: ["true"] }));
    expect(err.code).toBe("CONFLICT");
    expect(await db().select().from(slotExecs).where(eq(slotExecs.slotId, idle.id))).toHaveLength(0);
  });

  it("another user's slot and command are NOT_FOUND; a read-only account is FORBIDDEN", async () => {
    const mine = await runSlotExec(as(owner), { id: slotId, command: ["true"] });
    const stranger = await makeUser();
    expect((await errorOf(runSlotExec(as(stranger), { id: slotId, command: ["true"] }))).code).toBe("NOT_FOUND");
    expect((await errorOf(getSlotExec(as(stranger), slotId, mine.id))).code).toBe("NOT_FOUND");
    expect((await errorOf(cancelSlotExec(as(stranger), slotId, mine.id))).code).toBe("NOT_FOUND");
    expect((await errorOf(listSlotExecs(as(stranger), { id: slotId, limit: 5 }))).code).toBe("NOT_FOUND");
    expect((await errorOf(getSlotExec(as(owner), slotId, "exe_doesnotexist"))).code).toBe("NOT_FOUND");

    const readonly = await makeUser("readonly");
    expect((await errorOf(startSlotExec(as(readonly), { id: slotId, command: ["true"] }))).code).toBe("FORBIDDEN");
    const { caller } = await callerFor(readonly);
    await expect(caller.slots.exec({ id: slotId, command: ["true"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("the NDJSON stream", () => {
  const bearer = async (a: Actor) => ({ authorization: `Bearer ${(await issueTokenPair(anonymousContext(), a)).accessToken}`, "content-type": "application/json" });
  const call = (id: string, headers: Record<string, string>, body: unknown) =>
    execStream(new Request(`http://berth.test/api/v1/slots/${id}/exec/stream`, { method: "POST", headers, body: JSON.stringify(body) }), { params: Promise.resolve({ id }) });

  async function events(res: Response): Promise<ExecStreamEvent[]> {
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    return text.trimEnd().split("\n").map((l) => JSON.parse(l) as ExecStreamEvent);
  }

  it("streams stdout and stderr lines, then exit; the command is recorded", async () => {
    const res = await call(slotId, await bearer(owner), { command: "echo out; echo err >&2; exit 3" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const id = res.headers.get("x-berth-exec-id")!;
    const lines = await events(res);
    const text = (type: string) => lines.flatMap((l) => (l.type === type && "data" in l ? [l.data] : [])).join("");
    expect(text("stdout")).toBe("out\n");
    expect(text("stderr")).toBe("err\n");
    expect(lines.at(-1)).toMatchObject({ type: "exit", id, exitCode: 3, timedOut: false, status: "exited" });
    expect((await getSlotExec(as(owner), slotId, id)).stdout).toBe("out\n");

    // A program the engine cannot start: the exit event says why.
    const refused = await events(await call(slotId, await bearer(owner), { command: ["no-such-program"] }));
    expect(refused.at(-1)).toMatchObject({ type: "exit", status: "failed", exitCode: 127, error: 'No program named "no-such-program" was found in the slot\'s PATH.' });
  });

  it("sends all of a large output (the record keeps the capped part) and reports a timeout", async () => {
    const big = await events(await call(slotId, await bearer(owner), { command: "head -c 3000000 /dev/zero | tr '\\0' b" }));
    const streamed = big.reduce((n, l) => n + (l.type === "stdout" ? l.data.length : 0), 0);
    expect(streamed).toBe(3_000_000);
    expect(big.at(-1)).toMatchObject({ type: "exit", exitCode: 0, truncated: true });

    const slow = await events(await call(slotId, await bearer(owner), { command: "echo begin; sleep 33", timeoutMs: 500 }));
    expect(slow.at(-1)).toMatchObject({ type: "exit", timedOut: true, status: "timed_out" });
    expect(await until(() => strayProcesses(/sleep 33/), (l) => l.length === 0)).toEqual([]);
  });

  it("a reader that stops reading holds the command back but not its timeout", async () => {
    const res = await call(slotId, await bearer(owner), { command: "yes flood", timeoutMs: 1_000 });
    await new Promise((r) => setTimeout(r, 2_000));
    const lines = await events(res);
    expect(lines.at(-1)).toMatchObject({ type: "exit", timedOut: true, status: "timed_out" });
    // Back-pressure: far less than `yes` writes in 2 s when nobody holds it back (hundreds of MB).
    const streamed = lines.reduce((n, l) => n + (l.type === "stdout" ? l.data.length : 0), 0);
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
    expect(await until(() => strayProcesses(/yes flood/), (l) => l.length === 0)).toEqual([]);
  });

  it("a client closing the stream cancels the command and kills it", async () => {
    const res = await call(slotId, await bearer(owner), { command: "echo ready; sleep 44 & sleep 45" });
    const id = res.headers.get("x-berth-exec-id")!;
    const reader = res.body!.getReader();
    let got = "";
    while (!got.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) break;
      got += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const final = await until(() => getSlotExec(as(owner), slotId, id), (r) => r.status !== "running");
    expect(final.status).toBe("cancelled");
    expect(await until(() => strayProcesses(/sleep 4[45]/), (l) => l.length === 0)).toEqual([]);
  });

  it("answers errors as JSON before streaming: 401, 400, 403 read-only, 404 foreign, 409 not running", async () => {
    expect((await call(slotId, { "content-type": "application/json" }, { command: ["true"] })).status).toBe(401);
    const bad = await call(slotId, await bearer(owner), { command: [] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    expect((await call(slotId, await bearer(await makeUser("readonly")), { command: ["true"] })).status).toBe(403);
    expect((await call(slotId, await bearer(await makeUser()), { command: ["true"] })).status).toBe(404);
    const idle = await createSlot(as(owner), { name: "stream-idle", templateId: TEMPLATE });
    created.push(idle.id);
    const conflict = await call(idle.id, await bearer(owner), { command: ["true"] });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("x-request-id")).toBeTruthy();
  });
});
