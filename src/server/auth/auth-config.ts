// Auth.js: the dashboard's sign-in (credentials with argon2id; GitHub, Google, OIDC when configured).
// Auth.js keeps a JWT cookie; the JWT holds only our session id (`sid`), and every request looks
// that row up, so sign-out, suspension and password changes end sessions immediately.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import { NextRequest } from "next/server";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { Email } from "@/lib/schemas/common";
import { env } from "@/server/env";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { consumeRateLimit } from "@/server/rate-limit/rate-limit";
import { requestMetaFrom } from "@/server/request-meta";
import { signInWithOAuth } from "@/server/services/accounts/link-oauth-account";
import { verifyCredentials } from "@/server/services/accounts/verify-credentials";
import type { Actor, ServiceContext } from "@/server/services/context";
import { createWebSession, revokeWebSession } from "@/server/services/sessions/web-sessions";
import { oauthProviders } from "./providers";

/** The `code` a sign-in form receives; the page turns it into a sentence. */
class SignInRefused extends CredentialsSignin {
  constructor(code: "invalid" | "rate_limited" | "suspended") {
    super();
    this.code = code;
  }
}

const CredentialsInput = z.object({ email: Email, password: z.string().min(1).max(200) });

type BerthUser = { id: string; email: string; role: Actor["role"]; via: string };

function buildConfig(request: Request | undefined): NextAuthConfig {
  const e = env();
  const meta = request ? requestMetaFrom(request.headers) : { ip: null, requestId: "auth", userAgent: null };
  const ctx: ServiceContext = { actor: null, meta };
  return {
    secret: e.BERTH_SECRET,
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt", maxAge: e.BERTH_SESSION_TTL },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    logger: {
      error: (error) => logger().warn({ err: { name: error.name, message: error.message } }, "auth.js"),
      warn: (code) => logger().debug({ code }, "auth.js warning"),
      debug: () => {},
    },
    providers: [
      Credentials({
        credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
        async authorize(raw): Promise<BerthUser> {
          // The same strict per-IP budget as POST /auth/token: the form is another way to guess passwords.
          const limit = await consumeRateLimit({ actor: null, ip: meta.ip, auth: true });
          if (limit?.limited) throw new SignInRefused("rate_limited");
          const parsed = CredentialsInput.safeParse(raw);
          if (!parsed.success) throw new SignInRefused("invalid");
          try {
            const actor = await verifyCredentials(ctx, parsed.data.email, parsed.data.password);
            return { ...actor, via: "password" };
          } catch (err) {
            if (err instanceof BerthError) {
              throw new SignInRefused(err.code === "RATE_LIMITED" ? "rate_limited" : err.code === "FORBIDDEN" ? "suspended" : "invalid");
            }
            throw err;
          }
        },
      }),
      ...oauthProviders(),
    ],
    callbacks: {
      async signIn({ user, account, profile }) {
        if (!account || account.type === "credentials") return true;
        try {
          const actor = await signInWithOAuth(ctx, {
            provider: account.provider,
            providerAccountId: account.providerAccountId,
            email: (profile?.email as string | undefined) ?? user.email ?? null,
            // GitHub returns only verified primary emails; OIDC and Google say so explicitly.
            emailVerified: account.provider === "github" ? true : profile?.email_verified === true,
            name: (profile?.name as string | undefined) ?? user.name ?? null,
          });
          Object.assign(user, { id: actor.id, email: actor.email, role: actor.role, via: account.provider } satisfies BerthUser);
          return true;
        } catch (err) {
          if (err instanceof BerthError) return `/sign-in?error=${err.code === "FORBIDDEN" ? "OAuthRefused" : "OAuthFailed"}&message=${encodeURIComponent(err.message)}`;
          throw err;
        }
      },
      async jwt({ token, user }) {
        if (user) {
          const u = user as BerthUser;
          const session = await createWebSession(ctx, { id: u.id, email: u.email, role: u.role }, u.via ?? "password");
          return { sid: session.id, sub: u.id };
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, sid: token.sid };
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") await revokeWebSession(ctx, sid);
      },
    },
  };
}

const nextAuth = NextAuth((request) => buildConfig(request));
export const { auth, signIn, signOut } = nextAuth;

/**
 * Auth.js builds its absolute URLs (the OAuth/OIDC `redirect_uri`, where to go after sign-in and
 * sign-out) from the request URL. Behind server.ts, Next hands route handlers a URL on the listen
 * address (`http://0.0.0.0:3000/...` with the default HOST), which no identity provider accepts and
 * no browser should be sent to. Berth's public address is BERTH_URL, so Auth.js sees that origin —
 * what next-auth's own AUTH_URL does, without a second setting to keep in step.
 */
function atPublicUrl(request: NextRequest): NextRequest {
  const { origin } = new URL(env().BERTH_URL);
  if (request.nextUrl.origin === origin) return request;
  return new NextRequest(request.nextUrl.href.replace(request.nextUrl.origin, origin), request);
}

export const handlers = {
  GET: (request: NextRequest) => nextAuth.handlers.GET(atPublicUrl(request)),
  POST: (request: NextRequest) => nextAuth.handlers.POST(atPublicUrl(request)),
};
