// Assembles the routers; nothing else lives here.
import { adminAuditRouter } from "./routers/admin/audit";
import { adminInvitesRouter } from "./routers/admin/invites";
import { adminPlansRouter } from "./routers/admin/plans";
import { adminSlotsRouter } from "./routers/admin/slots";
import { adminTemplatesRouter } from "./routers/admin/templates";
import { adminUsersRouter } from "./routers/admin/users";
import { authRouter } from "./routers/auth";
import { plansRouter, templatesRouter } from "./routers/catalog";
import { meRouter } from "./routers/me";
import { slotsRouter } from "./routers/slots";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  me: meRouter,
  templates: templatesRouter,
  plans: plansRouter,
  slots: slotsRouter,
  admin: createTRPCRouter({
    users: adminUsersRouter,
    invites: adminInvitesRouter,
    audit: adminAuditRouter,
    templates: adminTemplatesRouter,
    plans: adminPlansRouter,
    slots: adminSlotsRouter,
  }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
