// Making images without a registry: import a root filesystem tar, build a Dockerfile on top, tag.
// Used by scripts/build-images.ts and by the test image helper.
import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { RuntimeOperationError } from "../types";
import { callEngine, mapDockerError, statusOf, withSignal, type DockerEndpoint } from "./docker-client";

/** Importing a few hundred MB or running a build is slow; the deadline only guards a stuck engine. */
const IMAGE_CALL_TIMEOUT_MS = 15 * 60_000;

export type ImageRef = { repo: string; tag: string };

export function refString(ref: ImageRef): string {
  return `${ref.repo}:${ref.tag}`;
}

export async function imageExists(docker: Dockerode, endpoint: DockerEndpoint, image: string): Promise<boolean> {
  try {
    await callEngine(endpoint, `inspect the image ${image}`, (signal) => docker.getImage(image).inspect(withSignal({}, signal)));
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

/**
 * `docker import`: a tar of a root filesystem becomes a one-layer image. `changes` are Dockerfile
 * instructions applied to its config (CMD, USER, WORKDIR, ENV, LABEL).
 */
export async function importRootfs(
  docker: Dockerode,
  endpoint: DockerEndpoint,
  rootfs: Buffer | Readable,
  ref: ImageRef,
  changes: string[] = [],
): Promise<void> {
  const action = `import ${refString(ref)}`;
  await callEngine(
    endpoint,
    action,
    async (signal) => {
      // dockerode sends a Buffer as the body with its length; its typing only names streams.
      const source = rootfs as unknown as NodeJS.ReadableStream;
      const progress = await docker.importImage(source, withSignal({ repo: ref.repo, tag: ref.tag, changes }, signal));
      await readProgress(progress, action, endpoint);
    },
    IMAGE_CALL_TIMEOUT_MS,
  );
}

/** `docker build` of a context given as a tar (the classic builder: no BuildKit needed on old engines). */
export async function buildImage(
  docker: Dockerode,
  endpoint: DockerEndpoint,
  context: Buffer,
  image: string,
  opts: { buildargs?: Record<string, string>; labels?: Record<string, string>; onLine?: (line: string) => void } = {},
): Promise<void> {
  const action = `build ${image}`;
  await callEngine(
    endpoint,
    action,
    async (signal) => {
      const progress = await docker.buildImage(
        context as unknown as NodeJS.ReadableStream,
        withSignal({ t: image, buildargs: opts.buildargs ?? {}, labels: opts.labels ?? {}, rm: true, forcerm: true }, signal),
      );
      await readProgress(progress, action, endpoint, (event) => {
        if (typeof event.stream === "string") {
          for (const line of event.stream.split("\n")) if (line.trim()) opts.onLine?.(line);
        }
      });
    },
    IMAGE_CALL_TIMEOUT_MS,
  );
}

export async function tagImage(docker: Dockerode, endpoint: DockerEndpoint, image: string, target: ImageRef): Promise<void> {
  await callEngine(endpoint, `tag ${image} as ${refString(target)}`, (signal) =>
    docker.getImage(image).tag(withSignal({ repo: target.repo, tag: target.tag }, signal)),
  );
}

export async function removeImage(docker: Dockerode, endpoint: DockerEndpoint, image: string): Promise<void> {
  try {
    await callEngine(endpoint, `remove the image ${image}`, (signal) => docker.getImage(image).remove(withSignal({}, signal)));
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

type ProgressEvent = { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } };

/** Reads the engine's JSON-lines progress to its end; an `error` line is the operation's failure. */
function readProgress(
  stream: NodeJS.ReadableStream,
  action: string,
  endpoint: DockerEndpoint,
  onEvent?: (event: ProgressEvent) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    let failure: string | undefined;
    const handle = (line: string) => {
      if (!line.trim()) return;
      let event: ProgressEvent;
      try {
        event = JSON.parse(line) as ProgressEvent;
      } catch {
        return; // not a progress line; nothing to learn from it
      }
      if (event.error || event.errorDetail?.message) failure ??= event.errorDetail?.message ?? event.error;
      onEvent?.(event);
    };
    stream.on("data", (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        handle(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    stream.on("error", (err) => reject(mapDockerError(err, action, endpoint)));
    stream.on("end", () => {
      handle(buffered);
      if (failure) reject(new RuntimeOperationError(`Docker could not ${action}: ${failure}`));
      else resolve();
    });
  });
}
