// Who may call what: every tRPC procedure, and the REST route it is exposed as. The test in
// authorization-matrix.int.test.ts calls every entry as every kind of caller, and fails when a
// procedure exists that this table does not list. Every new procedure adds its row here.
// Areas with many routes keep their rows (and the matrix test's inputs) in a file of their own,
// spread in here: authorization-matrix-files.ts, authorization-matrix-secrets.ts.
import { ADMIN, ANYONE, SIGNED_IN, WRITERS, type CallerKind, type MatrixEntry } from "./authorization-kinds";
import { FILES_MATRIX, FILES_PLAIN_ROUTES } from "./authorization-matrix-files";
import { SECRETS_MATRIX, SECRETS_PLAIN_ROUTES } from "./authorization-matrix-secrets";

export { CALLER_KINDS, type CallerKind, type MatrixEntry } from "./authorization-kinds";

export const AUTHORIZATION_MATRIX: Record<string, MatrixEntry> = {
  "auth.providers": { allow: ANYONE, rest: "GET /auth/providers" },
  "auth.register": { allow: ANYONE, rest: "POST /auth/register" },
  "auth.token": { allow: ANYONE, rest: "POST /auth/token" },
  "auth.refresh": { allow: ANYONE, rest: "POST /auth/refresh" },
  "auth.logout": { allow: SIGNED_IN, rest: "POST /auth/logout" },
  "me.get": { allow: SIGNED_IN, rest: "GET /me" },
  "me.update": { allow: SIGNED_IN, rest: "PATCH /me" },
  "me.changePassword": { allow: SIGNED_IN, rest: "POST /me/password" },
  // Keys are personal credentials, like a password: read-only accounts may hold (read-only) keys too.
  "apiKeys.list": { allow: SIGNED_IN, rest: "GET /api-keys" },
  "apiKeys.get": { allow: SIGNED_IN, rest: "GET /api-keys/{id}" },
  "apiKeys.create": { allow: SIGNED_IN, rest: "POST /api-keys" },
  "apiKeys.revoke": { allow: SIGNED_IN, rest: "DELETE /api-keys/{id}" },
  "oauthClients.list": { allow: SIGNED_IN, rest: "GET /oauth/clients" },
  "oauthClients.create": { allow: SIGNED_IN, rest: "POST /oauth/clients" },
  "oauthClients.revoke": { allow: SIGNED_IN, rest: "DELETE /oauth/clients/{id}" },
  // Webhooks: the owner's; changing them is writers' (webhooks.int.test.ts: another user's is NOT_FOUND).
  "webhooks.list": { allow: SIGNED_IN, rest: "GET /webhooks" },
  "webhooks.get": { allow: SIGNED_IN, rest: "GET /webhooks/{id}" },
  "webhooks.deliveries": { allow: SIGNED_IN, rest: "GET /webhooks/{id}/deliveries" },
  "webhooks.create": { allow: WRITERS, rest: "POST /webhooks" },
  "webhooks.update": { allow: WRITERS, rest: "PATCH /webhooks/{id}" },
  "webhooks.delete": { allow: WRITERS, rest: "DELETE /webhooks/{id}" },
  "webhooks.redeliver": { allow: WRITERS, rest: "POST /webhooks/{id}/deliveries/{deliveryId}/redeliver" },
  "webhooks.test": { allow: WRITERS, rest: "POST /webhooks/{id}/test" },
  // Events: the caller's own only (events.int.test.ts: another user's never appear); live is a tRPC subscription (SSE) only.
  "events.list": { allow: SIGNED_IN, rest: "GET /events" },
  "events.types": { allow: SIGNED_IN, rest: "GET /events/types" },
  "events.live": { allow: SIGNED_IN, rest: null },
  "templates.list": { allow: SIGNED_IN, rest: "GET /templates" },
  "plans.list": { allow: SIGNED_IN, rest: "GET /plans" },
  "slots.list": { allow: SIGNED_IN, rest: "GET /slots" },
  "slots.get": { allow: SIGNED_IN, rest: "GET /slots/{id}" },
  "slots.events": { allow: SIGNED_IN, rest: "GET /slots/{id}/events" },
  "slots.heartbeat": { allow: SIGNED_IN, rest: "POST /slots/{id}/heartbeat" },
  "slots.metrics": { allow: SIGNED_IN, rest: "GET /slots/{id}/metrics" },
  // A tRPC subscription (SSE) only: no REST route.
  "slots.metricsLive": { allow: SIGNED_IN, rest: null },
  // Read-only accounts may look but not change: FORBIDDEN for them.
  "slots.create": { allow: WRITERS, rest: "POST /slots" },
  "slots.update": { allow: WRITERS, rest: "PATCH /slots/{id}" },
  "slots.delete": { allow: WRITERS, rest: "DELETE /slots/{id}" },
  "slots.start": { allow: WRITERS, rest: "POST /slots/{id}/start" },
  "slots.stop": { allow: WRITERS, rest: "POST /slots/{id}/stop" },
  "slots.restart": { allow: WRITERS, rest: "POST /slots/{id}/restart" },
  "slots.terminalTicket": { allow: WRITERS, rest: "POST /slots/{id}/terminal/tickets" },
  // Commands: history is readable by any owner; running and cancelling are writers' (exec.int.test.ts).
  "slots.exec": { allow: WRITERS, rest: "POST /slots/{id}/exec" },
  "slots.execs.list": { allow: SIGNED_IN, rest: "GET /slots/{id}/execs" },
  "slots.execs.get": { allow: SIGNED_IN, rest: "GET /slots/{id}/execs/{execId}" },
  "slots.execs.cancel": { allow: WRITERS, rest: "POST /slots/{id}/execs/{execId}/cancel" },
  "admin.users.list": { allow: ADMIN, rest: "GET /admin/users" },
  "admin.users.get": { allow: ADMIN, rest: "GET /admin/users/{id}" },
  "admin.users.update": { allow: ADMIN, rest: "PATCH /admin/users/{id}" },
  "admin.invites.list": { allow: ADMIN, rest: "GET /admin/invites" },
  "admin.invites.create": { allow: ADMIN, rest: "POST /admin/invites" },
  "admin.invites.revoke": { allow: ADMIN, rest: "DELETE /admin/invites/{id}" },
  "admin.audit.list": { allow: ADMIN, rest: "GET /admin/audit" },
  "admin.templates.list": { allow: ADMIN, rest: "GET /admin/templates" },
  "admin.templates.get": { allow: ADMIN, rest: "GET /admin/templates/{id}" },
  "admin.templates.create": { allow: ADMIN, rest: "POST /admin/templates" },
  "admin.templates.update": { allow: ADMIN, rest: "PATCH /admin/templates/{id}" },
  "admin.templates.delete": { allow: ADMIN, rest: "DELETE /admin/templates/{id}" },
  "admin.plans.list": { allow: ADMIN, rest: "GET /admin/plans" },
  "admin.plans.get": { allow: ADMIN, rest: "GET /admin/plans/{id}" },
  "admin.plans.create": { allow: ADMIN, rest: "POST /admin/plans" },
  "admin.plans.update": { allow: ADMIN, rest: "PATCH /admin/plans/{id}" },
  "admin.plans.delete": { allow: ADMIN, rest: "DELETE /admin/plans/{id}" },
  "admin.slots.list": { allow: ADMIN, rest: "GET /admin/slots" },
  "admin.slots.get": { allow: ADMIN, rest: "GET /admin/slots/{id}" },
  "admin.slots.stop": { allow: ADMIN, rest: "POST /admin/slots/{id}/stop" },
  "admin.slots.delete": { allow: ADMIN, rest: "DELETE /admin/slots/{id}" },
  ...FILES_MATRIX,
  ...SECRETS_MATRIX,
};

/** Plain route handlers outside the tRPC router, with who may call them. */
export const PLAIN_ROUTES: Record<string, readonly CallerKind[]> = {
  "GET /api/health": ANYONE,
  "GET /api/v1/openapi.json": ANYONE,
  // OAuth2 client credentials: the client authenticates itself (oauth-clients.int.test.ts).
  "POST /api/v1/oauth/token": ANYONE,
  // The owner only; another user's slot is NOT_FOUND (tested in slots.int.test.ts).
  "GET /api/v1/slots/{id}/logs": SIGNED_IN,
  // NDJSON output of one command: writers only, owner only (exec.int.test.ts).
  "POST /api/v1/slots/{id}/exec/stream": WRITERS,
  ...FILES_PLAIN_ROUTES,
  ...SECRETS_PLAIN_ROUTES,
};
