// The closed set of public error codes, mapped once to HTTP status, tRPC code and WebSocket close code.
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  CONFLICT: { status: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  QUOTA_EXCEEDED: { status: 403, trpc: "FORBIDDEN" },
  PAYMENT_REQUIRED: { status: 402, trpc: "PAYMENT_REQUIRED" },
  RATE_LIMITED: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  RUNTIME_UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const satisfies Record<string, { status: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeList = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/**
 * Makes `instanceof cls` hold for instances made by any copy of the class's module. server.ts
 * (through tsx) and the Next bundle each load their own copy of src/, and objects cross between
 * them through process-wide singletons (the runtime driver, the database): an error thrown by the
 * server's copy of the runtime and tested against the bundle's copy of its class failed `instanceof`,
 * so a "no such file" reached people as a 500. The test is a brand registered under Symbol.for
 * instead of the class's identity. For classes without subclasses.
 */
export function crossBundleClass(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`berth.class.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (value: unknown) => typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true,
  });
}

/** What a service throws when a request cannot be served; `message` is safe to show a person. */
export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  /** Seconds until retrying may succeed (RATE_LIMITED), sent as Retry-After. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, opts: { details?: Record<string, unknown>; retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "BerthError";
    this.code = code;
    this.details = opts.details;
    this.retryAfter = opts.retryAfter;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}
crossBundleClass(BerthError, "BerthError");

const TRPC_TO_BERTH: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  PARSE_ERROR: "VALIDATION_ERROR",
  BAD_REQUEST: "VALIDATION_ERROR",
  UNSUPPORTED_MEDIA_TYPE: "VALIDATION_ERROR",
  UNPROCESSABLE_CONTENT: "VALIDATION_ERROR",
  METHOD_NOT_SUPPORTED: "NOT_FOUND",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  PAYMENT_REQUIRED: "PAYMENT_REQUIRED",
  TOO_MANY_REQUESTS: "RATE_LIMITED",
  SERVICE_UNAVAILABLE: "RUNTIME_UNAVAILABLE",
};

/** Maps a tRPC error code (from tRPC itself, not from a BerthError) to the public code. */
export function berthCodeFromTrpc(code: TRPC_ERROR_CODE_KEY): ErrorCode {
  return TRPC_TO_BERTH[code] ?? "INTERNAL";
}

/** The closing code a WebSocket uses for an error (API.md: 4401, 4404, 4409). */
export function wsCloseCode(code: ErrorCode): number {
  switch (code) {
    case "UNAUTHORIZED":
      return 4401;
    case "FORBIDDEN":
    case "NOT_FOUND":
      return 4404;
    case "CONFLICT":
      return 4409;
    default:
      return 4000 + ERROR_CODES[code].status;
  }
}
