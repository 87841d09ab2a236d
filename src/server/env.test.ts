import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "berth-env-"));

describe("configuration", () => {
  it("has safe defaults for a first local run", () => {
    const env = parseEnv({ BERTH_DATA_DIR: dataDir() });
    expect(env).toMatchObject({ PORT: 3000, BERTH_SIGNUP: "open", BERTH_URL: "http://localhost:3000" });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("generates BERTH_SECRET into the data dir once (0600), then reuses it", () => {
    const dir = dataDir();
    const first = parseEnv({ BERTH_DATA_DIR: dir });
    expect(first.secretGenerated).toBe(true);
    expect(first.BERTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dir, "secret")).mode & 0o777).toBe(0o600);
    const second = parseEnv({ BERTH_DATA_DIR: dir });
    expect(second.secretGenerated).toBe(false);
    expect(second.BERTH_SECRET).toBe(first.BERTH_SECRET);
    expect(readFileSync(path.join(dir, "secret"), "utf8").trim()).toBe(first.BERTH_SECRET);
  });

  it("uses a given BERTH_SECRET and writes nothing", () => {
    const env = parseEnv({ BERTH_DATA_DIR: dataDir(), BERTH_SECRET: "s".repeat(40) });
    expect(env.BERTH_SECRET).toBe("s".repeat(40));
    expect(env.secretGenerated).toBe(false);
  });

  it.each([
    [{ PORT: "eighty" }, /PORT must be a number/],
    [{ PORT: "70000" }, /PORT must be between 1 and 65535/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must start with postgres/],
    [{ BERTH_SECRET: "short" }, /BERTH_SECRET must be at least 32 characters/],
    [{ BERTH_SIGNUP: "maybe" }, /BERTH_SIGNUP must be one of open, invite, closed/],
    [{ BERTH_ADMIN_EMAIL: "boss@example.com" }, /BERTH_ADMIN_PASSWORD is required/],
    [{ BERTH_ADMIN_EMAIL: "boss@example.com", BERTH_ADMIN_PASSWORD: "short" }, /at least 8 characters/],
    [{ BERTH_GITHUB_ID: "abc" }, /GitHub sign-in needs both BERTH_GITHUB_ID and BERTH_GITHUB_SECRET/],
    [{ BERTH_OIDC_ID: "a", BERTH_OIDC_SECRET: "b" }, /BERTH_OIDC_ISSUER is required/],
  ])("explains %o in words", (bad, message) => {
    const attempt = () => parseEnv({ BERTH_DATA_DIR: dataDir(), ...bad });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
