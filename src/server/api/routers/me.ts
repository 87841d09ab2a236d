// The signed-in person's own account.
import { z } from "zod";
import { ChangePasswordInput, Me, UpdateProfileInput } from "@/lib/schemas/users";
import { Empty } from "@/lib/schemas/common";
import { changePassword, getMe, updateProfile } from "@/server/services/accounts/profile";
import { createTRPCRouter, protectedProcedure, serviceContext } from "../trpc";

const tags = ["me"];

export const meRouter = createTRPCRouter({
  get: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/me", tags, summary: "The calling account, its plan and limits" } })
    .input(Empty.optional())
    .output(Me)
    .query(({ ctx }) => getMe(serviceContext(ctx))),

  update: protectedProcedure
    .meta({ openapi: { method: "PATCH", path: "/me", tags, summary: "Change your display name" } })
    .input(UpdateProfileInput)
    .output(Me)
    .mutation(({ ctx, input }) => updateProfile(serviceContext(ctx), input)),

  changePassword: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/me/password", tags, summary: "Change your password (signs out every other session and token)", successDescription: "204: changed" } })
    .input(ChangePasswordInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const keepSessionId = ctx.credential.kind === "session" ? ctx.credential.sessionId : undefined;
      await changePassword(serviceContext(ctx), { ...input, keepSessionId });
      ctx.response.status = 204;
    }),
});
