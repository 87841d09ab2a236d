// Sign-up and REST tokens (POST /auth/register, /auth/token, /auth/refresh, /auth/logout).
import { z } from "zod";
import { AuthProviders, LogoutInput, RefreshInput, RegisterInput, RegisterOutput, TokenInput, TokenPair } from "@/lib/schemas/auth";
import { Empty } from "@/lib/schemas/common";
import { oauthProviderList } from "@/server/auth/providers";
import { env } from "@/server/env";
import { registerUser } from "@/server/services/accounts/register-user";
import { verifyCredentials } from "@/server/services/accounts/verify-credentials";
import { revokeWebSession } from "@/server/services/sessions/web-sessions";
import { issueTokenPair, logoutTokens, refreshTokenPair } from "@/server/services/tokens/token-pairs";
import { createTRPCRouter, protectedProcedure, publicProcedure, serviceContext } from "../trpc";

const tags = ["auth"];

export const authRouter = createTRPCRouter({
  providers: publicProcedure
    .meta({ openapi: { method: "GET", path: "/auth/providers", tags, protect: false, summary: "How people can sign in here" } })
    .input(Empty.optional())
    .output(AuthProviders)
    .query(() => ({ signup: env().BERTH_SIGNUP, password: true, oauth: oauthProviderList() })),

  register: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/register", tags, protect: false, summary: "Create an account", successDescription: "201: the new account" } })
    .input(RegisterInput)
    .output(RegisterOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await registerUser(serviceContext(ctx), input);
      ctx.response.status = 201;
      ctx.response.headers.Location = "/api/v1/me";
      return { user };
    }),

  token: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/token", tags, protect: false, summary: "Exchange email and password for an access and a refresh token" } })
    .input(TokenInput)
    .output(TokenPair)
    .mutation(async ({ ctx, input }) => {
      const actor = await verifyCredentials(serviceContext(ctx), input.email, input.password);
      return issueTokenPair(serviceContext(ctx), actor);
    }),

  refresh: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/refresh", tags, protect: false, summary: "Trade a refresh token for a new pair (the old one stops working)" } })
    .input(RefreshInput)
    .output(TokenPair)
    .mutation(({ ctx, input }) => refreshTokenPair(serviceContext(ctx), input.refreshToken)),

  logout: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/auth/logout", tags, summary: "Revoke the presented token and its refresh token (or the dashboard session)", successDescription: "204: revoked" } })
    .input(LogoutInput.optional())
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const c = ctx.credential;
      if (c.kind === "access-token") await logoutTokens(serviceContext(ctx), { accessToken: c.token, refreshToken: input?.refreshToken });
      if (c.kind === "session") await revokeWebSession(serviceContext(ctx), c.sessionId);
      ctx.response.status = 204;
    }),
});
