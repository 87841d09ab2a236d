// Webhook endpoints (URL, chosen events, signing secret shown once, enabled) and their delivery log.
import { z } from "zod";
import { IsoDate, PageQuery, pageOf } from "./common";
import { EVENT_TYPES, EventTypeValue } from "./events";

export const WEBHOOKS_PER_USER = 20;

const WebhookUrl = z
  .string({ error: "url is required" })
  .trim()
  .max(2048, "url must be at most 2048 characters")
  .refine((u) => URL.canParse(u), "url must be an absolute URL, e.g. https://example.com/hooks/berth")
  .refine((u) => !URL.canParse(u) || ["http:", "https:"].includes(new URL(u).protocol), "url must start with https:// (or http://)")
  .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), "url must not carry a user name or password; check the signature instead")
  .describe("Where deliveries are POSTed; private, loopback and link-local addresses are refused unless the server allows them");

const EventSelection = z
  .array(z.union([z.literal("*"), EventTypeValue]), { error: `events must be a list of event types (${EVENT_TYPES.join(", ")}) or ["*"]` })
  .min(1, "choose at least one event")
  .max(EVENT_TYPES.length + 1)
  .transform((e) => (e.includes("*") ? ["*"] : [...new Set(e)]))
  .describe('Event types to receive; ["*"] for all');

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().describe("Why Berth disabled it (repeated failures); null when enabled or disabled by you"),
    consecutiveFailures: z.number().int().describe("Deliveries in a row that failed for good"),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Webhook" });
export type Webhook = z.infer<typeof Webhook>;
export const WebhookList = pageOf(Webhook);

export const CreatedWebhook = Webhook.extend({
  secret: z.string().describe("whsec_…: verify each delivery's webhook-signature with it (Standard Webhooks). Shown only in this answer"),
}).meta({ id: "CreatedWebhook" });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const WebhookCreateInput = z
  .object({
    url: WebhookUrl,
    events: EventSelection,
    description: z.string().trim().max(200, "description must be at most 200 characters").default(""),
  })
  .strict();
export type WebhookCreateInput = z.infer<typeof WebhookCreateInput>;

export const WebhookIdInput = z.object({ id: z.string().min(1).max(64) });

export const WebhookUpdateInput = WebhookIdInput.extend({
  url: WebhookUrl.optional(),
  events: EventSelection.optional(),
  description: z.string().trim().max(200, "description must be at most 200 characters").optional(),
  enabled: z.boolean({ error: "enabled must be true or false" }).optional().describe("true re-enables an endpoint (its failure count starts again)"),
}).strict();
export type WebhookUpdateInput = z.infer<typeof WebhookUpdateInput>;

export const Delivery = z
  .object({
    id: z.string(),
    eventId: z.string().describe("Also the webhook-id header"),
    eventType: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable().describe("The last attempt's HTTP status; null when there was no answer"),
    responseMs: z.number().int().nullable(),
    error: z.string().nullable().describe("Why the last attempt failed"),
    nextAttemptAt: IsoDate.nullable().describe("When the next retry goes (pending only)"),
    lastAttemptAt: IsoDate.nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: "WebhookDelivery" });
export type Delivery = z.infer<typeof Delivery>;
export const DeliveryList = pageOf(Delivery);
export const DeliveryListInput = WebhookIdInput.extend(PageQuery.shape).extend({
  status: z.enum(["pending", "succeeded", "failed"], { error: "status must be pending, succeeded or failed" }).optional(),
});
export const RedeliverInput = WebhookIdInput.extend({ deliveryId: z.string().min(1).max(64) });
