// Who is acting and from where: the plain arguments every service takes instead of a request.
import type { ApiKeyScope } from "@/lib/schemas/api-keys";
import type { UserRole } from "@/server/db/schema";
import { BerthError } from "@/server/errors";
import type { MeRow } from "./accounts/user-view";

/**
 * The acting user. `profile` is the user's row as read while authenticating this very request
 * (same query as the credential check), so reading one's own account costs no second query.
 */
export type Actor = {
  id: string;
  email: string;
  role: UserRole;
  profile?: MeRow;
  /** Set when an API key is the credential: the owner acts narrowed to these scopes (api/scopes.ts). */
  scopes?: readonly ApiKeyScope[];
  apiKeyId?: string;
};
export type RequestMeta = { ip: string | null; requestId: string; userAgent: string | null };
export type ServiceContext = { actor: Actor | null; meta: RequestMeta };

export function systemContext(requestId = "system"): ServiceContext {
  return { actor: null, meta: { ip: null, requestId, userAgent: null } };
}

/** The signed-in actor, or UNAUTHORIZED. */
export function requireActor(ctx: ServiceContext): Actor {
  if (!ctx.actor) throw new BerthError("UNAUTHORIZED", "Sign in first.");
  return ctx.actor;
}

/** The actor, when they may change things: UNAUTHORIZED without one, FORBIDDEN for a read-only account. */
export function requireWriter(ctx: ServiceContext): Actor {
  const actor = requireActor(ctx);
  if (actor.role === "readonly") throw new BerthError("FORBIDDEN", "Read-only accounts can look but not change anything.");
  return actor;
}
