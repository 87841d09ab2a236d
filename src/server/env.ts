// The only reader of process.env: every setting is validated once, with messages a person can act on.
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync, unlinkSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { decodeEncryptionKey, generateEncryptionKey, MAKE_KEY_HINT } from "./crypto/encryption-key";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** An optional 32-byte key (base64 or hex), decoded; a malformed one is a configuration error. */
const encryptionKey = (variable: string) =>
  optionalString.transform((v, ctx): Buffer | undefined => {
    if (!v) return undefined;
    try {
      return decodeEncryptionKey(v, variable);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce
      .number({ error: "PORT must be a number, e.g. 3000" })
      .int()
      .min(1, "PORT must be between 1 and 65535")
      .max(65535, "PORT must be between 1 and 65535")
      .default(3000),
    HOST: z.string().default("0.0.0.0"),
    BERTH_URL: z.url({ error: "BERTH_URL must be a full URL such as https://berth.example.com" }).optional(),
    DATABASE_URL: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : undefined))
      .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
        message: "DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded database)",
      }),
    BERTH_DATA_DIR: z.string().default("./.data"),
    BERTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      message: "BERTH_SECRET must be at least 32 characters (try: openssl rand -base64 48)",
    }),
    BERTH_ENCRYPTION_KEY: encryptionKey("BERTH_ENCRYPTION_KEY"),
    BERTH_ENCRYPTION_KEY_PREVIOUS: encryptionKey("BERTH_ENCRYPTION_KEY_PREVIOUS"),
    BERTH_SIGNUP: z
      .enum(["open", "invite", "closed"], { error: "BERTH_SIGNUP must be one of open, invite, closed" })
      .default("open"),
    BERTH_ADMIN_EMAIL: z.email({ error: "BERTH_ADMIN_EMAIL must be an email address" }).optional(),
    BERTH_ADMIN_PASSWORD: optionalString,
    BERTH_TRUST_PROXY: bool.default(false),
    BERTH_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(900),
    BERTH_REFRESH_TOKEN_TTL: z.coerce.number().int().min(3_600).max(31_536_000).default(2_592_000),
    BERTH_SESSION_TTL: z.coerce.number().int().min(300).max(31_536_000).default(2_592_000),
    BERTH_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
    BERTH_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(30),
    BERTH_LOGIN_WINDOW: z.coerce.number().int().min(10).default(900),
    // Rate limits (server/rate-limit): per client IP for anonymous calls, and stricter per IP for the
    // sign-in, sign-up and token routes. Signed-in callers get their plan's requestsPerMinute.
    BERTH_RATE_LIMIT_ANON_PER_MINUTE: z.coerce.number({ error: "BERTH_RATE_LIMIT_ANON_PER_MINUTE must be a number of requests" }).int().min(1).max(1_000_000).default(120),
    BERTH_RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number({ error: "BERTH_RATE_LIMIT_AUTH_PER_MINUTE must be a number of requests" }).int().min(1).max(1_000_000).default(30),
    BERTH_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    // Webhooks (services/webhooks): private and loopback targets only when allowed; the first retry's delay.
    BERTH_WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
    BERTH_WEBHOOK_RETRY_BASE_MS: z.coerce.number({ error: "BERTH_WEBHOOK_RETRY_BASE_MS must be a number of milliseconds" }).int().min(1).max(3_600_000).default(10_000),
    DOCKER_HOST: optionalString.describe("Docker engine address, e.g. unix:///var/run/docker.sock or tcp://host:2375"),
    BERTH_METRICS_INTERVAL: z.coerce.number({ error: "BERTH_METRICS_INTERVAL must be a number of seconds" }).int().min(5).max(3_600).default(30),
    BERTH_EVENT_RETENTION_DAYS: z.coerce.number({ error: "BERTH_EVENT_RETENTION_DAYS must be a number of days" }).int().min(1).max(3650).default(30),
    BERTH_METRICS_RETENTION_HOURS: z.coerce.number({ error: "BERTH_METRICS_RETENTION_HOURS must be a number of hours" }).int().min(1).max(24 * 90).default(24),
    BERTH_AUTOSTOP_WARNING_MINUTES: z.coerce.number({ error: "BERTH_AUTOSTOP_WARNING_MINUTES must be a number of minutes" }).int().min(1).max(120).default(5),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    BERTH_GITHUB_ID: optionalString,
    BERTH_GITHUB_SECRET: optionalString,
    BERTH_GOOGLE_ID: optionalString,
    BERTH_GOOGLE_SECRET: optionalString,
    BERTH_OIDC_ISSUER: z.url({ error: "BERTH_OIDC_ISSUER must be the issuer URL of your identity provider" }).optional(),
    BERTH_OIDC_ID: optionalString,
    BERTH_OIDC_SECRET: optionalString,
    BERTH_OIDC_NAME: z.string().default("Single sign-on"),
  })
  .superRefine((env, ctx) => {
    if (env.BERTH_ADMIN_EMAIL && !env.BERTH_ADMIN_PASSWORD) {
      ctx.addIssue({ code: "custom", path: ["BERTH_ADMIN_PASSWORD"], message: "BERTH_ADMIN_PASSWORD is required when BERTH_ADMIN_EMAIL is set" });
    }
    if (env.BERTH_ADMIN_PASSWORD && env.BERTH_ADMIN_PASSWORD.length < 8) {
      ctx.addIssue({ code: "custom", path: ["BERTH_ADMIN_PASSWORD"], message: "BERTH_ADMIN_PASSWORD must be at least 8 characters" });
    }
    for (const [p, a, b] of [
      ["GitHub", "BERTH_GITHUB_ID", "BERTH_GITHUB_SECRET"],
      ["Google", "BERTH_GOOGLE_ID", "BERTH_GOOGLE_SECRET"],
      ["OIDC", "BERTH_OIDC_ID", "BERTH_OIDC_SECRET"],
    ] as const) {
      if (Boolean(env[a]) !== Boolean(env[b])) {
        ctx.addIssue({ code: "custom", path: [a], message: `${p} sign-in needs both ${a} and ${b}` });
      }
    }
    if (env.BERTH_OIDC_ID && !env.BERTH_OIDC_ISSUER) {
      ctx.addIssue({ code: "custom", path: ["BERTH_OIDC_ISSUER"], message: "BERTH_OIDC_ISSUER is required when BERTH_OIDC_ID is set" });
    }
  });

export type Env = z.infer<typeof EnvSchema> & {
  /** Always set after load: from the environment or generated into the data dir. */
  BERTH_SECRET: string;
  BERTH_URL: string;
  /** Absolute path of BERTH_DATA_DIR. */
  dataDir: string;
  secretGenerated: boolean;
  /**
   * The key that encrypts secrets at rest: from the environment, or (embedded database only)
   * generated into the data dir. Undefined with DATABASE_URL and no key: the keyring (crypto/keyring.ts)
   * then refuses with encryptionKeyMissingMessage, and everything that needs no secret still runs.
   */
  BERTH_ENCRYPTION_KEY: Buffer | undefined;
  encryptionKeyGenerated: boolean;
};

/** What to do when secrets are used with a PostgreSQL server and no key. */
export const encryptionKeyMissingMessage =
  "BERTH_ENCRYPTION_KEY is not set. With DATABASE_URL every Berth instance must share one key to read the secrets it stores; " +
  `${MAKE_KEY_HINT}, set it as BERTH_ENCRYPTION_KEY for every instance and keep a copy (secrets cannot be read without it).`;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * A value Berth keeps in the data dir (the session secret, the encryption key): read it, or make it
 * (0600) on a first run. Made with link(2), which refuses an existing name, so two processes starting
 * at once agree on one value; one that exists but does not parse stops Berth rather than being
 * silently replaced (that would sign everyone out, or make every secret unreadable).
 */
function loadOrCreateDataFile<T>(dataDir: string, name: string, make: () => string, parse: (text: string) => T, what: string): { value: T; generated: boolean } {
  const file = path.join(dataDir, name);
  const read = () => {
    try {
      return parse(readFileSync(file, "utf8").trim());
    } catch (err) {
      throw new ConfigError(`Berth cannot start: ${file} does not hold a valid ${what} (${(err as Error).message}). Restore it from a backup, or set the variable.`);
    }
  };
  if (existsSync(file)) return { value: read(), generated: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, make() + "\n", { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { value: read(), generated: false };
  } finally {
    unlinkSync(tmp);
  }
  return { value: read(), generated: true };
}

function parseSecret(text: string): string {
  if (text.length < 32) throw new Error("it is shorter than 32 characters");
  return text;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`Berth cannot start: the configuration is invalid.\n${lines.join("\n")}`);
  }
  const env = result.data;
  const dataDir = path.resolve(env.BERTH_DATA_DIR);
  let secret = env.BERTH_SECRET;
  let secretGenerated = false;
  if (!secret) {
    const loaded = loadOrCreateDataFile(dataDir, "secret", () => randomBytes(48).toString("base64url"), parseSecret, "BERTH_SECRET");
    secret = loaded.value;
    secretGenerated = loaded.generated;
  }
  let encryptionKey = env.BERTH_ENCRYPTION_KEY;
  let encryptionKeyGenerated = false;
  if (!encryptionKey && !env.DATABASE_URL) {
    const loaded = loadOrCreateDataFile(dataDir, "encryption-key", generateEncryptionKey, (text) => decodeEncryptionKey(text, "the key"), "BERTH_ENCRYPTION_KEY");
    encryptionKey = loaded.value;
    encryptionKeyGenerated = loaded.generated;
  }
  const url = (env.BERTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  return { ...env, BERTH_SECRET: secret, BERTH_URL: url, dataDir, secretGenerated, BERTH_ENCRYPTION_KEY: encryptionKey, encryptionKeyGenerated };
}

const cache = globalThis as unknown as { __berthEnv?: Env; __berthEnvOverrides?: Record<string, string | undefined> };

/** The validated configuration, parsed once per process (shared by server.ts and the Next bundle). */
export function env(): Env {
  if (!cache.__berthEnv) {
    cache.__berthEnv = parseEnv(process.env);
  }
  return cache.__berthEnv;
}

/** Tests only: replace the configuration for this process. */
export function setEnvForTests(overrides: Record<string, string | undefined>): Env {
  cache.__berthEnvOverrides = overrides;
  cache.__berthEnv = parseEnv({ ...process.env, ...overrides });
  return cache.__berthEnv;
}

/** Tests only: change some settings on top of the last setEnvForTests (undefined unsets one). */
export function patchEnvForTests(overrides: Record<string, string | undefined>): Env {
  return setEnvForTests({ ...cache.__berthEnvOverrides, ...overrides });
}
