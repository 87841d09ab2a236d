// Everything that proves who is calling: dashboard sessions, REST token pairs, sign-in throttling.
import { index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

/** A dashboard sign-in. The Auth.js JWT carries only this row's id, so revoking the row signs out at once. */
export const webSessions = pgTable(
  "web_sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("web_sessions_user_idx").on(t.userId)],
);

export const tokenKinds = ["access", "refresh"] as const;

/**
 * REST bearer tokens, stored as SHA-256 only. An access token and its refresh token share a
 * family; rotating a refresh token keeps the family, reusing a spent one revokes the family.
 */
export const authTokens = pgTable(
  "auth_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: tokenKinds }).notNull(),
    tokenHash: text("token_hash").notNull(),
    familyId: text("family_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("auth_tokens_hash_key").on(t.tokenHash),
    index("auth_tokens_family_idx").on(t.familyId),
    index("auth_tokens_user_idx").on(t.userId),
  ],
);

/** Counters for rate-limiter-flexible's RateLimiterDrizzle (shared by every instance). */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: timestamp("expire", { withTimezone: true }),
});
