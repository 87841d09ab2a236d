// Assembles the routers; nothing else lives here.
import { adminAuditRouter } from "./routers/admin/audit";
import { adminInvitesRouter } from "./routers/admin/invites";
import { adminUsersRouter } from "./routers/admin/users";
import { authRouter } from "./routers/auth";
import { meRouter } from "./routers/me";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  me: meRouter,
  admin: createTRPCRouter({
    users: adminUsersRouter,
    invites: adminInvitesRouter,
    audit: adminAuditRouter,
  }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
