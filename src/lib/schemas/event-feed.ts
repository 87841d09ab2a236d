// The feed's own shapes, beside the catalogue (events.ts): GET /events/types and the live
// subscription's input.
import { z } from "zod";

export const EventTypeInfo = z
  .object({
    type: z.string().describe("The event type, e.g. slot.started"),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).describe("JSON Schema (draft 2020-12) of the event's `data`"),
  })
  .meta({ id: "EventTypeInfo" });

export const EventTypeList = z.object({ data: z.array(EventTypeInfo) });
export type EventTypeList = z.infer<typeof EventTypeList>;

export const EventLiveInput = z
  .object({
    lastEventId: z
      .string()
      .max(64)
      .nullish()
      .describe("Resume after this event id (the SSE client sends the last one it got when it reconnects); absent: from now"),
    types: z.string().max(1000).optional().describe("Comma-separated event types to keep"),
  })
  .optional();
export type EventLiveInput = z.infer<typeof EventLiveInput>;
