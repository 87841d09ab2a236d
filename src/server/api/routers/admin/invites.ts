// Admin: invitations (for BERTH_SIGNUP=invite).
import { z } from "zod";
import { InviteCreated, InviteCreateInput, InviteList, InviteListInput } from "@/lib/schemas/auth";
import { createInvite, listInvites, revokeInvite } from "@/server/services/invites/invites";
import { adminProcedure, createTRPCRouter, serviceContext } from "../../trpc";

const tags = ["admin"];

export const adminInvitesRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/invites", tags, summary: "Invitations, newest first" } })
    .input(InviteListInput)
    .output(InviteList)
    .query(({ input }) => listInvites(input)),

  create: adminProcedure
    .meta({ openapi: { method: "POST", path: "/admin/invites", tags, summary: "Create an invitation (the code is shown only here)", successDescription: "201: the invitation with its code" } })
    .input(InviteCreateInput)
    .output(InviteCreated)
    .mutation(async ({ ctx, input }) => {
      const invite = await createInvite(serviceContext(ctx), input);
      ctx.response.status = 201;
      ctx.response.headers.Location = `/api/v1/admin/invites/${invite.id}`;
      return invite;
    }),

  revoke: adminProcedure
    .meta({ openapi: { method: "DELETE", path: "/admin/invites/{id}", tags, summary: "Revoke an unused invitation", successDescription: "204: revoked" } })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await revokeInvite(serviceContext(ctx), input.id);
      ctx.response.status = 204;
    }),
});
