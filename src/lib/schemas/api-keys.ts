// API keys: what a key may do (its scopes), what creating one takes, and what lists show (never
// the key: it is shown once, when made).
import { z } from "zod";
import { IsoDate, PageQuery, pageOf } from "./common";

export const API_KEY_SCOPES = ["slots:read", "slots:write", "exec", "files:read", "files:write", "secrets:write", "webhooks", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What each scope allows, for the dashboard and the OpenAPI document. */
export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  "slots:read": "List and read slots, their events, metrics and logs (in the events feed, file, command and webhook events need files:read, exec and webhooks too)",
  "slots:write": "Create, change, start, stop, restart and delete slots",
  exec: "Run commands in slots and open terminals",
  "files:read": "List and download files in slots",
  "files:write": "Upload, move, make folders and delete files in slots",
  "secrets:write": "List, set and delete environment variables and provider credentials",
  webhooks: "Manage webhook endpoints and their deliveries (an endpoint gets only events the key's other scopes may see)",
  admin: "Administer users, plans, templates and every slot (administrators' keys only)",
};

export const ApiKeyScopeValue = z.enum(API_KEY_SCOPES, { error: `each scope must be one of ${API_KEY_SCOPES.join(", ")}` });

/** The most keys one person may hold at once (revoked and expired ones do not count). */
export const API_KEYS_PER_USER = 50;

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("The key's first characters, to tell keys apart; never enough to use"),
    scopes: z.array(ApiKeyScopeValue),
    createdAt: IsoDate,
    expiresAt: IsoDate.nullable(),
    lastUsedAt: IsoDate.nullable(),
    lastUsedIp: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyList = pageOf(ApiKey);
export const ApiKeyListInput = PageQuery.extend({
  includeRevoked: z.enum(["true", "false"], { error: "includeRevoked must be true or false" }).optional().describe("true lists revoked and expired keys too"),
});

export const ApiKeyCreateInput = z
  .object({
    name: z.string({ error: "name is required" }).trim().min(1, "name cannot be empty").max(100, "name must be at most 100 characters"),
    scopes: z
      .array(ApiKeyScopeValue, { error: "scopes must be a list, e.g. [\"slots:read\"]" })
      .min(1, "choose at least one scope")
      .max(API_KEY_SCOPES.length)
      .transform((s) => [...new Set(s)]),
    expiresAt: IsoDate.nullable()
      .optional()
      .refine((v) => !v || new Date(v).getTime() > Date.now(), "expiresAt must be in the future")
      .describe("When the key stops working; absent or null: never"),
  })
  .strict();
export type ApiKeyCreateInput = z.infer<typeof ApiKeyCreateInput>;

export const CreatedApiKey = z
  .object({
    id: z.string(),
    key: z.string().describe("The key itself (brt_…): shown only in this answer; store it now"),
    prefix: z.string(),
    name: z.string(),
    scopes: z.array(ApiKeyScopeValue),
    expiresAt: IsoDate.nullable(),
  })
  .meta({ id: "CreatedApiKey" });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyIdInput = z.object({ id: z.string().min(1).max(64) });

// ── OAuth2 machine clients (client credentials) ─────────────────────────────────────────────

export const OAuthClient = z
  .object({
    id: z.string().describe("The client_id"),
    name: z.string(),
    scopes: z.array(ApiKeyScopeValue).describe("What its tokens may be granted (a token request may ask for fewer)"),
    createdAt: IsoDate,
    lastUsedAt: IsoDate.nullable().describe("When it last got a token"),
    status: z.enum(["active", "revoked"]),
  })
  .meta({ id: "OAuthClient" });
export type OAuthClient = z.infer<typeof OAuthClient>;
export const OAuthClientList = pageOf(OAuthClient);

export const OAuthClientCreateInput = z
  .object({
    name: ApiKeyCreateInput.shape.name,
    scopes: ApiKeyCreateInput.shape.scopes,
  })
  .strict();
export type OAuthClientCreateInput = z.infer<typeof OAuthClientCreateInput>;

export const CreatedOAuthClient = z
  .object({
    id: z.string(),
    clientId: z.string().describe("Send as client_id (or the HTTP Basic user name)"),
    clientSecret: z.string().describe("Send as client_secret (or the HTTP Basic password): shown only in this answer"),
    name: z.string(),
    scopes: z.array(ApiKeyScopeValue),
  })
  .meta({ id: "CreatedOAuthClient" });
export type CreatedOAuthClient = z.infer<typeof CreatedOAuthClient>;
