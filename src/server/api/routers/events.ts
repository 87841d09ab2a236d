// The event feed: GET /events?after= (polling), GET /events/types (the catalogue), and the live
// subscription (SSE) for the dashboard and clients. Services: services/events/feed.ts.
import { tracked } from "@trpc/server";
import { Empty } from "@/lib/schemas/common";
import { EventLiveInput, EventTypeList } from "@/lib/schemas/event-feed";
import { EventList, EventListInput } from "@/lib/schemas/events";
import { eventCatalogue, listEvents, liveEvents } from "@/server/services/events/feed";
import { createTRPCRouter, protectedProcedure, serviceContext, whileSignedIn } from "../trpc";

const tags = ["events"];

export const eventsRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/events",
        tags,
        summary: "Your events, oldest first: the latest ones, or those after ?after=<event id> (poll with the last id you got)",
        description:
          "Events appear about a second after they happen (so that none is ever skipped by a poller). An `after` that is not the id of one of your events is a VALIDATION_ERROR. `types` keeps only the listed types (GET /events/types).",
      },
    })
    .input(EventListInput)
    .output(EventList)
    .query(({ ctx, input }) => listEvents(serviceContext(ctx), input)),

  types: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/events/types", tags, summary: "The event catalogue: every type, what it means, and the JSON Schema of its data" } })
    .input(Empty.optional())
    .output(EventTypeList)
    .query(() => eventCatalogue()),

  /**
   * The caller's new events as they happen (tRPC subscription over SSE). Each carries its id as the
   * SSE event id, so a reconnecting client resumes after the last one it got (`lastEventId`).
   */
  live: protectedProcedure.input(EventLiveInput).subscription(async function* ({ ctx, input, signal }) {
    for await (const event of liveEvents(serviceContext(ctx), input, whileSignedIn(ctx, signal))) yield tracked(event.id, event);
  }),
});
