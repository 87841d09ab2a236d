// Admin: the audit log.
import { AuditList, AuditListInput } from "@/lib/schemas/audit";
import { listAudit } from "@/server/services/audit/list-audit";
import { adminProcedure, createTRPCRouter } from "../../trpc";

export const adminAuditRouter = createTRPCRouter({
  list: adminProcedure
    .meta({ openapi: { method: "GET", path: "/admin/audit", tags: ["admin"], summary: "Audit entries, newest first, with filters" } })
    .input(AuditListInput)
    .output(AuditList)
    .query(({ input }) => listAudit(input)),
});
