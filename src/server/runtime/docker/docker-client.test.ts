import { describe, expect, it } from "vitest";
import { RuntimeOperationError, RuntimeUnavailableError } from "../types";
import { callEngine, mapDockerError, resolveDockerEndpoint } from "./docker-client";

describe("resolveDockerEndpoint", () => {
  it.each([
    [{}, { socketPath: "/var/run/docker.sock" }, "/var/run/docker.sock"],
    [{ socketPath: "/tmp/d.sock", host: "tcp://x:1" }, { socketPath: "/tmp/d.sock" }, "/tmp/d.sock"],
    [{ host: "unix:///run/user/1000/docker.sock" }, { socketPath: "/run/user/1000/docker.sock" }, "/run/user/1000/docker.sock"],
    [{ host: "tcp://10.0.0.5:2375" }, { host: "10.0.0.5", port: 2375, protocol: "http" }, "tcp://10.0.0.5:2375"],
    [{ host: "tcp://docker" }, { host: "docker", port: 2375, protocol: "http" }, "tcp://docker"],
  ])("%j → %j", (input, options, description) => {
    const endpoint = resolveDockerEndpoint(input);
    expect(endpoint.options).toEqual(options);
    expect(endpoint.description).toBe(description);
    expect(endpoint.problem).toBeUndefined();
  });

  it("refuses an address it cannot use, on the first call rather than at construction", async () => {
    const endpoint = resolveDockerEndpoint({ host: "ssh://me@box" });
    expect(endpoint.problem).toMatch(/not supported/);
    await expect(callEngine(endpoint, "ping", async () => "never")).rejects.toBeInstanceOf(RuntimeUnavailableError);
  });
});

describe("mapDockerError", () => {
  const endpoint = resolveDockerEndpoint({});
  const socketError = (code: string) => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

  it.each(["ENOENT", "ECONNREFUSED", "EACCES", "ETIMEDOUT"])("%s means the engine is unavailable, said plainly", (code) => {
    const mapped = mapDockerError(socketError(code), "start x", endpoint);
    expect(mapped).toBeInstanceOf(RuntimeUnavailableError);
    expect(mapped.message).toMatch(/^The Docker engine at \/var\/run\/docker\.sock is not reachable: .+\(connect /);
  });

  it("keeps the engine's status and message for refused operations", () => {
    const httpError = Object.assign(new Error("(HTTP code 404) no such container - No such container: abc "), {
      statusCode: 404,
      json: { message: "No such container: abc" },
    });
    const mapped = mapDockerError(httpError, "start abc", endpoint);
    expect(mapped).toBeInstanceOf(RuntimeOperationError);
    expect(mapped).toMatchObject({ status: 404, message: "Docker could not start abc: No such container: abc", cause: httpError });
  });
});

describe("callEngine", () => {
  it("gives up after its deadline, aborts the call and calls the engine unavailable", async () => {
    let aborted = false;
    const t0 = Date.now();
    const err = await callEngine(
      resolveDockerEndpoint({}),
      "list containers",
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
      50,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeUnavailableError);
    expect((err as Error).message).toMatch(/did not answer within 0 s \(while trying to list containers\)/);
    expect(aborted).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
