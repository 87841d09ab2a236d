import { handleRest } from "@/server/api/rest/handler";

export const dynamic = "force-dynamic";

const handler = (req: Request) => handleRest(req);
export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as HEAD, handler as OPTIONS };
