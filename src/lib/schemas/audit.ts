import { z } from "zod";
import { IsoDate, PageQuery, pageOf } from "./common";

export const AuditEntry = z
  .object({
    id: z.string(),
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    outcome: z.enum(["success", "failure", "denied"]),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    createdAt: IsoDate,
  })
  .meta({ id: "AuditEntry" });

export const AuditListInput = PageQuery.extend({
  actor: z.string().trim().max(254).optional().describe("Actor id or email (substring)"),
  action: z.string().trim().max(100).optional().describe("Action prefix, e.g. user. or auth.login"),
  outcome: z.enum(["success", "failure", "denied"]).optional(),
  targetId: z.string().trim().max(64).optional(),
  since: IsoDate.optional(),
  until: IsoDate.optional(),
});
export const AuditList = pageOf(AuditEntry);
