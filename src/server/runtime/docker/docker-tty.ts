// The terminal's side of a slot: a Docker exec with a TTY attached to the slot's tmux session
// (created when missing), so the shell outlives every socket; resized through the engine.
import type { Duplex } from "node:stream";
import type Dockerode from "dockerode";
import type { TerminalOptions, TerminalProcess } from "../types";
import { callEngine, withSignal, type DockerEndpoint } from "./docker-client";
import { EXEC_MARKER_ENV } from "./docker-exec";

/**
 * Attach-or-create in two steps. The first tmux command of a slot forks the tmux server, which
 * inherits that client's environment (and hands it to every shell): so the session is made by a
 * client without the marker, and only the attaching client carries it. killByMarker then ends the
 * client a closed socket leaves behind, never the server or the shell. `new-session -A` still
 * creates the session if it vanished in between. The session we make has no status line: the page
 * is the terminal, and the shell gets every row the browser has. $1 session, $2 cols, $3 rows.
 */
// One tmux server per session (-L): tmux polls every descriptor of its server on each pass, so 100
// terminals sharing one server slowed every keystroke (bench/terminal.ts: echo p99 with 400 open).
const ATTACH_SCRIPT = `
env -u ${EXEC_MARKER_ENV} tmux -L "berth-$1" new-session -d -s "$1" -x "$2" -y "$3" \\; set-option -t "$1" status off 2>/dev/null
exec tmux -L "berth-$1" new-session -A -s "$1"
`;

export async function openTerminal(docker: Dockerode, endpoint: DockerEndpoint, containerId: string, opts: TerminalOptions): Promise<TerminalProcess> {
  // The marker last: nothing in opts.env can replace it.
  const env = [...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`), `TERM=${opts.term ?? "xterm-256color"}`, `${EXEC_MARKER_ENV}=${opts.marker}`];
  const exec = await callEngine(endpoint, `open a terminal in ${containerId}`, (signal) =>
    docker.getContainer(containerId).exec(
      withSignal(
        {
          Cmd: ["sh", "-c", ATTACH_SCRIPT, "berth-terminal", opts.session, String(opts.cols), String(opts.rows)],
          Env: env,
          User: opts.user,
          Tty: true,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
        },
        signal,
      ),
    ),
  );
  // No abort signal on the start: it would stay tied to the hijacked connection for its whole life.
  const stream = (await callEngine(endpoint, `open a terminal in ${containerId}`, () => exec.start({ hijack: true, stdin: true, Tty: true }))) as Duplex;

  const resize = async (cols: number, rows: number) => {
    await callEngine(endpoint, `resize a terminal in ${containerId}`, (signal) => exec.resize(withSignal({ h: rows, w: cols }, signal)));
  };
  // Engine API 1.41 has no ConsoleSize on exec create: the pty starts at 0×0 until this resize.
  await resize(opts.cols, opts.rows).catch(() => undefined);

  let exitCode: Promise<number | null> | undefined;
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  return {
    stream,
    resize,
    wait() {
      exitCode ??= ended.then(() => exitCodeOf(exec));
      return exitCode;
    },
  };
}

/** The stream can end a moment before the engine records the exit code. null: the engine does not know. */
async function exitCodeOf(exec: Dockerode.Exec): Promise<number | null> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect().catch(() => null);
    if (!info) return null;
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return null;
}
