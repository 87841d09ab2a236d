// Any other /api path answers in the API's error shape instead of the dashboard's 404 page.
import { errorResponse } from "@/server/api/rest/error-response";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/server/request-meta";

export const dynamic = "force-dynamic";

function notFound(req: Request) {
  const path = new URL(req.url).pathname;
  return errorResponse(acceptRequestId(req.headers.get(REQUEST_ID_HEADER)), "NOT_FOUND", `There is no route ${req.method} ${path}. The REST API lives under /api/v1.`);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
