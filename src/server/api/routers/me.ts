// The signed-in person's own account.
import { z } from "zod";
import { ChangePasswordInput, Me, UpdateProfileInput } from "@/lib/schemas/users";
import { Empty } from "@/lib/schemas/common";
import { Preferences, PreferencesUpdateInput } from "@/lib/schemas/preferences";
import { EnvVar, EnvVarList, UserEnvRef, UserEnvSetInput } from "@/lib/schemas/secrets";
import { changePassword, getMe, updateProfile } from "@/server/services/accounts/profile";
import { deleteUserEnv, listUserEnv, setUserEnv } from "@/server/services/secrets/env-vars";
import { getPreferences, updatePreferences } from "@/server/services/accounts/preferences";
import { createTRPCRouter, protectedProcedure, serviceContext, writerProcedure } from "../trpc";

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

  // Your environment variables: given to every slot of yours (a slot's own variable of the same name wins).
  env: createTRPCRouter({
    list: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/me/env", tags, summary: "Your environment variables for all your slots: names and masked hints, never values" } })
      .input(Empty.optional())
      .output(EnvVarList)
      .query(({ ctx }) => listUserEnv(serviceContext(ctx))),

    set: writerProcedure
      .meta({ openapi: { method: "PUT", path: "/me/env/{name}", tags, summary: "Set (or replace) an encrypted variable for all your slots. Terminals and commands opened from now on see it; open shells keep their old environment (restart the slot).", successDescription: "201 when created, 200 when replaced" } })
      .input(UserEnvSetInput)
      .output(EnvVar)
      .mutation(async ({ ctx, input }) => {
        const { variable, created } = await setUserEnv(serviceContext(ctx), input);
        ctx.response.status = created ? 201 : 200;
        if (created) ctx.response.headers.Location = `/api/v1/me/env/${input.name}`;
        return variable;
      }),

    delete: writerProcedure
      .meta({ openapi: { method: "DELETE", path: "/me/env/{name}", tags, summary: "Delete one of your variables", successDescription: "204: deleted" } })
      .input(UserEnvRef)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        await deleteUserEnv(serviceContext(ctx), input);
        ctx.response.status = 204;
      }),
  }),

  preferences: createTRPCRouter({
    get: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/me/preferences", tags, summary: "Your dashboard preferences (defaults filled in)" } })
      .input(Empty.optional())
      .output(Preferences)
      .query(({ ctx }) => getPreferences(serviceContext(ctx))),

    update: protectedProcedure
      .meta({ openapi: { method: "PATCH", path: "/me/preferences", tags, summary: "Change some of your preferences: theme, terminal font and size, default template (null clears it)" } })
      .input(PreferencesUpdateInput)
      .output(Preferences)
      .mutation(({ ctx, input }) => updatePreferences(serviceContext(ctx), input)),
  }),
});
