// Who is acting and from where: the plain arguments every service takes instead of a request.
import type { UserRole } from "@/server/db/schema";
import type { MeRow } from "./accounts/user-view";

/**
 * The acting user. `profile` is the user's row as read while authenticating this very request
 * (same query as the credential check), so reading one's own account costs no second query.
 */
export type Actor = { id: string; email: string; role: UserRole; profile?: MeRow };
export type RequestMeta = { ip: string | null; requestId: string; userAgent: string | null };
export type ServiceContext = { actor: Actor | null; meta: RequestMeta };

export function systemContext(requestId = "system"): ServiceContext {
  return { actor: null, meta: { ip: null, requestId, userAgent: null } };
}
