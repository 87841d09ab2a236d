import { benchEnabled } from "@/server/bench-routes";

export const dynamic = "force-dynamic";

export function GET() {
  if (!benchEnabled()) return new Response(null, { status: 404 });
  return Response.json({ ok: true });
}
