// The REST routes as declared in procedure meta: one list for the adapter's 404/405 answers,
// the OpenAPI document and the authorization matrix.
import type { OpenApiMeta } from "trpc-to-openapi";
import { appRouter } from "../root";

export type RestRoute = { procedure: string; method: string; path: string; regex: RegExp; protect: boolean };

let cached: RestRoute[] | undefined;

export function restRoutes(): RestRoute[] {
  if (!cached) {
    cached = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: OpenApiMeta } }>)
      .flatMap(([name, proc]) => {
        const o = proc._def.meta?.openapi;
        if (!o || o.enabled === false) return [];
        const regex = new RegExp(`^${o.path.replace(/\{(.+?)\}/g, "[^/]+")}$`);
        return [{ procedure: name, method: o.method, path: o.path, regex, protect: o.protect !== false }];
      });
  }
  return cached;
}

/** Methods that exist for a concrete path, e.g. "/admin/users/usr_1" → ["GET", "PATCH"]. */
export function methodsFor(path: string): string[] {
  return restRoutes()
    .filter((r) => r.regex.test(path))
    .map((r) => r.method);
}
