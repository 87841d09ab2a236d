// Assembles the routers; nothing else lives here.
import { adminAuditRouter } from "./routers/admin/audit";
import { adminInvitesRouter } from "./routers/admin/invites";
import { adminPlansRouter } from "./routers/admin/plans";
import { adminSlotsRouter } from "./routers/admin/slots";
import { adminTemplatesRouter } from "./routers/admin/templates";
import { adminUsersRouter } from "./routers/admin/users";
import { apiKeysRouter } from "./routers/api-keys";
import { authRouter } from "./routers/auth";
import { eventsRouter } from "./routers/events";
import { oauthClientsRouter } from "./routers/oauth-clients";
import { plansRouter, templatesRouter } from "./routers/catalog";
import { meRouter } from "./routers/me";
import { slotsRouter } from "./routers/slots";
import { webhooksRouter } from "./routers/webhooks";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  me: meRouter,
  apiKeys: apiKeysRouter,
  oauthClients: oauthClientsRouter,
  events: eventsRouter,
  webhooks: webhooksRouter,
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
