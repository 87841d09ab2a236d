// The authorization matrix rows of the files routes (spread into authorization-matrix.ts), and a
// valid, harmless input for each, used by authorization-matrix.int.test.ts.
import { SIGNED_IN, WRITERS, type CallerKind, type MatrixEntry, type MatrixInput } from "./authorization-kinds";

// Reading is for any owner (read-only accounts included); changing is writers' (FORBIDDEN otherwise).
// Another user's slot is NOT_FOUND (files.int.test.ts).
export const FILES_MATRIX: Record<string, MatrixEntry> = {
  "slots.files.list": { allow: SIGNED_IN, rest: "GET /slots/{id}/files" },
  "slots.files.stat": { allow: SIGNED_IN, rest: "GET /slots/{id}/files/stat" },
  "slots.files.mkdir": { allow: WRITERS, rest: "POST /slots/{id}/files/mkdir" },
  "slots.files.move": { allow: WRITERS, rest: "POST /slots/{id}/files/move" },
  "slots.files.delete": { allow: WRITERS, rest: "DELETE /slots/{id}/files" },
};

export const FILES_INPUTS: Record<string, MatrixInput> = {
  "slots.files.list": () => ({ id: "slt_doesnotexist", path: "/" }),
  "slots.files.stat": () => ({ id: "slt_doesnotexist", path: "/a.txt" }),
  "slots.files.mkdir": () => ({ id: "slt_doesnotexist", path: "/new" }),
  "slots.files.move": () => ({ id: "slt_doesnotexist", from: "/a", to: "/b" }),
  "slots.files.delete": () => ({ id: "slt_doesnotexist", path: "/a" }),
};

/** Plain route handlers (outside tRPC) of this area, with who may call them. */
export const FILES_PLAIN_ROUTES: Record<string, readonly CallerKind[]> = {
  // Raw bytes (Range), owner only; uploads are writers' (files.int.test.ts).
  "GET /api/v1/slots/{id}/files/content": SIGNED_IN,
  "HEAD /api/v1/slots/{id}/files/content": SIGNED_IN,
  "PUT /api/v1/slots/{id}/files/content": WRITERS,
  "GET /api/v1/slots/{id}/files/archive": SIGNED_IN,
};
