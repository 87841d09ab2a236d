// tRPC: context → init (errors mapped once to the public codes) → reusable procedures.
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { ZodError } from "zod";
import { resolveCaller, type Credential } from "@/server/auth/resolve-caller";
import { BerthError, berthCodeFromTrpc, ERROR_CODES, type ErrorCode } from "@/server/errors";
import { logger } from "@/server/logger";
import { rateLimitedError, type RateLimitOutcome } from "@/server/rate-limit/rate-limit";
import { requestMetaFrom } from "@/server/request-meta";
import { validationError } from "./rest/error-response";
import { assertScope, scopeOf } from "./scopes";
import type { Actor, RequestMeta, ServiceContext } from "@/server/services/context";

export type Context = {
  actor: Actor | null;
  credential: Credential;
  /** A bearer token was sent but is not valid: protected procedures answer UNAUTHORIZED with a clear reason. */
  invalidBearer: boolean;
  meta: RequestMeta;
  /** What a procedure wants the HTTP response to carry (status 201, Location, …). */
  response: { status?: number; headers: Record<string, string> };
  /** Aborts when the HTTP client goes away (only for contexts made from a request). */
  signal?: AbortSignal;
  /**
   * This HTTP request's rate-limit count (server/rate-limit), when the transport counted it: the
   * tRPC route does, and its procedures then answer RATE_LIMITED when it is used up. The REST
   * adapter answers 429 itself before any procedure runs. In-process callers are not counted.
   */
  rateLimit?: RateLimitOutcome | null;
  /** Whether the request's credential still signs in the same person (a request context only). */
  stillSignedIn?: () => Promise<boolean>;
};

/** The request-free part: tests, jobs and the WebSocket server build callers from this. */
export function createInnerContext(opts: { actor?: Actor | null; credential?: Credential; meta?: Partial<RequestMeta>; invalidBearer?: boolean } = {}): Context {
  return {
    actor: opts.actor ?? null,
    credential: opts.credential ?? { kind: "anonymous" },
    invalidBearer: opts.invalidBearer ?? false,
    meta: { ip: null, requestId: "internal", userAgent: null, ...opts.meta },
    response: { headers: {} },
  };
}

export async function createContextFromRequest(req: Pick<Request, "headers" | "signal">): Promise<Context> {
  const caller = await resolveCaller(req.headers);
  const stillSignedIn = async () => caller.actor !== null && (await resolveCaller(req.headers)).actor?.id === caller.actor.id;
  return { ...createInnerContext(caller), meta: requestMetaFrom(req.headers), signal: req.signal, stillSignedIn };
}

/** How often a live stream checks that its caller may still see it (tests shorten it). */
export const streamRecheck = { ms: 15_000 };

/**
 * A signal for a subscription's work: it aborts with the stream, or once the credential that
 * opened it stops working (a revoked key or session, a suspended account, an expired token), so a
 * stream never outlives the access it was opened with by more than streamRecheck.ms.
 */
export function whileSignedIn(ctx: Context, signal: AbortSignal | undefined, everyMs = streamRecheck.ms): AbortSignal {
  const controller = new AbortController();
  const stop = () => {
    clearInterval(timer);
    controller.abort();
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  const timer = setInterval(() => {
    void (ctx.stillSignedIn?.() ?? Promise.resolve(true)).then(
      (ok) => {
        if (!ok) {
          logger().info({ userId: ctx.actor?.id, requestId: ctx.meta.requestId }, "live stream ended: its credential no longer signs in");
          stop();
        }
      },
      (err: unknown) => logger().warn({ err }, "live stream: could not re-check the caller"),
    );
  }, everyMs);
  timer.unref();
  return controller.signal;
}

export function serviceContext(ctx: Context): ServiceContext {
  return { actor: ctx.actor, meta: ctx.meta };
}


export type PublicError = { code: ErrorCode; message: string; details?: Record<string, unknown>; retryAfter?: number };

/** The one mapping from anything thrown to what a caller may see. */
export function toPublicError(error: TRPCError, requestId: string): PublicError {
  const cause = error.cause;
  if (cause instanceof BerthError) return { code: cause.code, message: cause.message, details: cause.details, retryAfter: cause.retryAfter };
  if (cause instanceof ZodError && error.code === "BAD_REQUEST") return { code: "VALIDATION_ERROR", ...validationError(cause) };
  const code = berthCodeFromTrpc(error.code);
  if (code === "INTERNAL") {
    return { code, message: `Something went wrong on our side. Quote request id ${requestId} when reporting it.` };
  }
  return { code, message: error.message };
}

const t = initTRPC.context<Context>().meta<OpenApiMeta>().create({
  errorFormatter({ shape, error, ctx }) {
    const requestId = ctx?.meta.requestId ?? "unknown";
    const pub = toPublicError(error, requestId);
    return {
      message: pub.message,
      code: shape.code,
      data: {
        code: pub.code,
        // trpc-to-openapi overwrites the top-level message of validation errors; keep ours here.
        message: pub.message,
        httpStatus: ERROR_CODES[pub.code].status,
        details: pub.details ?? null,
        retryAfter: pub.retryAfter ?? null,
        requestId,
        path: shape.data.path,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns a BerthError thrown by a service into the tRPC error whose HTTP status matches its code. */
const mapErrors = t.middleware(async ({ next, ctx, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof BerthError) {
      throw new TRPCError({ code: ERROR_CODES[cause.code].trpc, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      logger().error({ err: cause ?? result.error, path, requestId: ctx.meta.requestId }, "unhandled error in procedure");
    }
  }
  return result;
});

/** A request whose rate-limit budget is used up runs no procedure (the tRPC route counts it; see Context.rateLimit). */
const enforceRateLimit = t.middleware(({ ctx, next }) => {
  if (ctx.rateLimit?.limited) throw rateLimitedError(ctx.rateLimit);
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(enforceRateLimit);

/** Signed in, and — when the credential is an API key — carrying the scope this procedure needs (scopes.ts). */
export const protectedProcedure = publicProcedure.use(({ ctx, next, path }) => {
  if (!ctx.actor) {
    throw new BerthError(
      "UNAUTHORIZED",
      ctx.invalidBearer
        ? "The bearer token or API key is invalid, expired or revoked. Get a new token from POST /api/v1/auth/token, or use an active key."
        : "Sign in, or send Authorization: Bearer <token>.",
    );
  }
  assertScope(ctx.actor, scopeOf(path), path);
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== "admin") throw new BerthError("FORBIDDEN", "Only administrators may do this.");
  return next();
});

/** Signed in and allowed to change things: read-only accounts get FORBIDDEN before any input is read. */
export const writerProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role === "readonly") throw new BerthError("FORBIDDEN", "Read-only accounts can look but not change anything.");
  return next();
});
