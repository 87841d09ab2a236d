// API keys: POST/GET /api-keys, DELETE /api-keys/{id}. Only the person manages keys (scopes.ts:
// "account"): a key can neither make nor see nor revoke keys.
import { z } from "zod";
import { ApiKey, ApiKeyCreateInput, ApiKeyIdInput, ApiKeyList, ApiKeyListInput, CreatedApiKey } from "@/lib/schemas/api-keys";
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from "@/server/services/api-keys/api-keys";
import { createTRPCRouter, protectedProcedure, serviceContext } from "../trpc";

const tags = ["api-keys"];

export const apiKeysRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/api-keys", tags, summary: "Your API keys, newest first: name, prefix, scopes, expiry and last use; never the key" } })
    .input(ApiKeyListInput)
    .output(ApiKeyList)
    .query(({ ctx, input }) => listApiKeys(serviceContext(ctx), input)),

  get: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/api-keys/{id}", tags, summary: "One of your API keys; never the key itself" } })
    .input(ApiKeyIdInput)
    .output(ApiKey)
    .query(({ ctx, input }) => getApiKey(serviceContext(ctx), input.id)),

  create: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/api-keys",
        tags,
        summary: "Make an API key (brt_…) acting as you, narrowed to its scopes. The key is in this answer only: store it now",
        successDescription: "201: the key, shown this once",
      },
    })
    .input(ApiKeyCreateInput)
    .output(CreatedApiKey)
    .mutation(async ({ ctx, input }) => {
      const created = await createApiKey(serviceContext(ctx), input);
      ctx.response.status = 201;
      ctx.response.headers.Location = `/api/v1/api-keys/${created.id}`;
      return created;
    }),

  revoke: protectedProcedure
    .meta({ openapi: { method: "DELETE", path: "/api-keys/{id}", tags, summary: "Revoke one of your keys: it stops working at once", successDescription: "204: revoked" } })
    .input(ApiKeyIdInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await revokeApiKey(serviceContext(ctx), input.id);
      ctx.response.status = 204;
    }),
});
