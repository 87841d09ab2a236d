CREATE TABLE "terminal_attachments" (
	"marker" text PRIMARY KEY NOT NULL,
	"slot_id" text NOT NULL,
	"process_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "berth_processes" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slot_execs" ADD COLUMN "process_id" text;--> statement-breakpoint
ALTER TABLE "terminal_attachments" ADD CONSTRAINT "terminal_attachments_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "terminal_attachments_process_idx" ON "terminal_attachments" USING btree ("process_id");