import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toPublicError } from "./api/trpc";
import { BerthError, berthCodeFromTrpc, ERROR_CODES, wsCloseCode } from "./errors";

describe("error mapping", () => {
  it("gives every public code the status of API.md", () => {
    expect(Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.status]))).toEqual({
      VALIDATION_ERROR: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PAYLOAD_TOO_LARGE: 413,
      QUOTA_EXCEEDED: 403,
      PAYMENT_REQUIRED: 402,
      RATE_LIMITED: 429,
      RUNTIME_UNAVAILABLE: 503,
      INTERNAL: 500,
    });
  });

  it("keeps a BerthError's code, message, details and retry time", () => {
    const cause = new BerthError("RATE_LIMITED", "Slow down.", { retryAfter: 9, details: { a: 1 } });
    expect(toPublicError(new TRPCError({ code: "TOO_MANY_REQUESTS", cause }), "req_1")).toEqual({ code: "RATE_LIMITED", message: "Slow down.", details: { a: 1 }, retryAfter: 9 });
  });

  it("turns zod issues into field errors", () => {
    const parsed = z.object({ email: z.email("Enter a valid email address") }).safeParse({ email: "x" });
    const pub = toPublicError(new TRPCError({ code: "BAD_REQUEST", cause: parsed.error }), "req_1");
    expect(pub.code).toBe("VALIDATION_ERROR");
    expect(pub.details).toEqual({ fields: { email: ["Enter a valid email address"] } });
  });

  it("never shows the message of an unexpected error", () => {
    const pub = toPublicError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "relation users does not exist at /srv/x.ts", cause: new Error("SQL") }), "req_42");
    expect(pub.code).toBe("INTERNAL");
    expect(pub.message).not.toMatch(/relation|srv|SQL/);
    expect(pub.message).toContain("req_42");
  });

  it("maps tRPC's own codes and WebSocket close codes", () => {
    expect(berthCodeFromTrpc("PARSE_ERROR")).toBe("VALIDATION_ERROR");
    expect(berthCodeFromTrpc("TOO_MANY_REQUESTS")).toBe("RATE_LIMITED");
    expect(berthCodeFromTrpc("TIMEOUT")).toBe("INTERNAL");
    expect([wsCloseCode("UNAUTHORIZED"), wsCloseCode("NOT_FOUND"), wsCloseCode("CONFLICT")]).toEqual([4401, 4404, 4409]);
  });
});

describe("errors across copies of a module", () => {
  it("instanceof holds for an error made by another copy of its class (server.ts vs the Next bundle)", async () => {
    const { vi } = await import("vitest");
    vi.resetModules();
    const other = await import("./errors");
    const otherRuntime = await import("./runtime/types");
    vi.resetModules();
    const { SlotFileError, RuntimeOperationError, RuntimeUnavailableError } = await import("./runtime/types");
    // Two copies indeed: distinct classes.
    expect(other.BerthError).not.toBe(BerthError);
    expect(otherRuntime.SlotFileError).not.toBe(SlotFileError);
    expect(new other.BerthError("NOT_FOUND", "x")).toBeInstanceOf(BerthError);
    expect(new otherRuntime.SlotFileError("NOT_FOUND", "x")).toBeInstanceOf(SlotFileError);
    expect(new otherRuntime.RuntimeOperationError("x", { status: 409 })).toBeInstanceOf(RuntimeOperationError);
    expect(new otherRuntime.RuntimeUnavailableError("x")).toBeInstanceOf(RuntimeUnavailableError);
    // And still only for their own kind.
    expect(new otherRuntime.SlotFileError("NOT_FOUND", "x")).not.toBeInstanceOf(RuntimeOperationError);
    expect(new Error("plain")).not.toBeInstanceOf(BerthError);
    expect(null).not.toBeInstanceOf(BerthError);
  });
});
