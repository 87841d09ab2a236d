// Files in a slot's home, done inside the engine as the slot user (uid 1000), never by following the
// home's path on the host as root: a link in a home can then only ever reach what the slot user
// already reaches in their own container (docker-files-script.ts holds the path rules).
//
// Where the script runs:
//  - a running slot: Docker exec in the slot's own container (≈ one exec per operation);
//  - a stopped slot (or one whose container is not running): a helper container of berth/tiny with
//    only the slot's home volume mounted, network none, uid 1000, read-only root, no capabilities,
//    no-new-privileges, small memory/pids limits. It is made on first use, reused while operations
//    come (idle HELPER_IDLE_MS, then removed) and removes itself after HELPER_LIFETIME_S even if
//    Berth dies (AutoRemove + `sleep`).
// Each operation finds its script already started where it can: starting an exec costs 0.1–0.4 s
// (runc entering the container), most of a small operation's time and the wait before a transfer's
// first byte. So when an operation on a container ends, the next one's script is started there in
// the background (a "spare": the same script as the same user with its own marker, waiting for its
// operation on stdin), and ended by closing its stdin after SPARE_IDLE_MS unused.
// Uploads, where the slot's home is its disk mounted on this host, are the one exception to "inside
// the engine": their bytes go from Berth straight into a fresh file at the home's top, and only the
// rename into place runs inside (writeStaged says why that keeps to the rule). Elsewhere (a plain
// volume, a remote engine) they go through the script's stdin like everything else.
// Why not the archive API (getArchive/putArchive), which also works on a stopped container: it
// covers read and write but not list, move or delete; the daemon does it as root, resolving links
// within the container's root — a home link to /etc/shadow would be read as root — and writes
// files owned by root unless every header says otherwise. bench/files.ts compares its speed.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open as openFile, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import type Dockerode from "dockerode";
import {
  RuntimeOperationError,
  RuntimeUnavailableError,
  SlotFileError,
  SLOT_EXEC_USER,
  type OpenedSlotFile,
  type RuntimeFileEntry,
  type RuntimeFiles,
  type SlotFileErrorCode,
  type SlotFilesTarget,
} from "../types";
import { callEngine, statusOf, withSignal, type DockerEndpoint } from "./docker-client";
import { startRawExec, type RawExecProcess } from "./docker-exec";
import { FILES_SCRIPT } from "./docker-files-script";
import { HOME_DIR, homeVolumeName, SLOT_GID, SLOT_UID } from "./docker-mapping";
import type { RuntimeLogger } from "./docker-runtime";
import type { SlotHomes } from "./slot-home";
import { tinyImageTag } from "./tiny-image";

/** A helper with nothing to do is removed after this long (starting one costs ~0.3–0.5 s). */
const HELPER_IDLE_MS = 15_000;
/** New operations go to a fresh helper after this; the container removes itself at HELPER_LIFETIME_S. */
const HELPER_REUSE_MS = 20 * 60_000;
const HELPER_LIFETIME_S = 3600;
/** Marks helper containers (not berth.managed: the reconciler must not take them for slots). */
const FILES_HELPER_LABEL = "berth.files-for";
/** Most stdout a metadata operation may answer (a listing of MAX_LIST_ENTRIES long names). */
const MAX_META_BYTES = 8 * 1024 * 1024;
const MAX_STDERR_BYTES = 4096;
/** Bytes of an upload queued for the engine's connection before reading more of the body waits. */
const WRITE_AHEAD_BYTES = 1024 * 1024;
/** A started script nothing has used for this long is ended (its stdin closes: it exits). */
const SPARE_IDLE_MS = 20_000;

/** A run of the script: the exec, and what it said on stderr (its refusal, if any). */
type ScriptRun = RawExecProcess & { stderr(): string };

type Helper = { container: Promise<string>; startedAt: number; busy: number; idle?: NodeJS.Timeout };

/** A container's script started ahead of its operation; `taken` once an operation has it, `gone` once its connection ended. */
type Spare = { run: Promise<ScriptRun>; taken: boolean; gone: boolean; idle?: NodeJS.Timeout };

export class DockerFiles implements RuntimeFiles {
  private readonly helpers = new Map<string, Helper>();
  /** By container id: at most one spare each. */
  private readonly spares = new Map<string, Spare>();
  /** By slot: the uploads writing onto its disk from here, each with how to let go of it. */
  private readonly uploads = new Map<string, Set<() => Promise<void>>>();

  constructor(
    private readonly docker: Dockerode,
    private readonly endpoint: DockerEndpoint,
    private readonly homes: SlotHomes,
    private readonly logger?: RuntimeLogger,
  ) {}

  async list(t: SlotFilesTarget, dir: string[], opts: { limit: number }): Promise<{ entries: RuntimeFileEntry[]; total: number }> {
    const out = await this.meta(t, ["list", dir.join("/"), String(opts.limit)]);
    const firstLine = out.indexOf(10);
    const [said = 0, total = 0] = out.subarray(0, firstLine < 0 ? 0 : firstLine).toString().split(" ").map(Number);
    // Never more than asked for, whatever the answer says; a line or name missing ends the list.
    const count = Math.min(Number.isInteger(said) && said > 0 ? said : 0, opts.limit);
    let at = firstLine + 1;
    const stats: string[] = [];
    for (let i = 0; i < count; i++) {
      const end = out.indexOf(10, at);
      if (end < 0) break;
      stats.push(out.subarray(at, end).toString());
      at = end + 1;
    }
    const entries: RuntimeFileEntry[] = [];
    for (let i = 0; i < count; i++) {
      const end = out.indexOf(0, at);
      if (end < 0) break;
      const name = out.subarray(at, end).toString("utf8");
      at = end + 1;
      entries.push({ name, ...parseStat(stats[i] ?? "0 0 0") });
    }
    return { entries, total: Math.max(Number.isFinite(total) ? total : 0, entries.length) };
  }

  async stat(t: SlotFilesTarget, path: string[]): Promise<RuntimeFileEntry> {
    const out = await this.meta(t, ["stat", ...splitParent(path)]);
    return { name: path.at(-1) ?? "", ...parseStat(out.toString().trim()) };
  }

  async mkdir(t: SlotFilesTarget, path: string[]): Promise<RuntimeFileEntry> {
    const out = await this.meta(t, ["mkdir", path.join("/")]);
    return { name: path.at(-1) ?? "", ...parseStat(out.toString().trim()) };
  }

  /** Answers what is at `to` afterwards (the script stats it, so no second round trip). */
  async move(t: SlotFilesTarget, from: string[], to: string[], opts: { overwrite: boolean }): Promise<RuntimeFileEntry> {
    if (from.length === 0 || to.length === 0) throw new SlotFileError("INVALID", "The home itself cannot be moved, nor replaced.");
    const out = await this.meta(t, ["move", ...splitParent(from), ...splitParent(to), opts.overwrite ? "1" : "0"]);
    return { name: to.at(-1) ?? "", ...parseStat(out.toString().trim()) };
  }

  async remove(t: SlotFilesTarget, path: string[], opts: { recursive: boolean }): Promise<void> {
    if (path.length === 0) throw new SlotFileError("INVALID", "The home itself cannot be deleted.");
    await this.meta(t, ["delete", ...splitParent(path), opts.recursive ? "1" : "0"]);
  }

  async usage(t: SlotFilesTarget): Promise<number> {
    const fromDisk = await this.homes.usedBytes(t.slotId).catch(() => null);
    if (fromDisk !== null) return fromDisk;
    const out = await this.meta(t, ["usage"]);
    return Number(out.toString().trim()) * 1024 || 0;
  }

  async open(t: SlotFilesTarget, path: string[], opts?: { signal?: AbortSignal }): Promise<OpenedSlotFile> {
    if (path.length === 0) throw new SlotFileError("IS_A_DIRECTORY", "The home is a folder.");
    const { run, release } = await this.start(t, ["read", ...splitParent(path)], { stdin: true, signal: opts?.signal });
    try {
      const header = await readLine(run.stdout);
      if (!header?.startsWith("ok ")) {
        await run.wait();
        throw scriptError(run.stderr(), "open the file");
      }
      const [, size = "0", mtime = "0"] = header.split(" ");
      let used = false;
      const finish = () => void run.wait().finally(release);
      return {
        size: Number(size),
        modifiedAt: new Date(Number(mtime) * 1000),
        read(range) {
          if (used) throw new Error("an opened slot file is read once");
          used = true;
          const r = range ?? { start: 0, length: Number(size) };
          run.socket.end(`${r.start} ${r.length}\n`); // and the script's stdin ends
          run.stdout.once("close", () => {
            if (!run.stdout.readableEnded) void run.kill();
          });
          finish();
          return run.stdout;
        },
        close() {
          if (used) return;
          used = true;
          run.socket.end("close 0\n");
          run.stdout.resume();
          finish();
        },
      };
    } catch (err) {
      void run.kill();
      release();
      throw err;
    }
  }

  async write(t: SlotFilesTarget, path: string[], body: AsyncIterable<Uint8Array>, opts: { size: number; signal?: AbortSignal }): Promise<{ size: number }> {
    if (path.length === 0) throw new SlotFileError("IS_A_DIRECTORY", "The home is a folder.");
    const hostHome = await this.homes.hostHome(t.slotId).catch(() => null);
    if (hostHome) return this.writeStaged(t, hostHome, path, body, opts);
    return this.writeThroughEngine(t, path, body, opts);
  }

  /**
   * An upload whose bytes go straight from Berth into the slot's disk, where that disk is mounted on
   * this host: no engine connection, no exec stdin, no copy inside the container (bench/files.ts:
   * the exec path costs the engine more CPU than the whole raw archive API does). Only the last step
   * happens inside, as the slot user: the script pins the destination folder (as for every other
   * operation) and renames the file into it.
   *
   * Why writing from the host stays inside the rule at the top of this file: the only path Berth
   * follows on the host is `<homes>/<slot>/home` — the homes directory (root's, 0700), the disk's
   * own root (root's, and not in the container at all: the container's mount starts below it) and
   * the home directory, which the slot user cannot rename or replace (its parent is that disk
   * root). In it Berth creates a fresh, unguessable name with O_CREAT|O_EXCL|O_NOFOLLOW (anything
   * already there, a link included, fails the open), writes through that descriptor only, and gives
   * the file to the slot user through it (fchown, fchmod) once complete: root's 0600 until then,
   * so nothing in the slot reads or changes the bytes on their way. What the slot user can still do
   * is rename or delete that name in their own home; the script then finds no regular file there
   * and the upload fails, with nothing outside the home touched either way.
   */
  private async writeStaged(t: SlotFilesTarget, hostHome: string, path: string[], body: AsyncIterable<Uint8Array>, opts: { size: number; signal?: AbortSignal }): Promise<{ size: number }> {
    const { size, signal } = opts;
    const [dir, name] = splitParent(path);
    const tmp = `.berth-upload-${randomBytes(12).toString("hex")}`;
    const staged = join(hostHome, tmp);
    // The script starts (and pins the destination, refusing a bad one) while the bytes arrive.
    const { run, release } = await this.start(t, ["place", dir, name, tmp, String(size)], { stdin: true, signal });
    let file: FileHandle | undefined;
    let created = false;
    let placed = false;
    let scriptEnded = false;
    /** The disk failed a write (kept here: a write in flight fails while the next chunk is awaited). */
    let diskError: unknown;
    /** The slot's disk is being unmounted (dropHelpers): our descriptor must let go of it. */
    let dropped = false;
    const drop = async () => {
      dropped = true;
      await file?.close().catch(() => undefined);
      file = undefined;
    };
    run.socket.once("close", () => (scriptEnded = true));
    try {
      try {
        file = await openFile(staged, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      } catch (err) {
        throw stagingError(err, t.slotId);
      }
      created = true;
      this.trackUpload(t.slotId, drop);
      let sent = 0;
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      // One write in flight while the next batch is read off the request.
      let writing: Promise<void> = Promise.resolve();
      /** The open file, unless the disk went away or failed a write (the first of those is what happened). */
      const usable = (): FileHandle => {
        if (dropped || !file) throw new SlotFileError("INCOMPLETE", "The slot's disk went away during the upload (the slot is being deleted or resized); nothing was kept.");
        if (diskError) throw diskError;
        return file;
      };
      const flush = async () => {
        await writing;
        const target = usable();
        const buffers = batch;
        batch = [];
        batchBytes = 0;
        if (buffers.length) writing = writeAll(target, buffers).catch((err: unknown) => void (diskError = err));
      };
      for await (const chunk of body) {
        if (signal?.aborted) throw new SlotFileError("INCOMPLETE", "The upload was cancelled.");
        if (scriptEnded) break; // the script refused the destination (its reason is on stderr)
        sent += chunk.byteLength;
        if (sent > size) throw new SlotFileError("INVALID", `The body is longer than its Content-Length (${size} bytes).`);
        batch.push(chunk);
        batchBytes += chunk.byteLength;
        if (batchBytes >= WRITE_AHEAD_BYTES) await flush();
      }
      await flush();
      await writing;
      const done = usable();
      if (!scriptEnded) {
        if (sent < size) throw new SlotFileError("INCOMPLETE", `The upload ended after ${sent} of ${size} bytes; nothing was kept.`);
        file = undefined;
        try {
          await done.chown(SLOT_UID, SLOT_GID);
          await done.chmod(0o644); // what the script's umask 022 gives the files it makes
        } catch (err) {
          diskError = err;
          throw err;
        } finally {
          await done.close();
        }
        run.socket.end("go\n");
      }
      const out = await collect(run.stdout, MAX_META_BYTES);
      const ok = /^ok (\d+)\n$/.exec(out.toString());
      if (ok) {
        placed = true;
        return { size: Number(ok[1]) };
      }
      await run.wait();
      throw scriptError(run.stderr(), "write the file");
    } catch (err) {
      void run.kill();
      await run.wait().catch(() => null);
      if (err instanceof SlotFileError || err instanceof RuntimeOperationError || err instanceof RuntimeUnavailableError) throw err;
      if (diskError !== undefined) throw diskWriteError(diskError);
      if (run.stderr()) throw scriptError(run.stderr(), "write the file");
      // The body itself failed: the client went away or broke the connection.
      throw new SlotFileError("INCOMPLETE", "The upload was interrupted before all its bytes arrived; nothing was kept.", { cause: err });
    } finally {
      this.untrackUpload(t.slotId, drop);
      await file?.close().catch(() => undefined);
      // Our name at the home's top, not followed (unlink removes a link itself), and only for an upload
      // that was not placed: once placed, that name is the slot user's to use again.
      if (created && !placed) await unlink(staged).catch(() => undefined);
      release();
    }
  }

  private trackUpload(slotId: string, drop: () => Promise<void>): void {
    const set = this.uploads.get(slotId) ?? new Set();
    set.add(drop);
    this.uploads.set(slotId, set);
  }

  private untrackUpload(slotId: string, drop: () => Promise<void>): void {
    const set = this.uploads.get(slotId);
    set?.delete(drop);
    if (set?.size === 0) this.uploads.delete(slotId);
  }

  /** An upload through the engine: the bytes on the stdin of the script, which writes them in the slot. */
  private async writeThroughEngine(t: SlotFilesTarget, path: string[], body: AsyncIterable<Uint8Array>, opts: { size: number; signal?: AbortSignal }): Promise<{ size: number }> {
    const { size, signal } = opts;
    const [dir, name] = splitParent(path);
    const tmp = `.berth-upload-${randomBytes(12).toString("hex")}`;
    const { run, release } = await this.start(t, ["write", dir, name, tmp, String(size)], { stdin: true, signal });
    try {
      let sent = 0;
      const socket = run.socket;
      let closed = false;
      socket.once("close", () => (closed = true));
      for await (const chunk of body) {
        if (signal?.aborted) throw new SlotFileError("INCOMPLETE", "The upload was cancelled.");
        sent += chunk.byteLength;
        if (sent > size) throw new SlotFileError("INVALID", `The body is longer than its Content-Length (${size} bytes).`);
        if (closed) break; // the script gave up (its reason is on stderr)
        socket.write(chunk);
        // Up to WRITE_AHEAD_BYTES queue here (the body's own chunks, not copies) while the engine
        // catches up: the request keeps being read meanwhile, and the queue goes out in one writev.
        if (socket.writableLength > WRITE_AHEAD_BYTES) await drained(socket);
      }
      if (sent < size && !closed) throw new SlotFileError("INCOMPLETE", `The upload ended after ${sent} of ${size} bytes; nothing was kept.`);
      run.socket.end(); // the script sees EOF
      const out = await collect(run.stdout, MAX_META_BYTES);
      // "ok <size>" is the script's last word, printed once the file is in place: its exit code
      // (one more round trip to the engine, which records it a moment after the output ends) adds nothing.
      const ok = /^ok (\d+)\n$/.exec(out.toString());
      if (ok) return { size: Number(ok[1]) };
      await run.wait();
      throw scriptError(run.stderr(), "write the file");
    } catch (err) {
      // Closing our end closes the script's stdin: it finds fewer bytes than promised and removes
      // its temporary file itself. Killed outright (the slot stopped), it cannot: remove it from here.
      await run.kill();
      await run.wait().catch(() => null);
      await this.meta(t, ["rmtemp", dir, tmp]).catch((e: unknown) => this.logger?.warn({ err: e, slotId: t.slotId }, "files: could not remove an upload's temporary file"));
      if (err instanceof SlotFileError || err instanceof RuntimeOperationError || err instanceof RuntimeUnavailableError) throw err;
      if (run.stderr()) throw scriptError(run.stderr(), "write the file");
      // The body itself failed: the client went away or broke the connection.
      throw new SlotFileError("INCOMPLETE", "The upload was interrupted before all its bytes arrived; nothing was kept.", { cause: err });
    } finally {
      release();
    }
  }

  async archive(t: SlotFilesTarget, path: string[], opts: { gzip: boolean; signal?: AbortSignal }): Promise<Readable> {
    const { run, release } = await this.start(t, ["archive", ...splitParent(path), opts.gzip ? "1" : "0"], { stdin: false, signal: opts.signal });
    // "ok" once the folder is pinned: a missing folder or a file answers an error, not an empty archive.
    let header: string | null;
    try {
      header = await readLine(run.stdout);
    } catch (err) {
      void run.kill();
      release();
      throw err;
    }
    if (header !== "ok") {
      if (header !== null) void run.kill(); // not the script's answer: stop whatever runs
      await run.wait().finally(release);
      throw scriptError(run.stderr(), "archive the folder");
    }
    run.stdout.once("close", () => {
      if (!run.stdout.readableEnded) void run.kill();
      void run.wait().finally(release);
    });
    return run.stdout;
  }

  /** Removes the slot's helper containers and ends uploads onto its disk (before its home is removed or resized: they hold it). */
  async dropHelpers(slotId: string): Promise<void> {
    await Promise.all([...(this.uploads.get(slotId) ?? [])].map((drop) => drop()));
    const helper = this.helpers.get(slotId);
    this.helpers.delete(slotId);
    if (helper?.idle) clearTimeout(helper.idle);
    // One still starting is not listed yet (or not even created): removed once it has started.
    const starting = helper?.container.then((id) => this.removeContainer(id), () => {});
    const listed = await callEngine(this.endpoint, `list the file helpers of slot ${slotId}`, (signal) =>
      this.docker.listContainers(withSignal({ all: true, filters: { label: [`${FILES_HELPER_LABEL}=${slotId}`] } }, signal)),
    );
    await Promise.all([starting, ...listed.map((c) => this.removeContainer(c.Id))]);
  }

  /** Runs a metadata operation to its end and answers its stdout, or throws its refusal. */
  private async meta(t: SlotFilesTarget, args: string[]): Promise<Buffer> {
    const { run, release } = await this.start(t, args, { stdin: false });
    let ended = false;
    try {
      const out = await collect(run.stdout, MAX_META_BYTES);
      const code = await run.wait();
      ended = true;
      // A refusal: the script has exited, so there is nothing left to kill.
      if (code !== 0) throw scriptError(run.stderr(), args[0] ?? "");
      return out;
    } catch (err) {
      if (!ended) void run.kill();
      throw err;
    } finally {
      release();
    }
  }

  /** Starts the script where the slot's files are: its running container, else a helper. */
  private async start(t: SlotFilesTarget, args: string[], opts: { stdin: boolean; signal?: AbortSignal }): Promise<{ run: ScriptRun; release: () => void }> {
    if (t.running && t.containerId) {
      try {
        return { run: await this.exec(t.containerId, args, opts), release: () => {} };
      } catch (err) {
        // 409: the container is not running after all (it stopped a moment ago): use a helper.
        if (statusOf(err) !== 409) throw err;
      }
    }
    for (let attempt = 0; ; attempt++) {
      const release = this.acquire(t.slotId);
      try {
        const container = await this.helpers.get(t.slotId)!.container;
        return { run: await this.exec(container, args, opts), release };
      } catch (err) {
        release();
        // The helper went away (removed, or its lifetime ended): once, with a new one.
        if (attempt > 0 || (statusOf(err) !== 404 && statusOf(err) !== 409)) throw err;
        this.forget(t.slotId);
      }
    }
  }

  private acquire(slotId: string): () => void {
    let helper = this.helpers.get(slotId);
    if (helper && Date.now() - helper.startedAt > HELPER_REUSE_MS) {
      this.forget(slotId);
      helper = undefined;
    }
    if (!helper) {
      const made: Helper = { container: this.startHelper(slotId), startedAt: Date.now(), busy: 0 };
      made.container.catch(() => {
        if (this.helpers.get(slotId) === made) this.helpers.delete(slotId);
      });
      this.helpers.set(slotId, made);
      helper = made;
    }
    const h = helper;
    h.busy++;
    if (h.idle) clearTimeout(h.idle);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      h.busy--;
      if (h.busy > 0) return;
      h.idle = setTimeout(() => {
        if (h.busy > 0) return;
        if (this.helpers.get(slotId) === h) this.helpers.delete(slotId);
        void h.container.then((id) => this.removeContainer(id), () => {});
      }, HELPER_IDLE_MS);
      h.idle.unref();
    };
  }

  /** Drops a helper from use; one still busy is removed by its last user's idle timer. */
  private forget(slotId: string): void {
    const helper = this.helpers.get(slotId);
    this.helpers.delete(slotId);
    if (helper && helper.busy === 0) void helper.container.then((id) => this.removeContainer(id), () => {});
  }

  private async startHelper(slotId: string): Promise<string> {
    try {
      await callEngine(this.endpoint, `inspect the home volume of slot ${slotId}`, (signal) => this.docker.getVolume(homeVolumeName(slotId)).inspect(withSignal({}, signal)));
    } catch (err) {
      // Without this check Docker would make an empty volume of that name for the helper.
      if (statusOf(err) === 404) throw new SlotFileError("NO_HOME", "This slot has no home (yet).");
      throw err;
    }
    await this.homes.beforeStart(slotId); // a disk-backed home must be mounted (after a reboot it is not)
    const image = tinyImageTag();
    const container = await callEngine(this.endpoint, `create a file helper for slot ${slotId}`, (signal) =>
      this.docker.createContainer(
        withSignal(
          {
            name: `berth-files-${slotId}-${randomBytes(3).toString("hex")}`,
            Image: image,
            Cmd: ["sleep", String(HELPER_LIFETIME_S)],
            User: SLOT_EXEC_USER,
            WorkingDir: HOME_DIR,
            Labels: { [FILES_HELPER_LABEL]: slotId },
            NetworkDisabled: true,
            HostConfig: {
              AutoRemove: true,
              NetworkMode: "none",
              ReadonlyRootfs: true,
              CapDrop: ["ALL"],
              SecurityOpt: ["no-new-privileges"],
              Privileged: false,
              Memory: 128 * 1024 * 1024,
              MemorySwap: 128 * 1024 * 1024,
              NanoCpus: 1_000_000_000,
              PidsLimit: 64,
              Mounts: [{ Type: "volume", Source: homeVolumeName(slotId), Target: HOME_DIR }],
              LogConfig: { Type: "none", Config: {} },
            },
          },
          signal,
        ),
      ),
    ).catch((err: unknown) => {
      // The volume is there (checked above): a 404 is the image. It is built by `npm run images`,
      // never here (that downloads a Debian package while a request waits).
      if (statusOf(err) !== 404) throw err;
      throw new RuntimeOperationError(
        `The files of a stopped slot are reached through a helper container of ${image}, which this engine lacks: build it with \`npm run images\` (\`-- --only tiny\` for that image alone).`,
        { cause: err, status: 503 },
      );
    });
    try {
      await callEngine(this.endpoint, `start the file helper of slot ${slotId}`, (signal) => container.start(withSignal({}, signal)));
    } catch (err) {
      await this.removeContainer(container.id);
      throw err;
    }
    return container.id;
  }

  private async removeContainer(id: string): Promise<void> {
    await callEngine(this.endpoint, `remove the file helper ${id.slice(0, 12)}`, (signal) => this.docker.getContainer(id).remove(withSignal({ force: true }, signal))).catch((err: unknown) => {
      if (statusOf(err) !== 404 && statusOf(err) !== 409) this.logger?.warn({ err, containerId: id }, "files: could not remove a file helper");
    });
  }

  /** Runs an operation in the container: on its spare if it has one, else on a script started now. */
  private async exec(containerId: string, args: string[], opts: { stdin: boolean; signal?: AbortSignal }): Promise<ScriptRun> {
    const run = (await this.takeSpare(containerId)) ?? (await this.startScript(containerId));
    // The next operation's script is started once this one has ended, not alongside it: starting
    // one takes a good share of a CPU for a moment, which a transfer under way would feel.
    run.socket.once("close", () => this.keepSpare(containerId));
    setRef(run.socket, true);
    run.socket.write(operationText(args));
    if (!opts.stdin) run.socket.end();
    const signal = opts.signal;
    if (signal) {
      if (signal.aborted) void run.kill();
      else signal.addEventListener("abort", () => void run.kill(), { once: true });
    }
    return run;
  }

  /** Starts the script, waiting for its operation on stdin. */
  private async startScript(containerId: string): Promise<ScriptRun> {
    let stderr = "";
    const run = await startRawExec(this.docker, this.endpoint, containerId, {
      cmd: ["sh", "-c", FILES_SCRIPT, "berth-files", HOME_DIR],
      user: SLOT_EXEC_USER,
      cwd: "/",
      marker: `files-${randomBytes(12).toString("hex")}`,
      stdin: true,
      action: `run a file operation in ${containerId.slice(0, 12)}`,
      onStderr: (data) => {
        if (stderr.length < MAX_STDERR_BYTES) stderr += data.toString("utf8");
      },
    });
    return { ...run, stderr: () => stderr };
  }

  /** The container's spare (awaited if still starting), unless there is none or it has gone. */
  private async takeSpare(containerId: string): Promise<ScriptRun | null> {
    const spare = this.spares.get(containerId);
    if (!spare) return null;
    this.spares.delete(containerId);
    spare.taken = true;
    if (spare.idle) clearTimeout(spare.idle);
    const run = await spare.run.catch(() => null);
    // Gone: the container stopped (or the slot's user ended it); a new exec says what is true now.
    return run && !spare.gone ? run : null;
  }

  /** Starts the container's next spare in the background, unless it has one. */
  private keepSpare(containerId: string): void {
    if (this.spares.has(containerId)) return;
    const spare: Spare = { run: this.startScript(containerId), taken: false, gone: false };
    this.spares.set(containerId, spare);
    const forget = () => {
      if (this.spares.get(containerId) === spare) this.spares.delete(containerId);
      if (spare.idle) clearTimeout(spare.idle);
    };
    spare.run.then(
      (run) => {
        const gone = () => {
          spare.gone = true;
          if (!spare.taken) forget();
        };
        run.socket.once("end", gone);
        run.socket.once("close", gone);
        if (spare.taken) return;
        setRef(run.socket, false); // an unused spare does not keep Berth running
        spare.idle = setTimeout(() => {
          forget();
          run.socket.end(); // EOF before an operation: the script exits
        }, SPARE_IDLE_MS);
        spare.idle.unref();
      },
      forget, // the container is not running (any more): the next operation finds out itself
    );
  }
}

/** The operation as the script reads it: a count, then per argument its number of lines and those lines. */
export function operationText(args: string[]): string {
  let text = `${args.length}\n`;
  for (const arg of args) {
    const lines = arg.split("\n");
    text += `${lines.length}\n${lines.join("\n")}\n`;
  }
  return text;
}

/** Whether a connection keeps the process alive (docker-modem hands over the engine's socket itself). */
function setRef(socket: Duplex, ref: boolean): void {
  const s = socket as Partial<Pick<Socket, "ref" | "unref">>;
  if (ref) s.ref?.();
  else s.unref?.();
}

/** "dir/sub", "name" of a non-empty path; ["", ""] for the home itself. */
function splitParent(path: string[]): [string, string] {
  return [path.slice(0, -1).join("/"), path.at(-1) ?? ""];
}

/** `stat -c '%f %s %Y'`: raw mode in hex, size, mtime in seconds. */
export function parseStat(line: string): Omit<RuntimeFileEntry, "name"> {
  const [modeHex = "0", size = "0", mtime = "0"] = line.split(" ");
  const format = parseInt(modeHex, 16) & 0o170000;
  const type = format === 0o040000 ? "directory" : format === 0o100000 ? "file" : format === 0o120000 ? "symlink" : "other";
  return { type, size: type === "file" ? Number(size) || 0 : 0, modifiedAt: new Date((Number(mtime) || 0) * 1000) };
}

const CODES: Record<string, [SlotFileErrorCode, string]> = {
  ENOENT: ["NOT_FOUND", "No such file or folder."],
  ENOTDIR: ["NOT_A_DIRECTORY", "A part of the path is not a folder."],
  EISDIR: ["IS_A_DIRECTORY", "That is a folder."],
  EEXIST: ["EXISTS", "Something already exists at the destination."],
  EOUTSIDE: ["OUTSIDE_HOME", "The path leads outside the slot's home through a symbolic link; Berth does not follow it."],
  EACCES: ["PERMISSION", "The slot's user is not allowed to do that there."],
  ENOTFOLDER: ["NOT_A_DIRECTORY", "Only a folder can be downloaded as an archive."],
  ESHORT: ["INCOMPLETE", "The upload ended before all its bytes arrived; nothing was kept."],
  EINVAL: ["INVALID", "That cannot be done."],
};

/** The script's refusal ("berth-files:CODE:detail") as a SlotFileError. */
export function scriptError(stderr: string, action: string): SlotFileError {
  const match = /berth-files:([A-Z]+):([^\n]*)/.exec(stderr);
  const word = match?.[1] ?? "";
  // Details are tools' messages about the slot's own paths; the pinned-folder prefix means nothing to a person.
  const detail = (match?.[2] ?? stderr).replace(/\/proc\/\d+\/fd\/\d+\//g, "").trim();
  if (/no space left|disk quota exceeded/i.test(detail)) return new SlotFileError("NO_SPACE", "The slot's disk is full.");
  if (/permission denied|operation not permitted|read-only file system/i.test(detail)) return new SlotFileError("PERMISSION", "The slot's user is not allowed to do that there.");
  if (/file name too long/i.test(detail)) return new SlotFileError("INVALID", "The path is too long for the slot's file system.");
  if (/directory not empty/i.test(detail)) return new SlotFileError("EXISTS", "The destination is a folder that is not empty.");
  const known = CODES[word];
  if (known) return new SlotFileError(known[0], word === "EINVAL" && detail ? `That cannot be done: ${detail}.` : known[1]);
  return new SlotFileError("FAILED", `Could not ${action} in the slot${detail ? `: ${detail.slice(0, 300)}` : "."}`);
}

/** All of `buffers` to the file, however many calls that takes (writev may write less than asked, e.g. at a full disk). */
async function writeAll(file: FileHandle, buffers: Uint8Array[]): Promise<void> {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const { bytesWritten } = await file.writev(buffers);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(buffers).subarray(bytesWritten);
  for (let at = 0; at < rest.length; ) {
    const { bytesWritten: n } = await file.write(rest, at, rest.length - at);
    if (n === 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    at += n;
  }
}

const errnoOf = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;

/** Opening the upload's file on the slot's disk failed: the disk went away a moment ago, or cannot be written. */
function stagingError(err: unknown, slotId: string): Error {
  const code = errnoOf(err);
  if (code === "ENOENT") return new RuntimeOperationError(`Slot ${slotId}'s disk is not mounted right now (it is being deleted or resized). Try again in a moment.`, { status: 409, cause: err });
  return diskWriteError(err);
}

/** A write to the slot's disk failed (not the client: its bytes were there). */
function diskWriteError(err: unknown): SlotFileError {
  const code = errnoOf(err);
  if (code === "ENOSPC" || code === "EDQUOT") return new SlotFileError("NO_SPACE", "The slot's disk is full.");
  if (code === "EROFS") return new SlotFileError("PERMISSION", "The slot's disk is read-only right now (it reported an error); an administrator must check it.");
  return new SlotFileError("FAILED", `Could not write the file to the slot's disk${code ? ` (${code})` : ""}.`, { cause: err });
}

async function collect(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) throw new RuntimeOperationError(`a file operation answered more than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Until the socket can take more (or is gone), without leaving a listener behind per chunk. */
function drained(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/** Reads one "\n"-ended line off the front of a byte stream, leaving the rest in it; null at its end. */
async function readLine(stream: Readable): Promise<string | null> {
  let buffered = Buffer.alloc(0);
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    if (chunk) {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(10);
      if (nl >= 0) {
        const rest = buffered.subarray(nl + 1);
        if (rest.length) stream.unshift(rest);
        return buffered.subarray(0, nl).toString();
      }
      if (buffered.length > 4096) return null;
      continue;
    }
    if (stream.readableEnded) return buffered.length ? buffered.toString() : null;
    // Listeners removed again: a 'readable' listener left behind would take over the stream's flow.
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off("readable", done);
        stream.off("end", done);
        stream.off("error", done);
        resolve();
      };
      stream.on("readable", done);
      stream.on("end", done);
      stream.on("error", done);
    });
  }
}
