// Commands run in a slot through the exec API: start (and wait, or not), follow, cancel, history.
// Every command is a slot_execs row; its process tree carries a marker so timeout and cancel kill
// all of it (Docker never kills an exec on its own).
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { and, count, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import {
  EXEC_DEFAULT_TIMEOUT_MS,
  EXEC_MAX_TIMEOUT_MS,
  EXEC_OUTPUT_CAP_BYTES,
  type ExecInput,
  type ExecRecord,
  type ExecSummary,
} from "@/lib/schemas/exec";
import { db, type DbOrTx } from "@/server/db";
import { berthProcesses, slotExecs, slots, type ExecStatus } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import { newId } from "@/server/ids";
import { logger } from "@/server/logger";
import { leaseIsDead, ownLeaseId, processLease } from "@/server/process-lease";
import { containerGone, runtime, SLOT_EXEC_USER, type ExecChunk } from "@/server/runtime";
import { requireWriter, type ServiceContext } from "../context";
import { emitEvent } from "../events/emit";
import { afterCursor, pageFrom } from "../pagination";
import { secretEnvironment } from "../secrets/slot-environment";
import { toBerthError } from "./runtime-errors";
import { keepSlotActive, ownedSlot, touchSlot } from "./slot-queries";

type ExecRow = typeof slotExecs.$inferSelect;
type StreamName = ExecChunk["stream"];
/** What command.finished says of the slot, and whose event it is. */
type ExecSlot = { id: string; name: string; ownerId: string };

/** Announces a command's end (the feed, webhooks), in the transaction that records it. */
async function announceFinished(tx: DbOrTx, slot: ExecSlot, row: ExecRow): Promise<void> {
  await emitEvent(tx, slot.ownerId, "command.finished", {
    slot: { id: slot.id, name: slot.name },
    command: { id: row.id, status: row.status, exitCode: row.exitCode, durationMs: row.durationMs, timedOut: row.timedOut },
  });
}

/** How often a running command's output so far is saved to its row. */
const PROGRESS_EVERY_MS = 2_000;
/** A running row older than its timeout plus this was left by a Berth that stopped mid-command. */
const ORPHAN_GRACE_MS = 60_000;
/**
 * Commands running in one slot at once. Each holds an engine connection and a follower here; the
 * slot's pids limit alone would let a script open thousands (approximate: two racing starts may
 * both pass the count).
 */
export const MAX_RUNNING_EXECS_PER_SLOT = 32;
/** How long cancel waits for the command to end, so its answer carries the final output. */
const CANCEL_WAIT_MS = 10_000;

/** The first bytes of each stream, up to the cap, cut back to a whole UTF-8 character. */
class OutputCapture {
  private readonly parts: Record<StreamName, Buffer[]> = { stdout: [], stderr: [] };
  private readonly sizes: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  truncated = false;

  add({ stream, data }: ExecChunk): void {
    const room = EXEC_OUTPUT_CAP_BYTES - this.sizes[stream];
    if (data.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = data.length > room ? data.subarray(0, room) : data;
    this.parts[stream].push(kept);
    this.sizes[stream] += kept.length;
  }

  /** Bytes kept so far (both streams): tells whether there is anything new to save. */
  get size(): number {
    return this.sizes.stdout + this.sizes.stderr;
  }

  text(stream: StreamName): string {
    const buf = Buffer.concat(this.parts[stream]);
    const end = this.sizes[stream] >= EXEC_OUTPUT_CAP_BYTES ? utf8Boundary(buf) : buf.length;
    // Postgres text cannot hold NUL; binary output is for the stream form or a file.
    return buf.subarray(0, end).toString("utf8").replaceAll("\0", "\uFFFD");
  }
}

/** The length of `buf` without a multi-byte character cut off at its end. */
function utf8Boundary(buf: Buffer): number {
  let i = buf.length - 1;
  while (i >= 0 && i > buf.length - 4 && ((buf[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return buf.length;
  const lead = buf[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + need > buf.length ? i : buf.length;
}

/**
 * The engine's words when it could not start a command at all (runc's "OCI runtime exec failed …",
 * written to the exec's output with exit code 126), as a message for people and the shell's exit
 * code for the case: 127 for a program that is not there, 126 for everything else.
 */
export function startRefusal(output: string, cwd: string | undefined): { message: string; exitCode: number } {
  const text = output.trim();
  const chdir = /chdir to cwd \("(.*?)"\) set in config\.json failed: ([^:]+)/.exec(text);
  if (chdir) {
    const dir = cwd ?? chdir[1]!;
    const why = /no such file/.test(chdir[2]!) ? "does not exist in the slot" : /not a directory/.test(chdir[2]!) ? "is not a directory" : "cannot be entered by the slot's user";
    return { message: `The working directory ${dir} ${why}.`, exitCode: 126 };
  }
  const notFound = /exec: "(.*?)": executable file not found in \$PATH/.exec(text);
  if (notFound) return { message: `No program named "${notFound[1]}" was found in the slot's PATH.`, exitCode: 127 };
  const missing = /exec: "(.*?)": no such file or directory/.exec(text);
  if (missing) return { message: `The program ${missing[1]} does not exist in the slot.`, exitCode: 127 };
  const denied = /exec: "(.*?)": permission denied/.exec(text);
  if (denied) return { message: `${denied[1]} is not a program the slot's user may run (not executable, or a directory).`, exitCode: 126 };
  return { message: `The command could not be started: ${(text || "the engine gave no reason").replace(/^OCI runtime exec failed: (exec failed: )?(unable to start container process: )?/, "").replace(/: unknown$/, "")}`, exitCode: 126 };
}

type LiveExec = { controller: AbortController; capture: OutputCapture; reason: "timeout" | "cancel" | null; done: Promise<ExecRecord> };

// Commands this process follows; cached on globalThis so a dev reload does not lose them.
const cache = globalThis as unknown as { __berthLiveExecs?: Map<string, LiveExec> };
const live = (cache.__berthLiveExecs ??= new Map<string, LiveExec>());

function toSummary(row: ExecRow): ExecSummary {
  return {
    id: row.id,
    slotId: row.slotId,
    command: row.command,
    shell: row.shell,
    cwd: row.cwd,
    envNames: row.envNames,
    status: row.status,
    exitCode: row.exitCode,
    timedOut: row.timedOut,
    truncated: row.truncated,
    timeoutMs: row.timeoutMs,
    durationMs: row.durationMs,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

function toRecord(row: ExecRow): ExecRecord {
  const running = row.status === "running" ? live.get(row.id) : undefined;
  if (running) return { ...toSummary(row), stdout: running.capture.text("stdout"), stderr: running.capture.text("stderr"), truncated: running.capture.truncated };
  return { ...toSummary(row), stdout: row.stdout, stderr: row.stderr };
}

export type StartedExec = {
  /** The row as it is now (status running). */
  record: ExecRecord;
  /** The final record, once the command has ended and been recorded. Never rejects. */
  done: Promise<ExecRecord>;
  /** Kills the command's process tree; the record ends as cancelled. */
  cancel(): void;
};

export type ExecSink = (stream: StreamName, text: string) => Promise<void> | void;

/**
 * Starts a command in a running slot of the caller's. `onOutput` receives every byte as UTF-8
 * text, uncapped, and may slow the command down by not resolving (back-pressure); the record keeps
 * the first EXEC_OUTPUT_CAP_BYTES of each stream.
 */
export async function startSlotExec(ctx: ServiceContext, input: Omit<ExecInput, "async">, opts: { onOutput?: ExecSink } = {}): Promise<StartedExec> {
  requireWriter(ctx);
  const slot = await ownedSlot(ctx, input.id);
  if (slot.status !== "running" || !slot.containerId) {
    throw new BerthError("CONFLICT", `The slot is ${slot.status}; commands run only in a running slot. Start it first.`, { details: { status: slot.status } });
  }
  const containerId = slot.containerId;
  const [running] = await db()
    .select({ n: count() })
    .from(slotExecs)
    .where(and(eq(slotExecs.slotId, slot.id), eq(slotExecs.status, "running"), gt(slotExecs.createdAt, new Date(Date.now() - EXEC_MAX_TIMEOUT_MS - ORPHAN_GRACE_MS))));
  if ((running?.n ?? 0) >= MAX_RUNNING_EXECS_PER_SLOT) {
    throw new BerthError("RATE_LIMITED", `${MAX_RUNNING_EXECS_PER_SLOT} commands are already running in this slot; wait for one to end or cancel one.`, { retryAfter: 1 });
  }
  // The slot's secrets, read fresh for every command; the caller's own env wins on a clash. Only
  // the caller's names are recorded (secrets' names and values stay out of the history).
  const env = { ...(await secretEnvironment(slot.ownerId, slot.id)), ...input.env };
  const shell = typeof input.command === "string";
  const command = typeof input.command === "string" ? [input.command] : input.command;
  const timeoutMs = input.timeoutMs ?? EXEC_DEFAULT_TIMEOUT_MS;
  const marker = randomBytes(16).toString("hex");
  const processId = await processLease();
  // createdAt from here, in whole ms: the list's cursor carries ms, and Postgres' now() has µs that a
  // cursor would cut, skipping rows made in the same ms as a page's last one.
  const [row] = await db()
    .insert(slotExecs)
    .values({ id: newId("exe"), slotId: slot.id, userId: ctx.actor!.id, command, shell, cwd: input.cwd ?? null, envNames: Object.keys(input.env ?? {}), status: "running", timeoutMs, marker, processId, createdAt: new Date() })
    .returning();
  const execRow = row!;
  await touchSlot(slot.id);

  const started = performance.now();
  const controller = new AbortController();
  let proc;
  try {
    proc = await runtime().exec(containerId, {
      cmd: shell ? ["/bin/sh", "-c", command[0]!] : command,
      ...(input.cwd ? { cwd: input.cwd } : {}),
      ...(Object.keys(env).length > 0 ? { env } : {}),
      ...(input.stdin !== undefined ? { stdin: input.stdin } : {}),
      user: SLOT_EXEC_USER,
      marker,
      signal: controller.signal,
    });
  } catch (err) {
    logger().warn({ err, slotId: slot.id, execId: execRow.id, requestId: ctx.meta.requestId }, "exec could not start");
    await db().transaction(async (tx) => {
      const [failed] = await tx
        .update(slotExecs)
        .set({ status: "failed", finishedAt: new Date(), durationMs: Math.round(performance.now() - started), stderr: "The command could not be started." })
        .where(eq(slotExecs.id, execRow.id))
        .returning();
      if (failed) await announceFinished(tx, slot, failed);
    });
    // The container went away or stopped since the row was read: the slot is not running after all.
    if (containerGone(err)) throw new BerthError("CONFLICT", "The slot's container is not running; start the slot first.", { cause: err });
    throw toBerthError(err) ?? err;
  }

  const capture = new OutputCapture();
  const entry: LiveExec = { controller, capture, reason: null, done: undefined as unknown as Promise<ExecRecord> };
  const aborted = new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
  const timer = setTimeout(() => {
    entry.reason ??= "timeout";
    controller.abort();
  }, timeoutMs);
  const stopActivity = keepSlotActive(slot.id);
  // The output so far goes to the row every few seconds, so a GET served by another instance (or
  // after this one dies) shows it too; this instance answers from memory.
  let saved = 0;
  const progress = setInterval(() => {
    if (capture.size === saved) return;
    saved = capture.size;
    void db()
      .update(slotExecs)
      .set({ stdout: capture.text("stdout"), stderr: capture.text("stderr"), truncated: capture.truncated })
      .where(and(eq(slotExecs.id, execRow.id), eq(slotExecs.status, "running")))
      .catch((err: unknown) => logger().warn({ err, execId: execRow.id }, "could not save a command's output so far"));
  }, PROGRESS_EVERY_MS);
  progress.unref();

  entry.done = (async (): Promise<ExecRecord> => {
    const decoders: Record<StreamName, StringDecoder> = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    let sinkOpen = Boolean(opts.onOutput);
    const send = async (stream: StreamName, text: string) => {
      if (!sinkOpen || !text) return;
      const delivered = Promise.resolve()
        .then(() => opts.onOutput!(stream, text))
        .then(() => true, () => false);
      const ok = await Promise.race([delivered, aborted.then(() => null)]);
      if (ok === false) {
        sinkOpen = false; // the reader went away: cancel the command
        entry.reason ??= "cancel";
        controller.abort();
      } else if (ok === null || controller.signal.aborted) {
        // Being killed: a reader that stopped reading must neither hold that up nor queue what is left.
        sinkOpen = false;
      }
    };
    let exitCode: number | null = null;
    let failure: unknown = null;
    try {
      for await (const chunk of proc.output as AsyncIterable<ExecChunk>) {
        capture.add(chunk);
        await send(chunk.stream, decoders[chunk.stream].write(chunk.data));
      }
      for (const s of ["stdout", "stderr"] as const) await send(s, decoders[s].end());
      exitCode = await proc.wait();
    } catch (err) {
      failure = err;
    } finally {
      clearTimeout(timer);
      stopActivity();
      clearInterval(progress);
    }
    if (failure && !entry.reason) logger().warn({ err: failure, slotId: slot.id, execId: execRow.id }, "exec output was lost");
    // The engine could not start the program (no such directory or program): say so plainly.
    const refused = proc.neverStarted() ? startRefusal(capture.text("stdout") + capture.text("stderr"), input.cwd) : null;
    const status: ExecStatus = entry.reason === "timeout" ? "timed_out" : entry.reason === "cancel" ? "cancelled" : exitCode === null || refused ? "failed" : "exited";
    // The end and its event in one transaction; announced once, even if a cancel elsewhere already closed the row.
    const final = await db().transaction(async (tx) => {
      const [before] = await tx.select({ finishedAt: slotExecs.finishedAt }).from(slotExecs).where(eq(slotExecs.id, execRow.id)).for("update");
      const [ended] = await tx
        .update(slotExecs)
        .set({
          // A cancel from another instance has already written `cancelled`: keep it.
          status: sql`case when ${slotExecs.status} = 'cancelled' then 'cancelled' else ${status} end`,
          exitCode: refused?.exitCode ?? exitCode,
          stdout: refused ? "" : capture.text("stdout"),
          stderr: refused ? refused.message : capture.text("stderr"),
          truncated: capture.truncated,
          timedOut: entry.reason === "timeout",
          durationMs: Math.round(performance.now() - started),
          finishedAt: new Date(),
        })
        .where(eq(slotExecs.id, execRow.id))
        .returning();
      if (ended && before && !before.finishedAt) await announceFinished(tx, slot, ended);
      return ended;
    });
    await touchSlot(slot.id).catch(() => {});
    return toRecord(final!);
  })()
    .catch(async (err: unknown): Promise<ExecRecord> => {
      logger().error({ err, slotId: slot.id, execId: execRow.id }, "exec could not be recorded");
      return toRecord(execRow);
    })
    .finally(() => live.delete(execRow.id));
  live.set(execRow.id, entry);

  return {
    record: toRecord(execRow),
    done: entry.done,
    cancel() {
      entry.reason ??= "cancel";
      controller.abort();
    },
  };
}

/** Runs a command and answers once it has ended (or timed out). */
export async function runSlotExec(ctx: ServiceContext, input: Omit<ExecInput, "async">, signal?: AbortSignal): Promise<ExecRecord> {
  const started = await startSlotExec(ctx, input);
  // The caller went away: nobody will read the answer, so the command is cancelled, not left running.
  const onAbort = () => started.cancel();
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await started.done;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

async function ownedExec(ctx: ServiceContext, slotId: string, execId: string): Promise<{ row: ExecRow; containerId: string | null; slot: ExecSlot }> {
  const slot = await ownedSlot(ctx, slotId);
  const [row] = await db().select().from(slotExecs).where(and(eq(slotExecs.id, execId), eq(slotExecs.slotId, slot.id)));
  if (!row) throw new BerthError("NOT_FOUND", "No such command in this slot.");
  return { row: await settleOrphan(row, slot), containerId: slot.status === "running" ? slot.containerId : null, slot };
}

/** Records a running command as failed because its Berth stopped, and announces it; null when it ended meanwhile. */
async function failOrphan(row: ExecRow, slot: ExecSlot, at: Date): Promise<ExecRow | null> {
  return db().transaction(async (tx) => {
    const [failed] = await tx
      .update(slotExecs)
      .set({ status: "failed", finishedAt: at, stderr: row.stderr || "Berth stopped while this command ran; its output was not kept." })
      .where(and(eq(slotExecs.id, row.id), eq(slotExecs.status, "running")))
      .returning();
    if (failed) await announceFinished(tx, slot, failed);
    return failed ?? null;
  });
}

/** Closes a cancelled command that nobody closed (sets finishedAt) and announces it; null when it was closed meanwhile. */
async function closeCancelled(rowId: string, slot: ExecSlot, at: Date): Promise<ExecRow | null> {
  return db().transaction(async (tx) => {
    const [closed] = await tx.update(slotExecs).set({ finishedAt: at }).where(and(eq(slotExecs.id, rowId), isNull(slotExecs.finishedAt))).returning();
    if (closed) await announceFinished(tx, slot, closed);
    return closed ?? null;
  });
}

/** A row still running long past its timeout, that no instance follows, belonged to a Berth that stopped. */
async function settleOrphan(row: ExecRow, slot: ExecSlot): Promise<ExecRow> {
  if (row.status !== "running" || live.has(row.id)) return row;
  if (Date.now() - row.createdAt.getTime() < (row.timeoutMs ?? EXEC_DEFAULT_TIMEOUT_MS) + ORPHAN_GRACE_MS) return row;
  return (await failOrphan(row, slot, new Date())) ?? row;
}

/**
 * The reconciler's part: commands whose Berth stopped while they ran — its lease lapsed, or (rows
 * from before leases) past their timeout plus a grace — are killed in their slot (nobody else will
 * enforce their timeout) and recorded as failed; a cancel left unfinished is closed the same way.
 * `leases`: reads which processes are gone, called after the rows are read (process-sweep.ts).
 * Returns how many were settled.
 */
export async function sweepOrphanExecs(leases: () => Promise<(processId: string) => boolean>, now = Date.now()): Promise<number> {
  const rows = await db()
    .select({ row: slotExecs, slotStatus: slots.status, containerId: slots.containerId, slotName: slots.name, ownerId: slots.ownerId })
    .from(slotExecs)
    .innerJoin(slots, eq(slots.id, slotExecs.slotId))
    // Also a cancel that could not finish its record (the engine failed it mid-way).
    .where(or(eq(slotExecs.status, "running"), and(eq(slotExecs.status, "cancelled"), isNull(slotExecs.finishedAt))));
  if (rows.length === 0) return 0;
  const gone = await leases(); // read after the rows (see process-sweep.ts)
  let settled = 0;
  for (const { row, slotStatus, containerId, slotName, ownerId } of rows) {
    if (live.has(row.id)) continue;
    const followerGone = row.processId !== null && gone(row.processId);
    const pastTimeout = now - row.createdAt.getTime() >= (row.timeoutMs ?? EXEC_DEFAULT_TIMEOUT_MS) + ORPHAN_GRACE_MS;
    if (!followerGone && !pastTimeout) continue;
    if (slotStatus === "running" && containerId) {
      try {
        await runtime().killByMarker(containerId, row.marker);
      } catch (err) {
        if (!containerGone(err)) {
          logger().warn({ err, execId: row.id }, "could not kill an orphaned command; retrying next pass");
          continue;
        }
      }
    }
    const slot = { id: row.slotId, name: slotName, ownerId };
    const done = row.status === "cancelled" ? await closeCancelled(row.id, slot, new Date(now)) : await failOrphan(row, slot, new Date(now));
    if (done) settled++;
  }
  return settled;
}

export async function getSlotExec(ctx: ServiceContext, slotId: string, execId: string): Promise<ExecRecord> {
  return toRecord((await ownedExec(ctx, slotId, execId)).row);
}

export async function listSlotExecs(ctx: ServiceContext, args: { id: string; limit: number; cursor?: string }): Promise<{ data: ExecSummary[]; nextCursor: string | null }> {
  const slot = await ownedSlot(ctx, args.id);
  const rows = await db()
    .select()
    .from(slotExecs)
    .where(and(eq(slotExecs.slotId, slot.id), afterCursor(args.cursor, slotExecs.createdAt, slotExecs.id)))
    .orderBy(desc(slotExecs.createdAt), desc(slotExecs.id))
    .limit(args.limit + 1);
  const page = pageFrom(rows, args.limit);
  return { data: page.rows.map(toSummary), nextCursor: page.nextCursor };
}

/** Kills a running command (and everything it started). Cancelling a cancelled one answers it again. */
export async function cancelSlotExec(ctx: ServiceContext, slotId: string, execId: string): Promise<ExecRecord> {
  requireWriter(ctx);
  const { row, containerId, slot } = await ownedExec(ctx, slotId, execId);
  if (row.status !== "running") {
    if (row.status === "cancelled") return toRecord(row);
    throw new BerthError("CONFLICT", `This command has already ended (${row.status}).`, { details: { status: row.status } });
  }
  const mine = live.get(row.id);
  if (mine) {
    mine.reason ??= "cancel";
    mine.controller.abort();
    const ended = await Promise.race([mine.done, new Promise<null>((resolve) => setTimeout(() => resolve(null), CANCEL_WAIT_MS).unref())]);
    if (ended) return ended;
  }
  // Followed by another instance (or by none): mark it, then kill it there; its follower keeps `cancelled`.
  const [marked] = await db()
    .update(slotExecs)
    .set({ status: "cancelled" })
    .where(and(eq(slotExecs.id, row.id), eq(slotExecs.status, "running")))
    .returning();
  if (!marked) return getSlotExec(ctx, slotId, execId);
  const kill = async () => {
    if (!containerId) return;
    try {
      await runtime().killByMarker(containerId, row.marker);
    } catch (err) {
      // The container is gone or stopped: nothing of the command is left to kill.
      if (containerGone(err)) return;
      // Otherwise the row stays cancelled and unfinished; the reconcile sweep kills and closes it.
      throw toBerthError(err) ?? err;
    }
  };
  await kill();
  if (!mine && (await followerAlive(row))) {
    // Its follower records the end. A process the engine was still making at the kill above is not
    // found by it: kill again each second until the record ends.
    const until = Date.now() + CANCEL_WAIT_MS;
    for (let round = 1; Date.now() < until; round++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [now] = await db().select().from(slotExecs).where(eq(slotExecs.id, row.id));
      if (!now || now.finishedAt) return toRecord(now ?? marked);
      if (round % 5 === 0) await kill();
    }
  }
  // No follower recorded the end: this does, and announces it.
  return toRecord((await closeCancelled(row.id, slot, new Date())) ?? marked);
}

/** Whether the process that follows a command (records its end) is still alive. */
async function followerAlive(row: ExecRow): Promise<boolean> {
  if (!row.processId) return false;
  const [lease] = await db().select().from(berthProcesses).where(eq(berthProcesses.id, row.processId));
  return Boolean(lease) && !leaseIsDead(lease!, Date.now(), ownLeaseId());
}
