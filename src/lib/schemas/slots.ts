// Slots, templates and plans as the API shows them.
import { z } from "zod";
import { inputBoolean, IsoDate, PageQuery, pageOf } from "./common";

export const SlotStatus = z
  .enum(["creating", "stopped", "starting", "running", "stopping", "error", "deleting", "deleted"])
  .describe("creating → stopped ⇄ starting → running ⇄ stopping; any → error; any → deleting → deleted");

/** States a slot passes through while an action runs; everything else is settled. */
export const TRANSITIONAL_STATUSES: readonly z.infer<typeof SlotStatus>[] = ["creating", "starting", "stopping", "deleting"];

export const Resources = z
  .object({
    cpuMillicores: z.number().int().min(100, "cpuMillicores must be at least 100").max(64_000).describe("1000 = one core"),
    memoryMiB: z.number().int().min(64, "memoryMiB must be at least 64").max(1_048_576),
    diskMiB: z.number().int().min(64, "diskMiB must be at least 64").max(10_485_760),
  })
  .meta({ id: "Resources" });

export const SlotName = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "name cannot be empty")
  .max(63, "name must be at most 63 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "name may use letters, digits, spaces, dots, dashes and underscores, starting with a letter or digit");

export const AutoStop = z
  .object({
    at: IsoDate,
    reason: z.enum(["idle", "max-uptime"]).describe("idle: no activity for the plan's idle timeout; max-uptime: the plan's longest run"),
  })
  .meta({ id: "AutoStop" });

export const Slot = z
  .object({
    id: z.string(),
    name: z.string(),
    status: SlotStatus,
    templateId: z.string(),
    ownerId: z.string(),
    resources: Resources.extend({ pids: z.number().int() }),
    resourcesPending: z.boolean().describe("Limits changed that apply at the next start"),
    lastError: z.string().nullable(),
    lastActivityAt: IsoDate,
    autoStop: AutoStop.nullable().optional().describe("When this running slot stops by itself if nothing happens (on reads; null when its plan never stops it)"),
    startedAt: IsoDate.nullable(),
    stoppedAt: IsoDate.nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "Slot" });
export type Slot = z.infer<typeof Slot>;

export const SlotId = z.object({ id: z.string().min(1).max(64) });

export const Heartbeat = z.object({ lastActivityAt: IsoDate, autoStop: AutoStop.nullable() });

const Wait = inputBoolean("wait")
  .optional()
  .describe("Answer once the slot has settled (running, stopped or error), up to 60 s; without it, answer at once with 202");

export const SlotActionInput = SlotId.extend({ wait: Wait });

export const SlotCreateInput = z.object({
  name: SlotName,
  templateId: z.string().min(1).max(64).optional().describe("Defaults to the default template"),
  resources: Resources.partial().optional().describe("Defaults to the template's; each at most the plan's ceiling"),
  wait: Wait,
});
export const SlotCreated = z.object({ slot: Slot });

export const SlotUpdateInput = SlotId.extend({
  name: SlotName.optional(),
  resources: Resources.partial().optional(),
});
export const SlotUpdated = z.object({ slot: Slot, applied: z.enum(["live", "next-start", "none"]).describe("How resource changes took effect") });

export const SlotListInput = PageQuery.extend({ status: SlotStatus.optional() });
export const SlotList = pageOf(Slot);

export const SlotEvent = z
  .object({
    id: z.string(),
    type: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    actorId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    createdAt: IsoDate,
  })
  .meta({ id: "SlotEvent" });
export const SlotEventList = pageOf(SlotEvent);
export const SlotEventListInput = SlotId.extend(PageQuery.shape);

export const Template = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    image: z.string(),
    resources: Resources,
    isDefault: z.boolean(),
  })
  .meta({ id: "Template" });
export const TemplateList = z.object({ data: z.array(Template), nextCursor: z.null() });

export const Plan = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    maxSlots: z.number().int(),
    maxRunning: z.number().int(),
    cpuMillicores: z.number().int(),
    memoryMiB: z.number().int(),
    diskMiB: z.number().int(),
    pids: z.number().int(),
    idleTimeoutMinutes: z.number().int(),
    maxUptimeMinutes: z.number().int().nullable(),
    maxFileMiB: z.number().int().describe("Largest file one upload may write, in MiB"),
    filesQuotaMiB: z.number().int().describe("What all of a user's slot homes together may hold, in MiB"),
    requestsPerMinute: z.number().int().describe("API requests a minute a user on this plan may make (all their tokens and keys together)"),
    pricePerHourCents: z.number().int(),
    isDefault: z.boolean(),
  })
  .meta({ id: "Plan" });
export const PlanList = z.object({ data: z.array(Plan), nextCursor: z.null() });
