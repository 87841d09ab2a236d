// The process's runtime driver, chosen from configuration (Docker today).
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { DockerRuntime } from "./docker/docker-runtime";
import type { WorkspaceRuntime } from "./types";

const cache = globalThis as unknown as { __berthRuntime?: WorkspaceRuntime };

export function runtime(): WorkspaceRuntime {
  cache.__berthRuntime ??= new DockerRuntime({ ...(env().DOCKER_HOST ? { host: env().DOCKER_HOST } : {}), logger: logger() });
  return cache.__berthRuntime;
}

/** Tests: point Berth at another runtime (e.g. an unreachable engine). */
export function setRuntime(r: WorkspaceRuntime | undefined): void {
  cache.__berthRuntime = r;
}

export * from "./types";
