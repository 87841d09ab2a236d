// Which identity providers are configured (GitHub, Google, any OIDC issuer), from env only.
import type { Provider } from "next-auth/providers";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { env } from "@/server/env";

export function oauthProviders(): Provider[] {
  const e = env();
  const list: Provider[] = [];
  if (e.BERTH_GITHUB_ID && e.BERTH_GITHUB_SECRET) list.push(GitHub({ clientId: e.BERTH_GITHUB_ID, clientSecret: e.BERTH_GITHUB_SECRET }));
  if (e.BERTH_GOOGLE_ID && e.BERTH_GOOGLE_SECRET) list.push(Google({ clientId: e.BERTH_GOOGLE_ID, clientSecret: e.BERTH_GOOGLE_SECRET }));
  if (e.BERTH_OIDC_ISSUER && e.BERTH_OIDC_ID && e.BERTH_OIDC_SECRET) {
    list.push({
      id: "oidc",
      name: e.BERTH_OIDC_NAME,
      type: "oidc",
      issuer: e.BERTH_OIDC_ISSUER,
      clientId: e.BERTH_OIDC_ID,
      clientSecret: e.BERTH_OIDC_SECRET,
      checks: ["pkce", "state", "nonce"],
      // Read the profile from the userinfo endpoint, not the ID token. OIDC Core §5.4: with the
      // code flow the email/profile scope claims come from userinfo, and conforming providers
      // (e.g. oidc-provider's default) leave them out of the ID token. Auth.js still verifies the
      // ID token (signature, issuer, audience, nonce) and that userinfo's `sub` matches it.
      idToken: false,
      authorization: { params: { scope: "openid email profile" } },
    });
  }
  return list;
}

export function oauthProviderList(): { id: string; name: string }[] {
  const e = env();
  const out: { id: string; name: string }[] = [];
  if (e.BERTH_GITHUB_ID) out.push({ id: "github", name: "GitHub" });
  if (e.BERTH_GOOGLE_ID) out.push({ id: "google", name: "Google" });
  if (e.BERTH_OIDC_ID) out.push({ id: "oidc", name: e.BERTH_OIDC_NAME });
  return out;
}
