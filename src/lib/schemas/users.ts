// Users as the API shows them: explicit fields only (never a hash, never a token).
import { z } from "zod";
import { Email, IsoDate, PageQuery, Password, pageOf } from "./common";

export const Role = z.enum(["admin", "user", "readonly"]).describe("admin: everything; user: own objects; readonly: read own objects");
export const UserStatus = z.enum(["active", "suspended"]);

export const Limits = z
  .object({
    slots: z.number().int().min(0).max(10_000).optional().describe("Most slots at once"),
    cpuMillicores: z.number().int().min(0).max(1_024_000).optional(),
    memoryMiB: z.number().int().min(0).max(4_194_304).optional(),
    diskMiB: z.number().int().min(0).max(104_857_600).optional(),
    pids: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .describe("Per-user overrides of the plan's limits");

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
  .extend({ hasPassword: z.boolean().describe("false for accounts that only sign in through an identity provider") })
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
  plan: z.string().trim().min(1).max(64).nullable().optional(),
  limits: Limits.optional(),
});

export { Email, Password };
