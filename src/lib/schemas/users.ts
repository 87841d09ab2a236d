// Users as the API shows them: explicit fields only (never a hash, never a token).
import { z } from "zod";
import { Email, IsoDate, PageQuery, Password, pageOf } from "./common";

export const Role = z.enum(["admin", "user", "readonly"]).describe("admin: everything; user: own objects; readonly: read own objects");
export const UserStatus = z.enum(["active", "suspended"]);

export const Limits = z
  .object({
    slots: z.number().int().min(0).max(10_000).optional().describe("Most slots at once (the plan's maxSlots)"),
    maxRunning: z.number().int().min(0).max(10_000).optional().describe("Most slots running at once"),
    cpuMillicores: z.number().int().min(0).max(1_024_000).optional().describe("Per-slot CPU ceiling; 1000 = one core"),
    memoryMiB: z.number().int().min(0).max(4_194_304).optional().describe("Per-slot memory ceiling"),
    diskMiB: z.number().int().min(0).max(104_857_600).optional().describe("Per-slot disk ceiling"),
    pids: z.number().int().min(0).max(1_000_000).optional().describe("Per-slot process limit"),
    maxFileMiB: z.number().int().min(0).max(1_048_576).optional().describe("Largest file one upload may write, in MiB"),
    filesQuotaMiB: z.number().int().min(0).max(104_857_600).optional().describe("What all of the user's slot homes together may hold, in MiB"),
  })
  .strict()
  .describe("Per-user overrides of the plan's limits; an absent key inherits the plan's value");

/** What applies to a user: the plan's limits with their overrides on top (same keys as the overrides). */
export const EffectiveLimits = z
  .object({
    slots: z.number().int().describe("Most slots at once"),
    maxRunning: z.number().int().describe("Most slots running at once"),
    cpuMillicores: z.number().int().describe("Per-slot CPU ceiling; 1000 = one core"),
    memoryMiB: z.number().int().describe("Per-slot memory ceiling"),
    diskMiB: z.number().int().describe("Per-slot disk ceiling"),
    pids: z.number().int().describe("Per-slot process limit"),
    idleTimeoutMinutes: z.number().int().describe("A slot stops after this long without activity"),
    maxUptimeMinutes: z.number().int().nullable().describe("A slot stops after running this long; null for no limit"),
    maxFileMiB: z.number().int().describe("Largest file one upload may write, in MiB"),
    filesQuotaMiB: z.number().int().describe("What all of the user's slot homes together may hold before uploads are refused, in MiB"),
    requestsPerMinute: z.number().int().describe("API requests a minute, for all of the user's tokens, keys and sessions together (answers carry RateLimit-* headers; past it, 429 RATE_LIMITED)"),
  })
  .meta({ id: "EffectiveLimits" });
export type EffectiveLimits = z.infer<typeof EffectiveLimits>;

export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: Role,
    status: UserStatus,
    plan: z.string().nullable(),
    limits: Limits,
    createdAt: IsoDate,
    lastLoginAt: IsoDate.nullable(),
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;

export const Me = User.omit({ lastLoginAt: true })
  .extend({
    plan: z.string().describe("The plan that applies: the one an administrator assigned, else the default plan"),
    planAssigned: z.boolean().describe("false when the plan is the default plan because none was assigned"),
    limits: EffectiveLimits.describe("The limits that apply: the plan's, with the account's overrides on top"),
    limitOverrides: Limits,
    hasPassword: z.boolean().describe("false for accounts that only sign in through an identity provider"),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof Me>;

export const Name = z.string().trim().min(1, "Name cannot be empty").max(100, "Name must be at most 100 characters");

export const UpdateProfileInput = z.object({ name: Name.nullable() });
export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(200),
  newPassword: Password,
});

export const AdminUserListInput = PageQuery.extend({
  q: z.string().trim().max(254).optional().describe("Search in email and name"),
  role: Role.optional(),
  status: UserStatus.optional(),
});
export const AdminUserList = pageOf(User);

export const AdminUserUpdateInput = z.object({
  id: z.string().min(1).max(64),
  role: Role.optional(),
  status: UserStatus.optional(),
  plan: z.string().trim().min(1).max(64).nullable().optional().describe("A plan id; null puts the user on the default plan"),
  limits: Limits.optional().describe("Replaces every override; {} makes the user inherit all of the plan's limits"),
});

export { Email, Password };
