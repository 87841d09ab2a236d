import { z } from "zod";
import { Email, IsoDate, PageQuery, Password, pageOf } from "./common";
import { Name, Role, User } from "./users";

export const RegisterInput = z.object({
  email: Email,
  password: Password,
  name: Name.optional(),
  inviteCode: z.string().trim().max(200).optional().describe("Required when sign-up is by invitation"),
});
export const RegisterOutput = z.object({ user: User });

export const TokenInput = z.object({
  email: Email,
  password: z.string({ error: "Password is required" }).min(1, "Password is required").max(200),
});

export const TokenPair = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().describe("Seconds until the access token expires"),
  })
  .meta({ id: "TokenPair" });

export const RefreshInput = z.object({ refreshToken: z.string().min(1, "refreshToken is required").max(200) });
export const LogoutInput = z.object({
  refreshToken: z.string().max(200).optional().describe("Optional; the presented access token's family is revoked either way"),
});

export const SignupMode = z.enum(["open", "invite", "closed"]);
export const AuthProviders = z.object({
  signup: SignupMode,
  password: z.boolean(),
  oauth: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const Invite = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    role: Role,
    status: z.enum(["pending", "used", "expired", "revoked"]),
    expiresAt: IsoDate,
    createdAt: IsoDate,
  })
  .meta({ id: "Invite" });
export const InviteCreateInput = z.object({
  email: Email.optional().describe("Only this address may use the invite"),
  role: Role.default("user"),
  expiresInDays: z.number().int().min(1).max(90).default(7),
});
export const InviteCreated = Invite.extend({ code: z.string().describe("Shown only once") });
export const InviteListInput = PageQuery;
export const InviteList = pageOf(Invite);
