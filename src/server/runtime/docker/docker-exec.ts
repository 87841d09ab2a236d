// Commands run in a slot through Docker exec (no TTY): stdout and stderr kept apart, stdin fed and
// closed, the exit code read once the stream ends, and the process tree found again by its marker.
import { Readable, type Duplex } from "node:stream";
import type Dockerode from "dockerode";
import type { ExecChunk, ExecOptions, ExecProcess } from "../types";
import { callEngine, withSignal, type DockerEndpoint } from "./docker-client";

/** The environment variable every exec'd process carries (children inherit it), set to the exec's marker. */
export const EXEC_MARKER_ENV = "BERTH_EXEC";

const HEADER_BYTES = 8;
/** Chunks buffered for a slow reader before the engine's stream is paused (back-pressure into the pipe). */
const BUFFERED_CHUNKS = 64;
/** After the process tree is killed, how long the stream may take to end before it is torn down. */
const ABORT_GRACE_MS = 3_000;

/**
 * The engine's multiplexed exec stream: frames of [stream, 0, 0, 0, size(uint32 BE)] + payload,
 * stream 1 = stdout, 2 = stderr (0 = stdin echo, never sent without a TTY). Keeps a partial frame
 * between chunks.
 */
export class ExecFrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ExecChunk[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: ExecChunk[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + size) break;
      const data = this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size);
      if (size > 0) out.push({ stream: this.pending[0] === 2 ? "stderr" : "stdout", data });
      this.pending = this.pending.subarray(HEADER_BYTES + size);
    }
    return out;
  }
}

/**
 * Kills every process of the container whose environment holds BERTH_EXEC=<marker>, in rounds until
 * none is left (a process may fork while the first round runs). Runs as the slot user: the
 * processes are theirs, and the container has no CAP_KILL for root to use. The marker is an
 * argument of this script, never in its own environment, so the killer does not kill itself.
 */
export const KILL_BY_MARKER_SCRIPT = `
m="${EXEC_MARKER_ENV}=$1"
for round in 1 2 3 4 5 6 7 8; do
  found=0
  # environ is NUL-separated; busybox grep stops a line at NUL, so each is turned into lines first.
  for d in /proc/[0-9]*; do
    p=\${d#/proc/}
    [ "$p" = "$$" ] && continue
    if tr '\\000' '\\n' < "$d/environ" 2>/dev/null | grep -qxF "$m"; then
      kill -9 "$p" 2>/dev/null && found=1
    fi
  done
  [ "$found" = 0 ] && exit 0
done
exit 0
`;

export async function startExec(docker: Dockerode, endpoint: DockerEndpoint, containerId: string, opts: ExecOptions): Promise<ExecProcess> {
  if (opts.cmd.length === 0) throw new Error("exec needs a command");
  const container = docker.getContainer(containerId);
  const withStdin = opts.stdin !== undefined;
  const env = [...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`), `${EXEC_MARKER_ENV}=${opts.marker}`];
  const exec = await callEngine(endpoint, `run a command in ${containerId}`, (signal) =>
    container.exec(
      withSignal(
        {
          Cmd: opts.cmd,
          Env: env,
          User: opts.user,
          ...(opts.cwd ? { WorkingDir: opts.cwd } : {}),
          AttachStdin: withStdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        },
        signal,
      ),
    ),
  );
  const socket = (await callEngine(endpoint, `run a command in ${containerId}`, (signal) =>
    exec.start(withSignal({ hijack: true, stdin: withStdin }, signal)),
  )) as Duplex;

  if (withStdin) {
    // Half-closing the hijacked connection closes the process's stdin (it sees EOF).
    socket.write(opts.stdin ?? "");
    socket.end();
  }

  const parser = new ExecFrameParser();
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
  const streamEnded = new Promise<void>((resolve) => {
    const finish = () => {
      if (ended) return;
      ended = true;
      output.push(null);
      resolve();
    };
    socket.on("data", (chunk: Buffer) => {
      for (const c of parser.push(chunk)) if (!output.push(c)) socket.pause();
    });
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", finish); // the engine went away: the exit code below says what is known
  });

  if (opts.signal) {
    const onAbort = () => {
      void killByMarker(docker, endpoint, containerId, opts.marker).catch(() => {});
      setTimeout(() => {
        if (!ended) socket.destroy();
      }, ABORT_GRACE_MS).unref();
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener("abort", onAbort, { once: true });
  }

  let exitCode: Promise<number | null> | undefined;
  return {
    output,
    wait() {
      exitCode ??= streamEnded.then(() => exitCodeOf(exec));
      return exitCode;
    },
  };
}

/** The stream can end a moment before the engine records the exit code. null: the engine does not know. */
async function exitCodeOf(exec: Dockerode.Exec): Promise<number | null> {
  for (let i = 0; i < 100; i++) {
    const info = await exec.inspect().catch(() => null);
    if (!info) return null;
    if (!info.Running) return info.ExitCode ?? null;
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
