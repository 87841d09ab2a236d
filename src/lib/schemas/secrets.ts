// Encrypted environment variables (per user = all their slots, or per slot), provider credentials
// (per slot) and the user's preferences: names, write-only values, masked reads, the provider
// catalogue with each provider's key shape.
import { z } from "zod";
import { IsoDate, pageOf } from "./common";
import { SlotId } from "./slots";

/** Longest variable name; values are at most ENV_VALUE_MAX_BYTES of UTF-8. */
export const ENV_NAME_MAX = 128;
export const ENV_VALUE_MAX_BYTES = 32_768;
/** Variables per scope (the user's own, or one slot's), and their values' total size per scope. */
export const SECRETS_PER_SCOPE = 100;
/**
 * Linux refuses to start a program whose environment passes ARG_MAX (2 MiB by default): user vars
 * + slot vars + credentials stay well under it at 256 KiB per scope.
 */
export const SECRET_BYTES_PER_SCOPE = 262_144;

/**
 * Names Berth or the shell own. PATH is among them: an exec's Env replaces the image's PATH, so a
 * stored one would break every command (extend it in ~/.bashrc instead). Anything starting with
 * BERTH_ is Berth's (BERTH_EXEC marks the processes of a command).
 */
// The last six are read-only in bash (an image's /bin/sh may be bash): setting one would end the
// shell that starts the slot (docker-mapping.ts START_WRAPPER leaves them out too).
export const RESERVED_ENV_NAMES = ["HOME", "USER", "LOGNAME", "SHELL", "PATH", "PWD", "OLDPWD", "TERM", "SHLVL", "HOSTNAME", "TMUX", "TMUX_PANE", "_", "UID", "EUID", "PPID", "SHELLOPTS", "BASHOPTS", "BASH_VERSINFO"] as const;

export const EnvName = z
  .string({ error: "name is required" })
  .min(1, "name is required")
  .max(ENV_NAME_MAX, `name must be at most ${ENV_NAME_MAX} characters`)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "name must be letters, digits and _, not starting with a digit (e.g. DATABASE_URL)")
  .refine((n) => !n.toUpperCase().startsWith("BERTH_"), "names starting with BERTH_ are reserved for Berth")
  .refine((n) => !(RESERVED_ENV_NAMES as readonly string[]).includes(n), `this name is set by the slot itself (${RESERVED_ENV_NAMES.join(", ")} are reserved)`)
  .describe("A POSIX variable name: letters, digits and _, not starting with a digit; not BERTH_* nor one the slot sets itself");

/** Bytes of UTF-8 (shared with the browser: no Buffer). */
export const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** A name in a path of a read or delete: loose, so an odd name answers NOT_FOUND rather than a lecture. */
const NameRef = z.string().min(1).max(ENV_NAME_MAX);

export const SecretValue = z
  .string({ error: "value is required" })
  .min(1, "value cannot be empty (delete the variable instead)")
  .refine((v) => !v.includes("\0"), "value cannot contain NUL bytes")
  .refine((v) => utf8Length(v) <= ENV_VALUE_MAX_BYTES, `value must be at most ${ENV_VALUE_MAX_BYTES / 1024} KiB`)
  .describe("The value. Write-only: no read ever returns it; the slot sees it as an environment variable");

export const EnvScope = z.enum(["user", "slot"]).describe("user: every slot of yours · slot: this slot only (wins over a user variable of the same name)");
export type EnvScope = z.infer<typeof EnvScope>;

export const EnvVar = z
  .object({
    name: z.string(),
    scope: EnvScope,
    hint: z.string().describe("A masked hint (e.g. sk-…f3a9, or •••• for short values); never the value"),
    overridden: z.boolean().describe("true when a slot variable of the same name hides this user variable in this slot"),
    updatedAt: IsoDate,
  })
  .meta({ id: "EnvVar" });
export type EnvVar = z.infer<typeof EnvVar>;
export const EnvVarList = pageOf(EnvVar).describe("The slot's own variables first, then yours that apply to every slot");
export type EnvVarList = z.infer<typeof EnvVarList>;

export const SlotEnvSetInput = SlotId.extend({ name: EnvName, value: SecretValue });
export const SlotEnvRef = SlotId.extend({ name: NameRef });
export const UserEnvSetInput = z.object({ name: EnvName, value: SecretValue });
export const UserEnvRef = z.object({ name: NameRef });

// ---- provider credentials ----

export const CREDENTIAL_PROVIDER_IDS = ["anthropic", "openai", "github", "google"] as const;
export const isCredentialProviderId = (id: string): id is (typeof CREDENTIAL_PROVIDER_IDS)[number] => (CREDENTIAL_PROVIDER_IDS as readonly string[]).includes(id);
export const CredentialProviderId = z.enum(CREDENTIAL_PROVIDER_IDS, { error: `provider must be one of ${CREDENTIAL_PROVIDER_IDS.join(", ")}` });
export type CredentialProviderId = z.infer<typeof CredentialProviderId>;

type ProviderSpec = {
  name: string;
  variables: string[];
  /** What a valid key looks like, in words (shown in the form and in the error). */
  format: string;
  pattern: RegExp;
  /** The part of a key that is the same for everyone, kept in the masked hint. */
  prefix: RegExp;
};

export const CREDENTIAL_PROVIDERS: Record<CredentialProviderId, ProviderSpec> = {
  anthropic: {
    name: "Anthropic",
    variables: ["ANTHROPIC_API_KEY"],
    format: "an Anthropic API key starts with sk-ant- followed by letters, digits, - and _ (from console.anthropic.com → API keys)",
    pattern: /^sk-ant-[A-Za-z0-9_-]{20,250}$/,
    prefix: /^sk-ant-(api\d+-|oat\d+-)?/,
  },
  openai: {
    name: "OpenAI",
    variables: ["OPENAI_API_KEY"],
    format: "an OpenAI API key starts with sk- followed by letters, digits, - and _ (from platform.openai.com → API keys)",
    pattern: /^sk-[A-Za-z0-9_-]{20,250}$/,
    prefix: /^sk-(proj-|svcacct-|admin-)?/,
  },
  github: {
    name: "GitHub",
    variables: ["GITHUB_TOKEN", "GH_TOKEN"],
    format: "a GitHub token starts with ghp_, gho_, ghu_, ghs_, ghr_ or github_pat_ followed by letters, digits and _ (from github.com → Settings → Developer settings)",
    pattern: /^(gh[pousr]_[A-Za-z0-9]{30,251}|github_pat_[A-Za-z0-9_]{30,244})$/,
    prefix: /^(gh[pousr]_|github_pat_)/,
  },
  google: {
    name: "Google Gemini",
    variables: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    format: "a Google AI API key is 39 characters starting with AIza (from aistudio.google.com → Get API key)",
    pattern: /^AIza[A-Za-z0-9_-]{35}$/,
    prefix: /^AIza/,
  },
};

export const CredentialProvider = z
  .object({
    id: CredentialProviderId,
    name: z.string(),
    variables: z.array(z.string()).describe("The environment variables the key appears as inside the slot"),
    format: z.string().describe("What a valid key looks like"),
  })
  .meta({ id: "CredentialProvider" });
export const CredentialProviderList = z.object({ data: z.array(CredentialProvider) });

export const Credential = z
  .object({
    provider: CredentialProviderId,
    name: z.string(),
    variables: z.array(z.string()),
    hint: z.string().describe("A masked hint (e.g. sk-ant-…f3a9); never the key"),
    updatedAt: IsoDate,
  })
  .meta({ id: "Credential" });
export type Credential = z.infer<typeof Credential>;
export const CredentialList = pageOf(Credential);

const CredentialValue = z
  .string({ error: "value is required" })
  .trim()
  .min(1, "value is required")
  .max(ENV_VALUE_MAX_BYTES, `value must be at most ${ENV_VALUE_MAX_BYTES / 1024} KiB`)
  .describe("The key or token (surrounding spaces are removed). Write-only");

export const CredentialSetInput = SlotId.extend({ provider: CredentialProviderId, value: CredentialValue }).superRefine((input, ctx) => {
  const spec = CREDENTIAL_PROVIDERS[input.provider];
  if (spec && !spec.pattern.test(input.value)) {
    ctx.addIssue({ code: "custom", path: ["value"], message: `This does not look like a valid ${spec.name} key: ${spec.format}.` });
  }
});
export const CredentialRef = SlotId.extend({ provider: CredentialProviderId });
