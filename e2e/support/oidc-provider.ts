// A real OpenID Connect identity provider for the e2e suite: the `oidc-provider` package (an
// OpenID Certified implementation, not a mock), run locally on 127.0.0.1:OIDC_PORT.
// Its built-in development login page accepts any login and any password; the login typed becomes
// the account id, and the account's email is `<login>@oidc.test`, verified.
// Playwright starts this (see playwright.config.ts); nothing in Berth knows it is a test IdP.
import { createServer } from "node:http";
// oidc-provider ships no type declarations (and @types/oidc-provider lags behind v9), so this file
// types the small surface it uses itself rather than add a dependency.
// @ts-expect-error -- untyped ESM package; see the local types below
import ProviderUntyped from "oidc-provider";

type Grant = { jti: string; addOIDCScope(scope: string): void; save(): Promise<string> };
type OidcContext = {
  oidc: {
    result?: { consent?: { grantId?: string } };
    session?: { grantIdFor(clientId: string): string | undefined };
    client?: { clientId: string };
    account?: { accountId: string };
    provider: { Grant: { new (init: { clientId: string; accountId: string }): Grant; find(id: string): Promise<Grant | undefined> } };
  };
};
type OidcError = Error & { error_description?: string };
type Provider = {
  on(event: string, listener: (ctx: unknown, err: OidcError) => void): void;
  callback(): Parameters<typeof createServer>[1];
};
const Provider = ProviderUntyped as new (issuer: string, configuration: Record<string, unknown>) => Provider;

const port = Number(process.env.OIDC_PORT ?? 3299);
const redirectUri = process.env.OIDC_REDIRECT_URI ?? "http://localhost:3200/api/auth/callback/oidc";
const issuer = `http://127.0.0.1:${port}`;

const OIDC_CLIENT = { id: "berth-e2e", secret: "berth-e2e-oidc-client-secret" };
const FIRST_PARTY_SCOPE = "openid email profile";

function claimsFor(accountId: string) {
  const login = accountId.trim().toLowerCase();
  return { sub: accountId, email: `${login}@oidc.test`, email_verified: true, name: `OIDC ${accountId}` };
}

const configuration = {
  clients: [
    {
      client_id: OIDC_CLIENT.id,
      client_secret: OIDC_CLIENT.secret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      // Auth.js authenticates at the token endpoint with HTTP Basic unless told otherwise.
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  // Standard OIDC scope → claims mapping for what Berth asks for.
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  // Spec-conforming default (left as is on purpose): with response_type=code the scope claims are
  // served from the userinfo endpoint, not embedded in the ID token.
  conformIdTokenClaims: true,
  async findAccount(_ctx: unknown, sub: string) {
    return { accountId: sub, claims: async () => claimsFor(sub) };
  },
  // Berth is a first-party client here: grant what it asks for without a consent screen, the way a
  // company IdP is usually set up for its own apps. Other clients would still see consent.
  async loadExistingGrant(ctx: OidcContext): Promise<Grant | undefined> {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
    if (grantId) return oidc.provider.Grant.find(grantId);
    if (oidc.client!.clientId !== OIDC_CLIENT.id || !oidc.account) return undefined;
    const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.account.accountId });
    grant.addOIDCScope(FIRST_PARTY_SCOPE);
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true }, // the built-in login page Playwright fills in like a person
  },
  pkce: { required: () => true }, // Auth.js always sends S256 PKCE; insist on it
  cookies: { keys: ["berth-e2e-oidc-cookie-key-not-a-secret"] },
  // Signing keys: none given, so oidc-provider generates an ephemeral RS256 key at start-up.
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
};

// oidc-provider warns at start-up about each quick-start shortcut taken above on purpose (in-memory
// storage, generated keys, dev login pages); keep the e2e output to what matters. (Its "Unsupported
// runtime" notice about Node 20 is printed on import, before this, and is left alone.)
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  const text = String(args[0]);
  if (text.includes("oidc-provider WARNING") && text.includes("development-only")) return;
  warn(...args);
};

const provider = new Provider(issuer, configuration);

// Minimal log lines; the errors are what matter when a sign-in fails.
provider.on("server_error", (_ctx, err) => console.error(`oidc-idp: server_error ${err.message}`));
for (const event of ["authorization.error", "grant.error", "userinfo.error"] as const) {
  provider.on(event, (_ctx, err) =>
    console.error(`oidc-idp: ${event} ${err.message}${err.error_description ? ` (${err.error_description})` : ""}`),
  );
}
provider.on("grant.success", () => console.log("oidc-idp: token issued"));

const server = createServer(provider.callback());
server.listen(port, "127.0.0.1", () => console.log(`oidc-idp: issuer ${issuer}, client ${OIDC_CLIENT.id} → ${redirectUri}`));

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
