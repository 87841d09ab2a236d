// OAuth2 machine clients: POST/GET /oauth/clients, DELETE /oauth/clients/{id}. The token endpoint
// itself (POST /oauth/token) is a plain route: it speaks RFC 6749's form encoding and error shape.
import { z } from "zod";
import { ApiKeyIdInput, CreatedOAuthClient, OAuthClientCreateInput, OAuthClientList } from "@/lib/schemas/api-keys";
import { PageQuery } from "@/lib/schemas/common";
import { createOAuthClient, listOAuthClients, revokeOAuthClient } from "@/server/services/oauth/oauth-clients";
import { createTRPCRouter, protectedProcedure, serviceContext } from "../trpc";

const tags = ["api-keys"];

export const oauthClientsRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/oauth/clients", tags, summary: "Your OAuth2 clients (client credentials), newest first; never the secret" } })
    .input(PageQuery)
    .output(OAuthClientList)
    .query(({ ctx, input }) => listOAuthClients(serviceContext(ctx), input)),

  create: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/oauth/clients",
        tags,
        summary: "Make an OAuth2 client: trade its id and secret at POST /oauth/token (grant_type=client_credentials) for short-lived tokens. The secret is in this answer only",
        successDescription: "201: the client, with its secret shown this once",
      },
    })
    .input(OAuthClientCreateInput)
    .output(CreatedOAuthClient)
    .mutation(async ({ ctx, input }) => {
      const created = await createOAuthClient(serviceContext(ctx), input);
      ctx.response.status = 201;
      return created;
    }),

  revoke: protectedProcedure
    .meta({ openapi: { method: "DELETE", path: "/oauth/clients/{id}", tags, summary: "Revoke a client and every token it holds", successDescription: "204: revoked" } })
    .input(ApiKeyIdInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await revokeOAuthClient(serviceContext(ctx), input.id);
      ctx.response.status = 204;
    }),
});
