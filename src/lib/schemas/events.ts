// The event catalogue: every event Berth announces (the feed GET /events, the live subscription
// and webhooks), each with the zod schema of its `data`. Published in the OpenAPI document.
// A webhook body is the Standard Webhooks envelope { type, timestamp, data }.
import { z } from "zod";
import type { ApiKeyScope } from "./api-keys";
import { IsoDate } from "./common";

const SlotRef = z.object({ id: z.string(), name: z.string() });

export const EVENT_SCHEMAS = {
  "slot.created": z.object({ slot: SlotRef.extend({ templateId: z.string() }) }).describe("A slot was created (it is being provisioned)"),
  "slot.started": z.object({ slot: SlotRef }).describe("A slot is running"),
  "slot.stopped": z.object({ slot: SlotRef, reason: z.enum(["requested", "exited", "oom"]) }).describe("A slot stopped: asked to, its main process exited, or it ran out of memory"),
  "slot.idle_stopped": z.object({ slot: SlotRef, reason: z.enum(["idle", "max_uptime"]) }).describe("Auto-stop stopped a slot: idle too long, or its plan's maximum uptime"),
  "slot.deleted": z.object({ slot: SlotRef }).describe("A slot and its home were deleted"),
  "slot.error": z.object({ slot: SlotRef, action: z.string(), reason: z.string() }).describe("An action on a slot failed and left it in error"),
  "quota.exceeded": z
    .object({ limit: z.string().describe("Which limit, e.g. slots, running, files"), message: z.string() })
    .describe("A request was refused because it would pass a plan or account limit"),
  "command.finished": z
    .object({
      slot: SlotRef,
      command: z.object({ id: z.string(), status: z.string(), exitCode: z.number().int().nullable(), durationMs: z.number().int().nullable(), timedOut: z.boolean() }),
    })
    .describe("A command run through the exec API ended (exited, failed, timed out or cancelled)"),
  "file.uploaded": z.object({ slot: SlotRef, path: z.string(), size: z.number().int() }).describe("A file was uploaded into a slot's home"),
  "webhook.disabled": z
    .object({ webhook: z.object({ id: z.string(), url: z.string() }), reason: z.string() })
    .describe("A webhook endpoint was disabled after repeated failed deliveries (re-enable it once it answers)"),
  "webhook.test": z.object({ webhook: z.object({ id: z.string(), url: z.string() }) }).describe("Sent on request, to check an endpoint"),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;

/**
 * The scope an API key needs, besides slots:read (the feed's own) or webhooks (the endpoints'), to
 * see or subscribe to an event of this type: an event says as much as the route it comes from (a
 * file's path, a command's result, a webhook's URL).
 */
export function eventScope(type: EventType): ApiKeyScope {
  if (type.startsWith("file.")) return "files:read";
  if (type.startsWith("command.")) return "exec";
  if (type.startsWith("webhook.")) return "webhooks";
  return "slots:read";
}
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export const EventTypeValue = z.enum(EVENT_TYPES as [EventType, ...EventType[]], { error: `each event must be one of ${EVENT_TYPES.join(", ")}, or "*"` });

/** One event as the feed and webhooks show it. */
export const BerthEvent = z
  .object({
    id: z.string().describe("evt_…; also the webhook-id header of its deliveries"),
    type: EventTypeValue,
    timestamp: IsoDate,
    data: z.record(z.string(), z.unknown()).describe("The event's data: see the catalogue (GET /events/types) for each type's schema"),
  })
  .meta({ id: "Event" });
export type BerthEvent = z.infer<typeof BerthEvent>;

export const EventList = z.object({
  data: z.array(BerthEvent),
  nextCursor: z.string().nullable().describe("Pass as ?after= to get what came next; null when there is nothing newer yet (poll again with the last id)"),
});

export const EventListInput = z.object({
  after: z.string().max(64).optional().describe("An event id: answers the events after it, oldest first; absent: the most recent `limit` events"),
  limit: z.coerce.number({ error: "limit must be a number" }).int().min(1, "limit must be between 1 and 100").max(100, "limit must be between 1 and 100").default(50),
  types: z.string().max(1000).optional().describe("Comma-separated event types to keep"),
});
