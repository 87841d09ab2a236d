CREATE TABLE "berth_instance" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "berth_instance" ("id") VALUES (gen_random_uuid()::text);
