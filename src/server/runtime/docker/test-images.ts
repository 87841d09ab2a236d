// Tests only: berth/tiny (tiny-image.ts) on the engine the options name, built when missing.
import { createDockerClient, resolveDockerEndpoint, type DockerEndpointOptions } from "./docker-client";
import { ensureTinyImage as ensureOn } from "./tiny-image";

/** Returns the tiny image's tag, building it first when the engine lacks it (once per process and engine). */
export function ensureTinyImage(opts: DockerEndpointOptions & { onProgress?: (message: string) => void } = {}): Promise<string> {
  const endpoint = resolveDockerEndpoint(opts);
  return ensureOn(createDockerClient(endpoint), endpoint, { onProgress: opts.onProgress });
}
