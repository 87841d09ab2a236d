// The authorization matrix rows of the secrets routes (spread into authorization-matrix.ts), and a
// valid, harmless input for each, used by authorization-matrix.int.test.ts.
import { randomBytes } from "node:crypto";
import { SIGNED_IN, WRITERS, type CallerKind, type MatrixEntry, type MatrixInput } from "./authorization-kinds";

// Reading names and masks is any owner's; setting or deleting a secret is a writer's (read-only
// accounts get FORBIDDEN). Another user's slot is NOT_FOUND (secrets.int.test.ts). Preferences are
// personal, like the profile: read-only accounts may change theirs.
export const SECRETS_MATRIX: Record<string, MatrixEntry> = {
  "slots.env.list": { allow: SIGNED_IN, rest: "GET /slots/{id}/env" },
  "slots.env.set": { allow: WRITERS, rest: "PUT /slots/{id}/env/{name}" },
  "slots.env.delete": { allow: WRITERS, rest: "DELETE /slots/{id}/env/{name}" },
  "slots.credentials.providers": { allow: SIGNED_IN, rest: "GET /credential-providers" },
  "slots.credentials.list": { allow: SIGNED_IN, rest: "GET /slots/{id}/credentials" },
  "slots.credentials.set": { allow: WRITERS, rest: "PUT /slots/{id}/credentials/{provider}" },
  "slots.credentials.delete": { allow: WRITERS, rest: "DELETE /slots/{id}/credentials/{provider}" },
  "me.env.list": { allow: SIGNED_IN, rest: "GET /me/env" },
  "me.env.set": { allow: WRITERS, rest: "PUT /me/env/{name}" },
  "me.env.delete": { allow: WRITERS, rest: "DELETE /me/env/{name}" },
  "me.preferences.get": { allow: SIGNED_IN, rest: "GET /me/preferences" },
  "me.preferences.update": { allow: SIGNED_IN, rest: "PATCH /me/preferences" },
};

const unique = () => randomBytes(4).toString("hex").toUpperCase();

export const SECRETS_INPUTS: Record<string, MatrixInput> = {
  "slots.env.list": () => ({ id: "slt_doesnotexist" }),
  "slots.env.set": () => ({ id: "slt_doesnotexist", name: "MATRIX_VAR", value: "matrix-value" }),
  "slots.env.delete": () => ({ id: "slt_doesnotexist", name: "MATRIX_VAR" }),
  "slots.credentials.providers": () => undefined,
  "slots.credentials.list": () => ({ id: "slt_doesnotexist" }),
  "slots.credentials.set": () => ({ id: "slt_doesnotexist", provider: "anthropic", value: `sk-ant-${"m".repeat(40)}` }),
  "slots.credentials.delete": () => ({ id: "slt_doesnotexist", provider: "anthropic" }),
  "me.env.list": () => undefined,
  // A fresh name each call: writes one harmless variable per allowed caller.
  "me.env.set": () => ({ name: `MATRIX_${unique()}`, value: "matrix-value" }),
  "me.env.delete": () => ({ name: "MATRIX_DOES_NOT_EXIST" }),
  "me.preferences.get": () => undefined,
  "me.preferences.update": () => ({ theme: "dark" }),
};

/** Plain route handlers (outside tRPC) of this area, with who may call them. */
export const SECRETS_PLAIN_ROUTES: Record<string, readonly CallerKind[]> = {};
