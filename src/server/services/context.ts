// Who is acting and from where: the plain arguments every service takes instead of a request.
import type { UserRole } from "@/server/db/schema";

export type Actor = { id: string; email: string; role: UserRole };
export type RequestMeta = { ip: string | null; requestId: string; userAgent: string | null };
export type ServiceContext = { actor: Actor | null; meta: RequestMeta };

export function systemContext(requestId = "system"): ServiceContext {
  return { actor: null, meta: { ip: null, requestId, userAgent: null } };
}
