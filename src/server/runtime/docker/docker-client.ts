// Connecting to the Docker engine and turning every failure into one of the runtime's two errors.
import Dockerode from "dockerode";
import { RuntimeOperationError, RuntimeUnavailableError } from "../types";

export type DockerEndpointOptions = {
  /** A Unix socket (or Windows named pipe) path. Wins over `host`. */
  socketPath?: string;
  /** A DOCKER_HOST-style address: unix:///var/run/docker.sock, tcp://host:2375, http(s)://host:port. */
  host?: string;
};

export type DockerEndpoint = {
  /** What a person reads in messages: the socket path or the URL. */
  description: string;
  options: Dockerode.DockerOptions;
  /** Set when the address cannot be used at all; every call then fails with it. */
  problem?: string;
};

export const DEFAULT_SOCKET_PATH = "/var/run/docker.sock";

export function resolveDockerEndpoint(opts: DockerEndpointOptions): DockerEndpoint {
  if (opts.socketPath) return { description: opts.socketPath, options: { socketPath: opts.socketPath } };
  const host = opts.host?.trim();
  if (!host) return { description: DEFAULT_SOCKET_PATH, options: { socketPath: DEFAULT_SOCKET_PATH } };
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length);
    return { description: socketPath, options: { socketPath } };
  }
  if (host.startsWith("npipe://")) {
    const socketPath = host.slice("npipe://".length).replace(/\//g, "\\");
    return { description: host, options: { socketPath } };
  }
  const match = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(host);
  if (match) {
    const [, scheme, hostname = "", port] = match;
    const protocol = scheme === "https" ? "https" : "http";
    // TLS client certificates (DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) are not wired yet: plain TCP only.
    return {
      description: host,
      options: { host: hostname.replace(/^\[|\]$/g, ""), port: port ? Number(port) : 2375, protocol },
    };
  }
  return {
    description: host,
    options: { socketPath: DEFAULT_SOCKET_PATH },
    problem: `the address "${host}" is not supported (use unix:///path/to/docker.sock or tcp://host:port)`,
  };
}

export function createDockerClient(endpoint: DockerEndpoint): Dockerode {
  return new Dockerode(endpoint.options);
}

/** How long one engine call may take before Berth calls the engine unreachable. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** The shape docker-modem gives HTTP errors. */
type ModemError = Error & { statusCode?: number; reason?: string; json?: unknown; code?: string };

// Errors raised by the socket itself, before any HTTP answer: the engine is not there.
const CONNECTION_ERROR_CODES: Record<string, string> = {
  ENOENT: "the socket does not exist. Is Docker installed and its daemon running?",
  ECONNREFUSED: "the connection was refused. Is the Docker daemon running?",
  EACCES: "permission was denied on the socket. Run Berth as root or as a member of the docker group.",
  EPERM: "permission was denied on the socket. Run Berth as root or as a member of the docker group.",
  ENOTSOCK: "the path is not a socket.",
  ECONNRESET: "the engine closed the connection.",
  EPIPE: "the engine closed the connection.",
  ETIMEDOUT: "the connection timed out.",
  EHOSTUNREACH: "the host is unreachable.",
  ENETUNREACH: "the network is unreachable.",
  ENOTFOUND: "the host name does not resolve.",
  EAI_AGAIN: "the host name does not resolve.",
  ECONNABORTED: "the connection was aborted.",
};

export function engineMessage(err: unknown): string {
  const e = err as ModemError;
  const json = e?.json;
  if (json && typeof json === "object" && "message" in json && typeof json.message === "string") return json.message.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString("utf8").trim();
  if (typeof json === "string" && json.trim()) return json.trim();
  return e instanceof Error ? e.message : String(err);
}

/** Maps anything dockerode throws to RuntimeUnavailableError or RuntimeOperationError. */
export function mapDockerError(err: unknown, action: string, endpoint: DockerEndpoint): Error {
  if (err instanceof RuntimeUnavailableError || err instanceof RuntimeOperationError) return err;
  const e = err as ModemError;
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (code && code in CONNECTION_ERROR_CODES) {
    return new RuntimeUnavailableError(
      `The Docker engine at ${endpoint.description} is not reachable: ${CONNECTION_ERROR_CODES[code]} (${e.message})`,
      { cause: err },
    );
  }
  if (typeof e?.statusCode === "number") {
    return new RuntimeOperationError(`Docker could not ${action}: ${engineMessage(err)}`, {
      cause: err,
      status: e.statusCode,
    });
  }
  return new RuntimeOperationError(`Docker could not ${action}: ${e instanceof Error ? e.message : String(err)}`, {
    cause: err,
  });
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof RuntimeOperationError ? err.status : undefined;
}

/**
 * Runs one engine call with a deadline and mapped errors. The call gets an AbortSignal (dockerode
 * passes it to the HTTP request); methods that ignore it are still bounded by the race below.
 * The deadline covers the call up to its answer, not a stream read afterwards (logs follow).
 */
export async function callEngine<T>(
  endpoint: DockerEndpoint,
  action: string,
  fn: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS,
): Promise<T> {
  if (endpoint.problem) {
    throw new RuntimeUnavailableError(`The Docker engine at ${endpoint.description} is not reachable: ${endpoint.problem}`);
  }
  const controller = new AbortController();
  const timeout = new RuntimeUnavailableError(
    `The Docker engine at ${endpoint.description} did not answer within ${Math.round(timeoutMs / 1000)} s (while trying to ${action}).`,
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(timeout);
      controller.abort(); // the call's own abort error must not win over the timeout
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(controller.signal), deadline]);
  } catch (err) {
    throw controller.signal.aborted ? timeout : mapDockerError(err, action, endpoint);
  } finally {
    clearTimeout(timer);
  }
}

/** Adds the abort signal to a dockerode options object (not every typing declares it). */
export function withSignal<T extends object>(options: T, signal: AbortSignal): T {
  return { ...options, abortSignal: signal };
}
