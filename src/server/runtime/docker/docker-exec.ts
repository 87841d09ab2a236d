// Commands run in a slot through Docker exec (no TTY): stdout and stderr kept apart, stdin fed and
// closed, the exit code read once the stream ends, and the process tree found again by its marker.
// startRawExec is the same exec for byte streams (the files operations): stdout as raw bytes with
// back-pressure, stderr to a callback, stdin left open on the hijacked connection.
import { Readable, type Duplex } from "node:stream";
import type Dockerode from "dockerode";
import type { ExecChunk, ExecOptions, ExecProcess } from "../types";
import { callEngine, withSignal, type DockerEndpoint } from "./docker-client";

/** The environment variable every exec'd process carries (children inherit it), set to the exec's marker. */
export const EXEC_MARKER_ENV = "BERTH_EXEC";

const HEADER_BYTES = 8;
/** Chunks buffered for a slow reader before the engine's stream is paused (back-pressure into the pipe). */
const BUFFERED_CHUNKS = 64;
/** Bytes of raw stdout buffered for a slow reader before the engine's stream is paused. */
const RAW_BUFFERED_BYTES = 1024 * 1024;
/** After the process tree is killed, how long the stream may take to end before it is torn down. */
const ABORT_GRACE_MS = 3_000;

/**
 * The engine's multiplexed exec stream: frames of [stream, 0, 0, 0, size(uint32 BE)] + payload,
 * stream 1 = stdout, 2 = stderr (0 = stdin echo, never sent without a TTY). Payloads are handed on
 * as views of the engine's chunks, never copied (a frame cut across chunks arrives in pieces); only
 * a header cut across chunks is kept between them.
 */
export class ExecFrameParser {
  private header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  private remaining = 0;
  private stream = 1;

  /** Calls `emit` for each payload piece; answers false when an `emit` did (its reader is full). */
  push(chunk: Buffer, emit: (stream: number, data: Buffer) => boolean): boolean {
    let flowing = true;
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length - at);
        chunk.copy(this.header, this.headerFill, at, at + take);
        this.headerFill += take;
        at += take;
        if (this.headerFill < HEADER_BYTES) break;
        this.headerFill = 0;
        this.stream = this.header[0]!;
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - at);
      if (!emit(this.stream, chunk.subarray(at, at + take))) flowing = false;
      this.remaining -= take;
      at += take;
    }
    return flowing;
  }
}

/**
 * Kills a command's whole process tree, in rounds until none is left (a process may fork while a
 * round runs). The tree is every process whose environment holds BERTH_EXEC=<marker>, plus, so that
 * clearing the environment (`env -i`) does not escape: every descendant of one of those, and every
 * process in a session one of them is in — except the sessions of the container's init and of this
 * killer, and session 0 (a leader outside the container). What still escapes is a process that both
 * drops the marker and leaves its parent's session and tree (env -i setsid with a double fork): the
 * user's own process in their own slot, within its limits, ended when the slot stops.
 * Runs as the slot user: the processes are theirs, and the container has no CAP_KILL for root to
 * use. The marker is an argument of this script, never in its own environment, so the killer does
 * not kill itself. Without awk (a custom image) only the marked processes are found.
 */
const KILL_BY_MARKER_SCRIPT = `
m="${EXEC_MARKER_ENV}=$1"
self=$$
read -r st < /proc/$self/stat; st=\${st##*) }; set -- $st; selfsid=$4
st=""; read -r st 2>/dev/null < /proc/1/stat; st=\${st##*) }; set -- $st; initsid=\${4:-1}
hasawk=0; command -v awk >/dev/null 2>&1 && hasawk=1
# One grep over every environ (-z: NUL-separated entries) instead of a process per pid: 32 cancels
# at once (32 killers, each reading every process) took ~25 s here with two processes per pid.
zgrep=0; printf 'a\\000' | grep -qzxF a 2>/dev/null && zgrep=1
for round in 1 2 3 4 5 6 7 8; do
  marked=" "
  if [ "$zgrep" = 1 ]; then
    for f in $(grep -lzxF "$m" /proc/[0-9]*/environ 2>/dev/null); do f=\${f#/proc/}; marked="$marked\${f%/environ} "; done
  else
    for d in /proc/[0-9]*; do
      tr '\\000' '\\n' 2>/dev/null < "$d/environ" | grep -qxF "$m" && marked="$marked\${d#/proc/} "
    done
  fi
  table=""
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    [ "$p" = "$self" ] && continue
    read -r st 2>/dev/null < "$d/stat" || continue
    st=\${st##*) }
    set -- $st
    case "$1" in Z|X) continue ;; esac # already dead, waiting to be reaped
    case "$marked" in *" $p "*) mk=1 ;; *) mk=0 ;; esac
    table="$table$p $2 $4 $mk
"
  done
  if [ "$hasawk" = 1 ]; then
    victims=$(printf '%s' "$table" | awk -v self="$self" -v selfsid="$selfsid" -v initsid="$initsid" '
      { n++; pid[n] = $1; pp[$1] = $2; sid[$1] = $3; if ($4 == 1) k[$1] = 1 }
      END {
        for (p in k) { s = sid[p]; if (s != 0 && s != initsid && s != selfsid) ks[s] = 1 }
        do {
          more = 0
          for (i = 1; i <= n; i++) { p = pid[i]; if (!(p in k) && ((pp[p] in k) || (sid[p] in ks))) { k[p] = 1; more = 1 } }
        } while (more)
        for (p in k) if (p != self && p != 1) print p
      }')
  else
    victims=$(printf '%s' "$table" | while read -r p pp s mk; do [ "$mk" = 1 ] && echo "$p"; done)
  fi
  [ -z "$victims" ] && exit 0
  kill -9 $victims 2>/dev/null
done
exit 0
`;

/** What an exec is started with: ExecOptions without its stdin text, and whether stdin is attached. */
type ExecStart = Omit<ExecOptions, "stdin" | "signal"> & { attachStdin: boolean; action: string };

/** Creates and starts the exec: its handle, and the hijacked connection (stdin one way, frames the other). */
async function attach(docker: Dockerode, endpoint: DockerEndpoint, containerId: string, opts: ExecStart): Promise<{ exec: Dockerode.Exec; socket: Duplex }> {
  if (opts.cmd.length === 0) throw new Error("exec needs a command");
  const env = [...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`), `${EXEC_MARKER_ENV}=${opts.marker}`];
  const exec = await callEngine(endpoint, opts.action, (signal) =>
    docker.getContainer(containerId).exec(
      withSignal(
        {
          Cmd: opts.cmd,
          Env: env,
          User: opts.user,
          ...(opts.cwd ? { WorkingDir: opts.cwd } : {}),
          AttachStdin: opts.attachStdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        },
        signal,
      ),
    ),
  );
  const socket = (await callEngine(endpoint, opts.action, (signal) => exec.start(withSignal({ hijack: true, stdin: opts.attachStdin }, signal)))) as Duplex;
  return { exec, socket };
}

/**
 * Hands the connection's frames to `emit`, pausing the engine while `emit` answers false (the
 * reader resumes the socket). Settles once the connection has ended, right after `onEnd`.
 */
function demux(socket: Duplex, emit: (stream: number, data: Buffer) => boolean, onEnd: () => void): Promise<void> {
  const parser = new ExecFrameParser();
  return new Promise<void>((resolve) => {
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      onEnd();
      resolve();
    };
    socket.on("data", (chunk: Buffer) => {
      if (!parser.push(chunk, emit)) socket.pause();
    });
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", finish); // the engine went away: the exit code says what is known
  });
}

function onAbort(signal: AbortSignal | undefined, abort: () => void): void {
  if (!signal) return;
  if (signal.aborted) abort();
  else signal.addEventListener("abort", abort, { once: true });
}

export async function startExec(docker: Dockerode, endpoint: DockerEndpoint, containerId: string, opts: ExecOptions): Promise<ExecProcess> {
  const withStdin = opts.stdin !== undefined;
  const { exec, socket } = await attach(docker, endpoint, containerId, { ...opts, attachStdin: withStdin, action: `run a command in ${containerId}` });

  if (withStdin) {
    // Half-closing the hijacked connection closes the process's stdin (it sees EOF).
    socket.write(opts.stdin ?? "");
    socket.end();
  }

  const output = new Readable({
    objectMode: true,
    highWaterMark: BUFFERED_CHUNKS,
    read() {
      socket.resume();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  let ended = false;
  const streamEnded = demux(
    socket,
    (stream, data) => output.push({ stream: stream === 2 ? "stderr" : "stdout", data } satisfies ExecChunk),
    () => {
      ended = true;
      output.push(null);
    },
  );

  onAbort(opts.signal, () => {
    void killByMarker(docker, endpoint, containerId, opts.marker).catch(() => {});
    setTimeout(() => {
      if (!ended) socket.destroy();
    }, ABORT_GRACE_MS).unref();
  });

  let exitCode: Promise<number | null> | undefined;
  let neverStarted = false;
  return {
    output,
    wait() {
      exitCode ??= streamEnded.then(async () => {
        const end = await endOf(exec);
        // The engine gave the exec no process: runc refused it (its message is in the output).
        neverStarted = end?.pid === 0 && end.code !== null;
        return end?.code ?? null;
      });
      return exitCode;
    },
    neverStarted: () => neverStarted,
  };
}

/** An exec whose stdout is a plain byte stream and whose stdin (if attached) stays open for the caller. */
type RawExecOptions = Omit<ExecOptions, "stdin"> & {
  /** Attach stdin: what is written to `socket` reaches the process, `socket.end()` is its EOF. */
  stdin: boolean;
  /** Each piece of stderr as it arrives. */
  onStderr(data: Buffer): void;
  /** What a failure to start says was being done; default "run a command in <container>". */
  action?: string;
};

export type RawExecProcess = {
  /** stdout, raw bytes, with back-pressure into the engine. */
  stdout: Readable;
  /** The hijacked connection: writes go to the process's stdin (with `stdin`), end() closes it. */
  socket: Duplex;
  /** The exit code once the output has ended; null when the engine cannot tell. */
  wait(): Promise<number | null>;
  /** Drops the connection at once and kills the process tree by its marker (once; aborting the signal does the same). */
  kill(): Promise<void>;
};

export async function startRawExec(docker: Dockerode, endpoint: DockerEndpoint, containerId: string, opts: RawExecOptions): Promise<RawExecProcess> {
  const { exec, socket } = await attach(docker, endpoint, containerId, {
    ...opts,
    attachStdin: opts.stdin,
    action: opts.action ?? `run a command in ${containerId}`,
  });
  const stdout = new Readable({
    highWaterMark: RAW_BUFFERED_BYTES,
    read() {
      socket.resume();
    },
    // Destroying the reader leaves the process alone: the caller decides (kill()).
    destroy(err, callback) {
      callback(err);
    },
  });
  const streamEnded = demux(
    socket,
    (stream, data) => {
      if (stream !== 2) return stdout.push(data);
      opts.onStderr(data);
      return true;
    },
    () => stdout.push(null),
  );
  let killed: Promise<void> | undefined;
  const kill = () => {
    socket.destroy();
    killed ??= killByMarker(docker, endpoint, containerId, opts.marker).catch(() => {});
    return killed;
  };
  onAbort(opts.signal, () => void kill());
  let exitCode: Promise<number | null> | undefined;
  return {
    stdout,
    socket,
    kill,
    wait() {
      exitCode ??= streamEnded.then(() => endOf(exec)).then((end) => end?.code ?? null);
      return exitCode;
    },
  };
}

/** The stream can end a moment before the engine records the exit code. null: the engine does not know. */
async function endOf(exec: Dockerode.Exec): Promise<{ code: number | null; pid: number } | null> {
  for (let i = 0; i < 100; i++) {
    const info = await exec.inspect().catch(() => null);
    if (!info) return null;
    if (!info.Running) return { code: info.ExitCode ?? null, pid: info.Pid ?? 0 };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return null;
}

export async function killByMarker(docker: Dockerode, endpoint: DockerEndpoint, containerId: string, marker: string, user: string = "1000:1000"): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw new Error("an exec marker is letters, digits, - and _ only");
  const killer = await startExec(docker, endpoint, containerId, { cmd: ["sh", "-c", KILL_BY_MARKER_SCRIPT, "berth-kill", marker], user, marker: `killer-${marker}` });
  killer.output.resume(); // nothing to read; drain so the stream can end
  await killer.wait();
}
