// The only reader of process.env: every setting is validated once, with messages a person can act on.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

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
    BERTH_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    DOCKER_HOST: optionalString.describe("Docker engine address, e.g. unix:///var/run/docker.sock or tcp://host:2375"),
    BERTH_METRICS_INTERVAL: z.coerce.number({ error: "BERTH_METRICS_INTERVAL must be a number of seconds" }).int().min(5).max(3_600).default(30),
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
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reads the secret kept in the data dir, creating it (0600, atomically) on a first run. */
function loadOrCreateSecret(dataDir: string): { secret: string; generated: boolean } {
  const file = path.join(dataDir, "secret");
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return { secret, generated: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString("base64url");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, secret + "\n", { mode: 0o600 });
  renameSync(tmp, file);
  return { secret, generated: true };
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
    const loaded = loadOrCreateSecret(dataDir);
    secret = loaded.secret;
    secretGenerated = loaded.generated;
  }
  const url = (env.BERTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  return { ...env, BERTH_SECRET: secret, BERTH_URL: url, dataDir, secretGenerated };
}

const cache = globalThis as unknown as { __berthEnv?: Env };

/** The validated configuration, parsed once per process (shared by server.ts and the Next bundle). */
export function env(): Env {
  if (!cache.__berthEnv) {
    cache.__berthEnv = parseEnv(process.env);
  }
  return cache.__berthEnv;
}

/** Tests only: replace the configuration for this process. */
export function setEnvForTests(overrides: Record<string, string | undefined>): Env {
  cache.__berthEnv = parseEnv({ ...process.env, ...overrides });
  return cache.__berthEnv;
}
