// Secrets: encrypted environment variables (per user = all their slots, or per slot) and provider
// credentials (per slot). Values are AES-256-GCM ciphertext under BERTH_ENCRYPTION_KEY, a fresh
// nonce per write, with the owner, scope and name bound as associated data; never stored in clear.
import { index, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { slots } from "./slots";
import { users } from "./users";

export const secretKinds = ["env", "provider"] as const;
export type SecretKind = (typeof secretKinds)[number];

export const secrets = pgTable(
  "secrets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** null: the user's own variable, given to every slot of theirs; otherwise this slot's only. */
    slotId: text("slot_id").references(() => slots.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: secretKinds }).notNull(),
    /** The variable's name (env), or the provider's id (provider: e.g. "anthropic"). */
    name: text("name").notNull(),
    /** base64 of the AES-256-GCM ciphertext with its 16-byte tag appended. */
    ciphertext: text("ciphertext").notNull(),
    /** base64 of the 12-byte nonce, fresh for every write. */
    nonce: text("nonce").notNull(),
    /** Which key encrypted it (a fingerprint of the key, never the key): rotation re-encrypts the rest. */
    keyId: text("key_id").notNull(),
    /** A masked hint for display (e.g. "sk-…f3a9"), made at write time; never enough to use. */
    hint: text("hint").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("secrets_scope_name_key").on(t.userId, t.slotId, t.kind, t.name).nullsNotDistinct(), index("secrets_slot_idx").on(t.slotId)],
);
