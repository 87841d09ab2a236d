// Webhook endpoints and their delivery log: POST/GET /webhooks, GET/PATCH/DELETE /webhooks/{id},
// GET /webhooks/{id}/deliveries, POST /webhooks/{id}/deliveries/{deliveryId}/redeliver,
// POST /webhooks/{id}/test. Deliveries are signed per Standard Webhooks (see services/webhooks/deliver.ts).
import { z } from "zod";
import { PageQuery } from "@/lib/schemas/common";
import { CreatedWebhook, Delivery, DeliveryList, DeliveryListInput, RedeliverInput, Webhook, WebhookCreateInput, WebhookIdInput, WebhookList, WebhookUpdateInput } from "@/lib/schemas/webhooks";
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver, sendTest, updateWebhook } from "@/server/services/webhooks/webhooks";
import { createTRPCRouter, protectedProcedure, serviceContext, writerProcedure } from "../trpc";

const tags = ["webhooks"];

export const webhooksRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/webhooks", tags, summary: "Your webhook endpoints, newest first; never their secrets" } })
    .input(PageQuery)
    .output(WebhookList)
    .query(({ ctx, input }) => listWebhooks(serviceContext(ctx), input)),

  get: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/webhooks/{id}", tags, summary: "One webhook endpoint" } })
    .input(WebhookIdInput)
    .output(Webhook)
    .query(({ ctx, input }) => getWebhook(serviceContext(ctx), input.id)),

  create: writerProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/webhooks",
        tags,
        summary: "Add an endpoint for some events (or all: [\"*\"]). The signing secret (whsec_…) is in this answer only",
        successDescription: "201: the endpoint, with its secret shown this once",
      },
    })
    .input(WebhookCreateInput)
    .output(CreatedWebhook)
    .mutation(async ({ ctx, input }) => {
      const created = await createWebhook(serviceContext(ctx), input);
      ctx.response.status = 201;
      ctx.response.headers.Location = `/api/v1/webhooks/${created.id}`;
      return created;
    }),

  update: writerProcedure
    .meta({ openapi: { method: "PATCH", path: "/webhooks/{id}", tags, summary: "Change the URL, events or description; enabled: true re-enables an endpoint Berth disabled" } })
    .input(WebhookUpdateInput)
    .output(Webhook)
    .mutation(({ ctx, input }) => updateWebhook(serviceContext(ctx), input)),

  delete: writerProcedure
    .meta({ openapi: { method: "DELETE", path: "/webhooks/{id}", tags, summary: "Remove an endpoint and its delivery log", successDescription: "204: removed" } })
    .input(WebhookIdInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await deleteWebhook(serviceContext(ctx), input.id);
      ctx.response.status = 204;
    }),

  deliveries: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/webhooks/{id}/deliveries", tags, summary: "The delivery log, newest first: status, attempts, response code and time, next retry" } })
    .input(DeliveryListInput)
    .output(DeliveryList)
    .query(({ ctx, input }) => listDeliveries(serviceContext(ctx), input)),

  redeliver: writerProcedure
    .meta({ openapi: { method: "POST", path: "/webhooks/{id}/deliveries/{deliveryId}/redeliver", tags, summary: "Send a delivery's event again (a new delivery with the same webhook-id)", successDescription: "202: queued" } })
    .input(RedeliverInput)
    .output(Delivery)
    .mutation(async ({ ctx, input }) => {
      const d = await redeliver(serviceContext(ctx), input);
      ctx.response.status = 202;
      return d;
    }),

  test: writerProcedure
    .meta({ openapi: { method: "POST", path: "/webhooks/{id}/test", tags, summary: "Send a webhook.test event to this endpoint", successDescription: "202: queued" } })
    .input(WebhookIdInput)
    .output(Delivery)
    .mutation(async ({ ctx, input }) => {
      const d = await sendTest(serviceContext(ctx), input.id);
      ctx.response.status = 202;
      return d;
    }),
});
