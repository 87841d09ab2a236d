// Tests only: run a shell command inside a slot's container as the slot user (what a person in
// the terminal would do), or as another user (root, to plant canaries where the slot user cannot
// write), and collect its exit code and output.
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import { SLOT_EXEC_USER } from "../types";

export type ExecResult = { code: number; output: string; ms: number };

export async function execInSlot(docker: Dockerode, containerId: string, script: string, user: string = SLOT_EXEC_USER): Promise<ExecResult> {
  const started = performance.now();
  const exec = await docker.getContainer(containerId).exec({ Cmd: ["sh", "-c", script], AttachStdout: true, AttachStderr: true, User: user });
  const stream = await exec.start({ hijack: true, stdin: false });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  // The stream can end a moment before the engine records the exit code.
  let info = await exec.inspect();
  for (let i = 0; i < 50 && info.Running; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    info = await exec.inspect();
  }
  return { code: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8"), ms: Math.round(performance.now() - started) };
}

/** The same, on the local engine (for tests outside src/server/runtime/, which may not import dockerode). */
export async function execAsSlotUser(containerId: string, script: string, user: string = SLOT_EXEC_USER): Promise<ExecResult> {
  const { default: Docker } = await import("dockerode");
  return execInSlot(new Docker(), containerId, script, user);
}
