// Admin: plans (quotas and prices).
import { z } from "zod";
import { AdminPlan, AdminPlanList, CatalogId, PlanCreateInput, PlanUpdateInput } from "@/lib/schemas/admin-catalog";
import { Empty } from "@/lib/schemas/common";
import { createPlan, deletePlan, getAdminPlan, listAdminPlans, updatePlan } from "@/server/services/admin/plans";
import { adminProcedure, createTRPCRouter, serviceContext } from "../../trpc";

const tags = ["admin"];

export const adminPlansRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/plans", tags, summary: "Every plan, with how many users are on it" } })
    .input(Empty.optional())
    .output(AdminPlanList)
    .query(() => listAdminPlans()),

  get: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/plans/{id}", tags, summary: "One plan" } })
    .input(CatalogId)
    .output(AdminPlan)
    .query(({ input }) => getAdminPlan(input.id)),

  create: adminProcedure
    .meta({ openapi: { method: "POST", path: "/admin/plans", tags, summary: "Create a plan", successDescription: "201: the plan" } })
    .input(PlanCreateInput)
    .output(AdminPlan)
    .mutation(async ({ ctx, input }) => {
      const plan = await createPlan(serviceContext(ctx), input);
      ctx.response.status = 201;
      ctx.response.headers.Location = `/api/v1/admin/plans/${plan.id}`;
      return plan;
    }),

  update: adminProcedure
    .meta({ openapi: { method: "PATCH", path: "/admin/plans/{id}", tags, summary: "Change a plan's limits or price, or make it the default (applies to new slots and starts)" } })
    .input(PlanUpdateInput)
    .output(AdminPlan)
    .mutation(({ ctx, input: { id, ...changes } }) => updatePlan(serviceContext(ctx), id, changes)),

  delete: adminProcedure
    .meta({ openapi: { method: "DELETE", path: "/admin/plans/{id}", tags, summary: "Delete a plan nobody is on (CONFLICT otherwise)", successDescription: "204: deleted" } })
    .input(CatalogId)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await deletePlan(serviceContext(ctx), input.id);
      ctx.response.status = 204;
    }),
});
