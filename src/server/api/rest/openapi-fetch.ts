// trpc-to-openapi's node handler, made once, behind a fetch Request/Response — what the library's
// createOpenApiFetchHandler does, without rebuilding the handler per request: that builds the
// procedure table each call, and outside production also generates the whole OpenAPI document to
// validate the router first (measured: 45 ms of CPU on every REST call in tests, 60 ms per call in
// all). The request side mirrors the library's: `url` without the endpoint prefix, `body` parsed.
import { TRPCError } from "@trpc/server";
import { createOpenApiNodeHttpHandler, type OpenApiRouter } from "trpc-to-openapi";
import { logger } from "@/server/logger";
import { appRouter } from "../root";
import type { Context } from "../trpc";

type NodeHandler = (req: unknown, res: unknown) => Promise<void>;

const contexts = new WeakMap<object, Context>();
let handler: NodeHandler | undefined;

function nodeHandler(): NodeHandler {
  handler ??= createOpenApiNodeHttpHandler({
    router: appRouter as OpenApiRouter,
    createContext: ({ req }: { req: object }) => Promise.resolve(contexts.get(req)!),
    // What a procedure set (201, Location, …) on success; errors keep the adapter's status.
    responseMeta: ({ ctx, errors }: { ctx?: Context; errors: unknown[] }) => (errors.length === 0 && ctx ? { status: ctx.response.status, headers: ctx.response.headers } : {}),
    onError: ({ error, path, ctx }: { error: { code: string; cause?: unknown }; path?: string; ctx?: Context }) => {
      // Errors inside a procedure are logged by the mapErrors middleware; these come from the adapter.
      if (error.code === "INTERNAL_SERVER_ERROR" && !path) logger().error({ err: error.cause ?? error, requestId: ctx?.meta.requestId }, "REST request failed");
    },
  } as unknown as Parameters<typeof createOpenApiNodeHttpHandler>[0]) as unknown as NodeHandler;
  return handler;
}

/** The body as the library's proxy gives it: parsed JSON or form, else the stream; a parse failure counts only if it is read. */
async function parsedBody(req: Request): Promise<{ ok: true; data: unknown } | { ok: false; cause: unknown }> {
  const type = req.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) return { ok: true, data: JSON.parse(await req.text()) as unknown };
    if (type.includes("application/x-www-form-urlencoded")) {
      const params = new URLSearchParams(await req.text());
      return { ok: true, data: Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k)])) };
    }
    return { ok: true, data: req.body };
  } catch (cause) {
    // e.g. a GET that says Content-Type: application/json and sends nothing: fine unless the body is used
    return { ok: false, cause };
  }
}

/** Runs the procedure a REST request names, with this context; answers as the library's fetch adapter does. */
export async function openApiFetch(req: Request, endpoint: string, context: Context): Promise<Response> {
  const url = req.url.replace(endpoint, "");
  const body = await parsedBody(req);
  const proxy = new Proxy(req, {
    get: (target, prop) => {
      if (prop === "url") return url;
      if (prop === "body") {
        if (!body.ok) throw new TRPCError({ code: "PARSE_ERROR", message: "Failed to parse request body", cause: body.cause });
        return body.data;
      }
      return (target as unknown as Record<string | symbol, unknown>)[prop];
    },
  });
  contexts.set(proxy, context);
  const headers = new Headers();
  return new Promise<Response>((resolve, reject) => {
    let statusCode = 200;
    const res = {
      setHeader: (key: string, value: string | string[]) => {
        if (typeof value === "string") headers.set(key, value);
        else for (const v of value) headers.append(key, v);
      },
      get statusCode() {
        return statusCode;
      },
      set statusCode(code: number) {
        statusCode = code;
      },
      end: (text?: string) => resolve(new Response(text, { headers, status: statusCode })),
    };
    nodeHandler()(proxy, res).catch(reject);
  });
}
