// Admin: the catalog (templates and plans) and every user's slots, as the API shows and takes them.
import { z } from "zod";
import { inputBoolean, IsoDate, PageQuery, pageOf } from "./common";
import { Plan, Resources, Slot, SlotStatus } from "./slots";

export const CatalogId = z.object({ id: z.string().min(1).max(64) });

// ── Templates ───────────────────────────────────────────────────────────────────────────────

export const TemplateSlug = z
  .string({ error: "slug is required" })
  .trim()
  .min(1, "slug cannot be empty")
  .max(63, "slug must be at most 63 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "slug may use lower-case letters, digits and dashes, starting and ending with a letter or digit");

/** A Docker image reference: [registry[:port]/]repo[/repo…][:tag][@sha256:digest]. */
export const ImageRef = z
  .string({ error: "image is required" })
  .trim()
  .min(1, "image cannot be empty")
  .max(255, "image must be at most 255 characters")
  .regex(
    /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    "image must be a Docker image reference such as berth/workspace:latest",
  )
  .describe("Docker image reference, e.g. berth/workspace:latest");

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export const TemplateEnv = z
  .record(z.string(), z.string().max(4096, "an environment value must be at most 4096 characters"))
  // Names are checked here rather than with a key schema, so each message names its variable.
  .superRefine((env, ctx) => {
    const names = Object.keys(env);
    if (names.length > 100) ctx.addIssue({ code: "custom", message: "at most 100 environment variables" });
    for (const name of names) {
      if (!ENV_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: `${name.slice(0, 40)} is not a valid name: use letters, digits and underscores, not starting with a digit` });
      else if (name.toUpperCase().startsWith("BERTH_")) ctx.addIssue({ code: "custom", path: [name], message: `${name} is reserved: names starting with BERTH_ are Berth's` });
    }
  })
  .describe("Environment variables every slot of this template gets (not secrets: admins and the slot's owner can read them)");

export const StartCommand = z
  .array(z.string().min(1, "a command argument cannot be empty").max(4096), { error: "startCommand must be a list of arguments" })
  .min(1, "startCommand needs at least the program")
  .max(64, "startCommand takes at most 64 arguments")
  .nullable()
  .describe("The container's command as an argument list; null keeps the image's own");

const TemplateName = z.string({ error: "name is required" }).trim().min(1, "name cannot be empty").max(100, "name must be at most 100 characters");
const Description = z.string().trim().max(1000, "description must be at most 1000 characters");

export const AdminTemplate = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    image: z.string(),
    resources: Resources.describe("Default resources of a new slot (each capped by the user's plan)"),
    env: z.record(z.string(), z.string()),
    startCommand: z.array(z.string()).nullable(),
    enabled: z.boolean().describe("Disabled templates are hidden from users; existing slots keep working"),
    isDefault: z.boolean().describe("Used when a slot is created without templateId; exactly one template is the default"),
    slots: z.number().int().describe("Slots (not deleted) made from this template"),
    imageAvailable: z.boolean().nullable().describe("Whether the container engine has the image; null when the engine is not reachable"),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: "AdminTemplate" });
export type AdminTemplate = z.infer<typeof AdminTemplate>;
export const AdminTemplateList = z.object({ data: z.array(AdminTemplate), nextCursor: z.null() });

export const TemplateCreateInput = z.object({
  slug: TemplateSlug.describe("Unique, URL-safe name"),
  name: TemplateName,
  description: Description.default(""),
  image: ImageRef,
  resources: Resources,
  env: TemplateEnv.default({}),
  startCommand: StartCommand.default(null),
  enabled: inputBoolean("enabled").default(true),
  isDefault: inputBoolean("isDefault").default(false).describe("true makes this the default template (the previous default stops being one)"),
});
export type TemplateCreateInput = z.infer<typeof TemplateCreateInput>;

export const TemplateUpdateInput = CatalogId.extend({
  slug: TemplateSlug.optional(),
  name: TemplateName.optional(),
  description: Description.optional(),
  image: ImageRef.optional(),
  resources: Resources.partial().optional(),
  env: TemplateEnv.optional().describe("Replaces every variable; {} removes them"),
  startCommand: StartCommand.optional(),
  enabled: inputBoolean("enabled").optional(),
  isDefault: inputBoolean("isDefault").optional().describe("true makes this the default template; there is always one, so to change it make another template the default"),
});
export type TemplateChanges = Omit<z.infer<typeof TemplateUpdateInput>, "id">;

// ── Plans ───────────────────────────────────────────────────────────────────────────────────

export const PlanIdValue = z
  .string({ error: "id is required" })
  .trim()
  .min(1, "id cannot be empty")
  .max(32, "id must be at most 32 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "id may use lower-case letters, digits and dashes, starting and ending with a letter or digit");

const count = (what: string, min: number, max: number) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

/** The numbers of a plan, with the bounds a person would expect (positive, sane maxima). */
const PlanNumbers = {
  maxSlots: count("maxSlots", 1, 10_000).describe("Slots a user may have at once"),
  maxRunning: count("maxRunning", 1, 10_000).describe("Slots a user may have running at once (at most maxSlots)"),
  cpuMillicores: count("cpuMillicores", 100, 64_000).describe("Per-slot CPU ceiling; 1000 = one core"),
  memoryMiB: count("memoryMiB", 64, 1_048_576).describe("Per-slot memory ceiling"),
  diskMiB: count("diskMiB", 64, 10_485_760).describe("Per-slot disk ceiling"),
  pids: count("pids", 16, 1_000_000).describe("Per-slot process limit"),
  idleTimeoutMinutes: count("idleTimeoutMinutes", 1, 43_200).describe("Stop a slot after this long without activity"),
  maxUptimeMinutes: count("maxUptimeMinutes", 1, 525_600).nullable().describe("Stop a slot after this long running; null for no limit"),
  pricePerHourCents: count("pricePerHourCents", 0, 1_000_000).describe("Price of one running slot-hour, in cents"),
  maxFileMiB: count("maxFileMiB", 1, 1_048_576).describe("Largest file one upload may write, in MiB"),
  filesQuotaMiB: count("filesQuotaMiB", 1, 104_857_600).describe("What all of a user's slot homes together may hold before uploads are refused, in MiB"),
  requestsPerMinute: count("requestsPerMinute", 1, 1_000_000).describe("API requests a minute a user on this plan may make, all their tokens and keys together"),
};

export const AdminPlan = Plan.extend({
  users: z.number().int().describe("Users assigned this plan explicitly (users without a plan get the default plan)"),
  createdAt: IsoDate,
  updatedAt: IsoDate,
}).meta({ id: "AdminPlan" });
export type AdminPlan = z.infer<typeof AdminPlan>;
export const AdminPlanList = z.object({ data: z.array(AdminPlan), nextCursor: z.null() });

export const PlanCreateInput = z.object({
  id: PlanIdValue.describe("Unique, e.g. pro; users refer to their plan by it"),
  name: TemplateName,
  description: Description.default(""),
  maxSlots: PlanNumbers.maxSlots,
  maxRunning: PlanNumbers.maxRunning,
  cpuMillicores: PlanNumbers.cpuMillicores,
  memoryMiB: PlanNumbers.memoryMiB,
  diskMiB: PlanNumbers.diskMiB,
  pids: PlanNumbers.pids.default(512),
  idleTimeoutMinutes: PlanNumbers.idleTimeoutMinutes,
  maxUptimeMinutes: PlanNumbers.maxUptimeMinutes.default(null),
  pricePerHourCents: PlanNumbers.pricePerHourCents.default(0),
  maxFileMiB: PlanNumbers.maxFileMiB.default(100),
  filesQuotaMiB: PlanNumbers.filesQuotaMiB.default(1024),
  requestsPerMinute: PlanNumbers.requestsPerMinute.default(600),
  isDefault: inputBoolean("isDefault").default(false).describe("true makes this the plan of every user without one (the previous default stops being it)"),
});
export type PlanCreateInput = z.infer<typeof PlanCreateInput>;

export const PlanUpdateInput = CatalogId.extend({
  name: TemplateName.optional(),
  description: Description.optional(),
  maxSlots: PlanNumbers.maxSlots.optional(),
  maxRunning: PlanNumbers.maxRunning.optional(),
  cpuMillicores: PlanNumbers.cpuMillicores.optional(),
  memoryMiB: PlanNumbers.memoryMiB.optional(),
  diskMiB: PlanNumbers.diskMiB.optional(),
  pids: PlanNumbers.pids.optional(),
  idleTimeoutMinutes: PlanNumbers.idleTimeoutMinutes.optional(),
  maxUptimeMinutes: PlanNumbers.maxUptimeMinutes.optional(),
  pricePerHourCents: PlanNumbers.pricePerHourCents.optional(),
  maxFileMiB: PlanNumbers.maxFileMiB.optional(),
  filesQuotaMiB: PlanNumbers.filesQuotaMiB.optional(),
  requestsPerMinute: PlanNumbers.requestsPerMinute.optional(),
  isDefault: inputBoolean("isDefault").optional().describe("true makes this the default plan; there is always one, so to change it make another plan the default"),
});
export type PlanChanges = Omit<z.infer<typeof PlanUpdateInput>, "id">;

// ── Every user's slots ──────────────────────────────────────────────────────────────────────

export const AdminSlot = Slot.extend({
  ownerEmail: z.string(),
  templateName: z.string(),
}).meta({ id: "AdminSlot" });
export type AdminSlot = z.infer<typeof AdminSlot>;

export const AdminSlotListInput = PageQuery.extend({
  status: SlotStatus.optional().describe("Only slots in this status (deleted slots are listed only when asked for)"),
  ownerId: z.string().trim().min(1).max(64).optional(),
  q: z.string().trim().max(254).optional().describe("Search in slot name, slot id and owner email"),
});
export const AdminSlotList = pageOf(AdminSlot);
