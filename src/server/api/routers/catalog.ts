// What a slot can be made of.
import { Empty } from "@/lib/schemas/common";
import { PlanList, TemplateList } from "@/lib/schemas/slots";
import { listPlans, listTemplates } from "@/server/services/slots/catalog";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const templatesRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/templates", tags: ["catalog"], summary: "Templates a slot can be made from" } })
    .input(Empty.optional())
    .output(TemplateList)
    .query(() => listTemplates()),
});

export const plansRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/plans", tags: ["catalog"], summary: "Plans, their quotas and prices" } })
    .input(Empty.optional())
    .output(PlanList)
    .query(() => listPlans()),
});
