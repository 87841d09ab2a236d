// The kinds of caller the authorization matrix tells apart, and the usual groups of them.
export const CALLER_KINDS = ["anonymous", "readonly", "user", "admin"] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

export const ANYONE: readonly CallerKind[] = CALLER_KINDS;
export const SIGNED_IN: readonly CallerKind[] = ["readonly", "user", "admin"];
export const WRITERS: readonly CallerKind[] = ["user", "admin"];
export const ADMIN: readonly CallerKind[] = ["admin"];

export type MatrixEntry = { allow: readonly CallerKind[]; rest: string | null };
/** A valid, harmless input for a procedure (objects that do not exist, fresh names). */
export type MatrixInput = () => unknown;
