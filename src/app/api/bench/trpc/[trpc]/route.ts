import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { bareRouter, benchEnabled } from "@/server/bench-routes";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  if (!benchEnabled()) return new Response(null, { status: 404 });
  return fetchRequestHandler({ endpoint: "/api/bench/trpc", req, router: bareRouter, createContext: () => ({}) });
}
