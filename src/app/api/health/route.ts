import { checkHealth } from "@/server/services/health/check-health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: health.checks.db.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
