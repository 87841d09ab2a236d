// Parts of the OpenAPI document that are not tRPC procedures: the OAuth2 token endpoint (RFC 6749
// shapes, not API.md's) and the webhook events (OpenAPI 3.1's top-level `webhooks`: one entry per
// event type, with the schema of what Berth POSTs).
import { z } from "zod";
import { API_KEY_SCOPES } from "@/lib/schemas/api-keys";
import { EVENT_SCHEMAS, EVENT_TYPES } from "@/lib/schemas/events";

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return Object.fromEntries(Object.entries(z.toJSONSchema(schema, { unrepresentable: "any" })).filter(([key]) => key !== "$schema"));
}

const oauthError = {
  type: "object",
  properties: {
    error: { type: "string", enum: ["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"] },
    error_description: { type: "string" },
  },
  required: ["error", "error_description"],
};

export const OAUTH_TOKEN_PATH = {
  "/oauth/token": {
    post: {
      operationId: "oauth-token",
      summary: "OAuth2 client credentials (RFC 6749 §4.4): a client's id and secret for a 15-minute bearer token (bot_…) acting as its owner within the granted scopes",
      description:
        "Authenticate the client with HTTP Basic (client_id:client_secret) or client_id and client_secret in the body — one way, not both. Answers and errors follow RFC 6749 §5.1/§5.2 (not this API's usual error shape), with Cache-Control: no-store.",
      tags: ["api-keys"],
      requestBody: {
        required: true,
        content: Object.fromEntries(
          ["application/x-www-form-urlencoded", "application/json"].map((type) => [
            type,
            {
              schema: {
                type: "object",
                properties: {
                  grant_type: { type: "string", enum: ["client_credentials"] },
                  scope: { type: "string", description: `Space-separated, a subset of the client's scopes (${API_KEY_SCOPES.join(", ")}); absent: all of them` },
                  client_id: { type: "string" },
                  client_secret: { type: "string" },
                },
                required: ["grant_type"],
              },
            },
          ]),
        ),
      },
      responses: {
        "200": {
          description: "A token",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { access_token: { type: "string" }, token_type: { type: "string", enum: ["Bearer"] }, expires_in: { type: "integer" }, scope: { type: "string" } },
                required: ["access_token", "token_type", "expires_in", "scope"],
              },
            },
          },
        },
        "400": { description: "invalid_request, unsupported_grant_type or invalid_scope", content: { "application/json": { schema: oauthError } } },
        "401": { description: "invalid_client (WWW-Authenticate when Basic was used)", content: { "application/json": { schema: oauthError } } },
      },
    },
  },
};

/** OpenAPI 3.1 `webhooks`: what an endpoint receives for each event type. */
export function webhookEvents(): Record<string, unknown> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          summary: EVENT_SCHEMAS[type].description,
          description:
            "Signed per Standard Webhooks: headers webhook-id (the event id, the same on retries), webhook-timestamp (seconds) and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body> with the endpoint's whsec_ secret). Answer 2xx within 10 s.",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { type: { type: "string", const: type }, timestamp: { type: "string", format: "date-time" }, data: jsonSchema(EVENT_SCHEMAS[type]) },
                  required: ["type", "timestamp", "data"],
                },
              },
            },
          },
          responses: { "200": { description: "Received (any 2xx)" } },
        },
      },
    ]),
  );
}
