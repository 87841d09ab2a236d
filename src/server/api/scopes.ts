// What an API key needs for each procedure: one table, reviewed in one place and walked by the
// authorization matrix (every protected procedure must be here; a test fails on a missing one).
//   a scope      the key must carry it
//   "any"        any key of the account may (reading one's own profile, the catalogue)
//   "account"    no key may: only the person (dashboard session or a token from /auth/token) —
//                keys never manage keys, passwords or the account itself
// Sessions and access tokens are not narrowed: they act with the whole account (and its role).
import type { ApiKeyScope } from "@/lib/schemas/api-keys";
import { BerthError } from "@/server/errors";
import type { Actor } from "@/server/services/context";

export type ProcedureScope = ApiKeyScope | "any" | "account";

export const PROCEDURE_SCOPES: Record<string, ProcedureScope> = {
  "auth.logout": "account",

  "me.get": "any",
  "me.update": "account",
  "me.changePassword": "account",
  "me.env.list": "secrets:write",
  "me.env.set": "secrets:write",
  "me.env.delete": "secrets:write",
  "me.preferences.get": "any",
  "me.preferences.update": "account",

  "apiKeys.list": "account",
  "apiKeys.get": "account",
  "apiKeys.create": "account",
  "apiKeys.revoke": "account",
  "oauthClients.list": "account",
  "oauthClients.create": "account",
  "oauthClients.revoke": "account",

  "events.list": "slots:read",
  "events.types": "any",
  "events.live": "slots:read",

  "webhooks.list": "webhooks",
  "webhooks.get": "webhooks",
  "webhooks.create": "webhooks",
  "webhooks.update": "webhooks",
  "webhooks.delete": "webhooks",
  "webhooks.deliveries": "webhooks",
  "webhooks.redeliver": "webhooks",
  "webhooks.test": "webhooks",

  "templates.list": "any",
  "plans.list": "any",

  "slots.list": "slots:read",
  "slots.get": "slots:read",
  "slots.events": "slots:read",
  "slots.metrics": "slots:read",
  "slots.metricsLive": "slots:read",
  "slots.create": "slots:write",
  "slots.update": "slots:write",
  "slots.delete": "slots:write",
  "slots.start": "slots:write",
  "slots.stop": "slots:write",
  "slots.restart": "slots:write",
  "slots.heartbeat": "slots:write",

  "slots.exec": "exec",
  "slots.execs.list": "exec",
  "slots.execs.get": "exec",
  "slots.execs.cancel": "exec",
  "slots.terminalTicket": "exec",

  "slots.files.list": "files:read",
  "slots.files.stat": "files:read",
  "slots.files.mkdir": "files:write",
  "slots.files.move": "files:write",
  "slots.files.delete": "files:write",

  "slots.env.list": "secrets:write",
  "slots.env.set": "secrets:write",
  "slots.env.delete": "secrets:write",
  "slots.credentials.providers": "any",
  "slots.credentials.list": "secrets:write",
  "slots.credentials.set": "secrets:write",
  "slots.credentials.delete": "secrets:write",
};

/** Routes outside the tRPC adapter (raw bytes and streams), by the name their handler passes. */
export const PLAIN_ROUTE_SCOPES = {
  "files.download": "files:read",
  "files.archive": "files:read",
  "files.upload": "files:write",
  "exec.stream": "exec",
  "slots.logs": "slots:read",
} as const satisfies Record<string, ProcedureScope>;

/** Every admin.* procedure needs the admin scope (on top of the owner being an administrator). */
export function scopeOf(path: string): ProcedureScope | undefined {
  if (path.startsWith("admin.")) return "admin";
  return PROCEDURE_SCOPES[path];
}

/** Throws FORBIDDEN, naming the missing scope, when the actor is a key that may not do this. */
export function assertScope(actor: Actor, needed: ProcedureScope | undefined, what: string): void {
  if (!actor.scopes) return; // not a key: the whole account
  if (needed === "any") return;
  if (needed === undefined || needed === "account") {
    throw new BerthError("FORBIDDEN", `API keys cannot be used for ${what}: sign in to the dashboard, or use a token from POST /api/v1/auth/token.`, { details: { credential: "api_key" } });
  }
  if (!actor.scopes.includes(needed)) {
    throw new BerthError("FORBIDDEN", `This API key lacks the ${needed} scope. Make a key with it under Settings → API keys.`, { details: { missingScope: needed } });
  }
}
