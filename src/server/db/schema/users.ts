// People and how they sign in: users, linked identity-provider accounts, invites.
import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const userRoles = ["admin", "user", "readonly"] as const;
export const userStatuses = ["active", "suspended"] as const;
export type UserRole = (typeof userRoles)[number];
export type UserStatus = (typeof userStatuses)[number];

/** Per-user overrides of plan limits; absent keys fall back to the plan. */
export type LimitOverrides = {
  slots?: number;
  cpuMillicores?: number;
  memoryMiB?: number;
  diskMiB?: number;
  pids?: number;
  maxFileMiB?: number;
  filesQuotaMiB?: number;
};

/** Per-user dashboard preferences (applied live; none of them is a secret). */
export type UserPreferences = {
  theme?: "light" | "dark" | "system";
  terminalFontFamily?: string;
  terminalFontSize?: number;
  defaultTemplateId?: string;
};

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name"),
    passwordHash: text("password_hash"),
    role: text("role", { enum: userRoles }).notNull().default("user"),
    status: text("status", { enum: userStatuses }).notNull().default("active"),
    plan: text("plan"),
    limits: jsonb("limits").$type<LimitOverrides>().notNull().default({}),
    preferences: jsonb("preferences").$type<UserPreferences>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    index("users_created_at_idx").on(t.createdAt, t.id),
  ],
);

export const authAccounts = pgTable(
  "auth_accounts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("auth_accounts_provider_key").on(t.provider, t.providerAccountId), index("auth_accounts_user_idx").on(t.userId)],
);

export const invites = pgTable(
  "invites",
  {
    id: text("id").primaryKey(),
    codeHash: text("code_hash").notNull(),
    email: text("email"),
    role: text("role", { enum: userRoles }).notNull().default("user"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    usedBy: text("used_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("invites_code_hash_key").on(t.codeHash), index("invites_created_at_idx").on(t.createdAt, t.id)],
);
