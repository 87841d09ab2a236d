import { openApiDocument } from "@/server/api/openapi";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/server/request-meta";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  const origin = new URL(req.url).origin;
  return Response.json(openApiDocument(origin), { headers: { "X-Request-Id": acceptRequestId(req.headers.get(REQUEST_ID_HEADER)) } });
}
