// The OpenAPI 3.1 document of /api/v1, generated from the procedures' zod schemas and meta.
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import { ErrorBody } from "@/lib/schemas/common";
import { ExecInput } from "@/lib/schemas/exec";
import { ERROR_CODES } from "@/server/errors";
import { OAUTH_TOKEN_PATH, webhookEvents } from "./openapi-extra";
import { appRouter } from "./root";
import { REST_BASE } from "./rest/handler";

const STATUS_TEXT: Record<number, string> = {
  400: "VALIDATION_ERROR: the input is not acceptable (details.fields says which)",
  401: "UNAUTHORIZED: no valid session, access token or API key",
  403: "FORBIDDEN or QUOTA_EXCEEDED",
  404: "NOT_FOUND (also for another user's object)",
  409: "CONFLICT: the object is in the wrong state for this",
  413: "PAYLOAD_TOO_LARGE",
  429: "RATE_LIMITED: this minute's budget is used up; retry after Retry-After seconds",
  500: "INTERNAL: quote the requestId",
};

const RATE_LIMIT_HEADERS = {
  "RateLimit-Limit": { description: "Calls allowed in this minute's window (your plan's requestsPerMinute when signed in)", schema: { type: "integer" } },
  "RateLimit-Remaining": { description: "Calls left in this window", schema: { type: "integer", minimum: 0 } },
  "RateLimit-Reset": { description: "Seconds until the window ends and the budget is whole again", schema: { type: "integer", minimum: 1 } },
};

let cached: OpenAPIObject | undefined;

/** A request body's JSON schema, embedded in the document (so without its own $schema). */
function bodySchema(schema: z.ZodType): Record<string, unknown> {
  return Object.fromEntries(Object.entries(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" })).filter(([key]) => key !== "$schema"));
}

export function openApiDocument(baseUrl: string): OpenAPIObject {
  if (!cached) {
    const doc = generateOpenApiDocument(appRouter, {
      title: "Berth API",
      version: "1.0.0",
      description:
        "The public REST API of Berth. Authenticate with the header Authorization: Bearer <token>, where the token is an access token from POST /auth/token or an API key. Errors always have the shape { error: { code, message, details, requestId } }, and every response carries X-Request-Id. Calls are rate limited per minute: signed in, by your plan's requestsPerMinute (all your tokens and keys together); anonymous, per IP; sign-up, token and refresh more strictly per IP. Every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset; past the limit, 429 RATE_LIMITED with Retry-After. Lists take ?limit= (1–100) and ?cursor= and return { data, nextCursor }.",
      baseUrl: REST_BASE,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Access token (bat_…), API key (brt_…) or OAuth2 client-credentials token (bot_… from POST /oauth/token)" } },
    });
    const errorRef = { $ref: "#/components/schemas/Error" };
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const op of Object.values(item as Record<string, { responses?: Record<string, unknown>; security?: unknown[]; requestBody?: unknown; parameters?: unknown[] }>)) {
        if (!op || typeof op !== "object" || !("responses" in op)) continue;
        const responses: Record<string, unknown> = {};
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          if (Number(status) < 400 && status !== "default") responses[status] = response;
        }
        const secured = Boolean(op.security && op.security.length);
        const takesInput = Boolean(op.requestBody || op.parameters?.length);
        const statuses = [...(takesInput ? [400] : []), ...(secured ? [401, 403] : []), ...(path.includes("{") ? [404] : []), 500];
        for (const status of statuses) {
          responses[String(status)] = { description: STATUS_TEXT[status] ?? "Error", content: { "application/json": { schema: errorRef } } };
        }
        op.responses = responses;
      }
    }
    // Raw streams and bytes are plain route handlers; they are documented here by hand.
    const errors = (...statuses: (number | [number, string])[]) =>
      Object.fromEntries(
        statuses.map((s) => {
          const [status, text] = Array.isArray(s) ? s : [s, STATUS_TEXT[s] ?? "Error"];
          return [String(status), { description: text, content: { "application/json": { schema: errorRef } } }];
        }),
      );
    const slotId = { name: "id", in: "path", required: true, schema: { type: "string" } };
    const filePath = { name: "path", in: "query", required: true, schema: { type: "string" }, description: 'A path in the slot\'s home: "/" is the home itself, "/src/app.py" a file in it' };
    doc.paths = {
      ...doc.paths,
      "/slots/{id}/logs": {
        get: {
          operationId: "slots-logs",
          summary: "The slot's container output (stdout and stderr); with follow=true the response stays open and streams",
          tags: ["slots"],
          security: [{ bearer: [] }],
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            { name: "tail", in: "query", required: false, schema: { type: "integer", minimum: 0, maximum: 10000, default: 200 }, description: "Lines from the end" },
            { name: "follow", in: "query", required: false, schema: { type: "boolean", default: false }, description: "Keep streaming new output" },
          ],
          responses: {
            "200": { description: "Text, one line per output line", content: { "text/plain": { schema: { type: "string" } } } },
            "400": { description: STATUS_TEXT[400]!, content: { "application/json": { schema: errorRef } } },
            "401": { description: STATUS_TEXT[401]!, content: { "application/json": { schema: errorRef } } },
            "404": { description: STATUS_TEXT[404]!, content: { "application/json": { schema: errorRef } } },
            "409": { description: STATUS_TEXT[409]!, content: { "application/json": { schema: errorRef } } },
            "503": { description: "RUNTIME_UNAVAILABLE", content: { "application/json": { schema: errorRef } } },
          },
        },
      },
      "/slots/{id}/exec/stream": {
        post: {
          operationId: "slots-exec-stream",
          summary: "Run a command in a running slot and stream its output as NDJSON; closing the response cancels the command",
          description:
            'Takes the body of POST /slots/{id}/exec (without async). Answers 200 at once, then one JSON object per line: {"type":"stdout","data":"…"} and {"type":"stderr","data":"…"} as output arrives (UTF-8 text, every byte, not capped), and last {"type":"exit","id":"…","exitCode":0,"timedOut":false,"status":"exited","durationMs":12,"truncated":false}. The command is recorded like any other (X-Berth-Exec-Id header, GET /slots/{id}/execs/{execId}).',
          tags: ["exec"],
          security: [{ bearer: [] }],
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: bodySchema(ExecInput.omit({ id: true, async: true })) } } },
          responses: {
            "200": {
              description: "NDJSON lines: stdout, stderr, then exit",
              headers: { "X-Berth-Exec-Id": { description: "The command's id in the history", schema: { type: "string" } } },
              content: { "application/x-ndjson": { schema: { type: "string" } } },
            },
            "400": { description: STATUS_TEXT[400]!, content: { "application/json": { schema: errorRef } } },
            "401": { description: STATUS_TEXT[401]!, content: { "application/json": { schema: errorRef } } },
            "403": { description: STATUS_TEXT[403]!, content: { "application/json": { schema: errorRef } } },
            "404": { description: STATUS_TEXT[404]!, content: { "application/json": { schema: errorRef } } },
            "409": { description: "CONFLICT: the slot is not running", content: { "application/json": { schema: errorRef } } },
            "413": { description: STATUS_TEXT[413]!, content: { "application/json": { schema: errorRef } } },
            "503": { description: "RUNTIME_UNAVAILABLE", content: { "application/json": { schema: errorRef } } },
          },
        },
      },
      "/slots/{id}/files/content": {
        get: {
          operationId: "slots-files-download",
          summary: "A file's bytes, streamed; Range gives 206 with part of it (416 outside the file). Running or stopped slot",
          tags: ["files"],
          security: [{ bearer: [] }],
          parameters: [slotId, filePath, { name: "Range", in: "header", required: false, schema: { type: "string" }, description: "bytes=start-end (one range)" }],
          responses: {
            "200": { description: "The file (attachment; Content-Length, Content-Type)", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
            "206": { description: "The requested range (Content-Range)", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
            ...errors(400, 401, 403, 404, [409, "CONFLICT: a folder, or the slot is being made or deleted"], [416, "The range is outside the file"], [503, "RUNTIME_UNAVAILABLE"]),
          },
        },
        put: {
          operationId: "slots-files-upload",
          summary: "Write a file from the raw body (streamed; Content-Length required), making parent folders; all or nothing",
          tags: ["files"],
          security: [{ bearer: [] }],
          parameters: [slotId, filePath],
          requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          responses: {
            "201": { description: "Written", content: { "application/json": { schema: { type: "object", properties: { path: { type: "string" }, size: { type: "integer" } }, required: ["path", "size"] } } } },
            ...errors(400, 401, [403, "FORBIDDEN, or QUOTA_EXCEEDED: your files across all slots would pass the plan's quota"], 404, 409, [411, "No Content-Length"], [413, "PAYLOAD_TOO_LARGE: over the plan's per-file limit"], [503, "RUNTIME_UNAVAILABLE"]),
          },
        },
      },
      "/slots/{id}/files/archive": {
        get: {
          operationId: "slots-files-archive",
          summary: "A folder as a streamed tar or tar.gz of its contents (links stored as links, never followed)",
          tags: ["files"],
          security: [{ bearer: [] }],
          parameters: [slotId, { ...filePath, description: "The folder" }, { name: "format", in: "query", required: false, schema: { type: "string", enum: ["tar.gz", "tar"], default: "tar.gz" } }],
          responses: {
            "200": { description: "The archive (attachment)", content: { "application/gzip": { schema: { type: "string", format: "binary" } }, "application/x-tar": { schema: { type: "string", format: "binary" } } } },
            ...errors(400, 401, 404, [409, "CONFLICT: not a folder, or the slot is being made or deleted"], [503, "RUNTIME_UNAVAILABLE"]),
          },
        },
      },
      ...OAUTH_TOKEN_PATH,
    } as typeof doc.paths;
    // OpenAPI 3.1's top-level webhooks: what an endpoint receives for each event type.
    (doc as { webhooks?: unknown }).webhooks = webhookEvents();
    // Every route is rate limited (server/rate-limit): 429 on each, and the RateLimit-* headers on
    // every answer, success or error; Retry-After on the 429.
    const rateHeaders = Object.fromEntries(Object.keys(RATE_LIMIT_HEADERS).map((h) => [h, { $ref: `#/components/headers/${h}` }]));
    for (const item of Object.values(doc.paths ?? {})) {
      for (const op of Object.values(item as Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>)) {
        if (!op || typeof op !== "object" || !op.responses) continue;
        op.responses["429"] = {
          description: STATUS_TEXT[429]!,
          headers: { "Retry-After": { $ref: "#/components/headers/Retry-After" } },
          content: { "application/json": { schema: errorRef } },
        } as never;
        for (const response of Object.values(op.responses)) response.headers = { ...response.headers, ...rateHeaders };
      }
    }
    doc.components = {
      ...doc.components,
      schemas: { ...doc.components?.schemas, Error: z.toJSONSchema(ErrorBody, { target: "openapi-3.0" }) as never },
      headers: { ...RATE_LIMIT_HEADERS, "Retry-After": { description: "Seconds until the rate limit allows calls again", schema: { type: "integer", minimum: 1 } } } as never,
    };
    doc["x-error-codes"] = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, v]) => [code, v.status]));
    cached = doc;
  }
  return { ...cached, servers: [{ url: `${baseUrl}${REST_BASE}` }] };
}
