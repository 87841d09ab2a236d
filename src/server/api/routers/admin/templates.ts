// Admin: templates (what slots are made from).
import { z } from "zod";
import { AdminTemplate, AdminTemplateList, CatalogId, TemplateCreateInput, TemplateUpdateInput } from "@/lib/schemas/admin-catalog";
import { Empty } from "@/lib/schemas/common";
import { createTemplate, deleteTemplate, getAdminTemplate, listAdminTemplates, updateTemplate } from "@/server/services/admin/templates";
import { adminProcedure, createTRPCRouter, serviceContext } from "../../trpc";

const tags = ["admin"];

export const adminTemplatesRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/templates", tags, summary: "Every template, enabled or not, with its use and whether the engine has its image" } })
    .input(Empty.optional())
    .output(AdminTemplateList)
    .query(() => listAdminTemplates()),

  get: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/templates/{id}", tags, summary: "One template" } })
    .input(CatalogId)
    .output(AdminTemplate)
    .query(({ input }) => getAdminTemplate(input.id)),

  create: adminProcedure
    .meta({ openapi: { method: "POST", path: "/admin/templates", tags, summary: "Create a template (imageAvailable says whether the engine has its image yet)", successDescription: "201: the template" } })
    .input(TemplateCreateInput)
    .output(AdminTemplate)
    .mutation(async ({ ctx, input }) => {
      const template = await createTemplate(serviceContext(ctx), input);
      ctx.response.status = 201;
      ctx.response.headers.Location = `/api/v1/admin/templates/${template.id}`;
      return template;
    }),

  update: adminProcedure
    .meta({ openapi: { method: "PATCH", path: "/admin/templates/{id}", tags, summary: "Change a template, enable or disable it, or make it the default (existing slots keep their settings)" } })
    .input(TemplateUpdateInput)
    .output(AdminTemplate)
    .mutation(({ ctx, input: { id, ...changes } }) => updateTemplate(serviceContext(ctx), id, changes)),

  delete: adminProcedure
    .meta({ openapi: { method: "DELETE", path: "/admin/templates/{id}", tags, summary: "Delete a template no slot was ever made from (CONFLICT otherwise: disable it instead)", successDescription: "204: deleted" } })
    .input(CatalogId)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await deleteTemplate(serviceContext(ctx), input.id);
      ctx.response.status = 204;
    }),
});
