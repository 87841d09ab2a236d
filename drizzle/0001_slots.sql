CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"max_slots" integer NOT NULL,
	"max_running" integer NOT NULL,
	"cpu_millicores" integer NOT NULL,
	"memory_mib" integer NOT NULL,
	"disk_mib" integer NOT NULL,
	"pids" integer DEFAULT 512 NOT NULL,
	"idle_timeout_minutes" integer NOT NULL,
	"max_uptime_minutes" integer,
	"price_per_hour_cents" integer DEFAULT 0 NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slot_events" (
	"id" text PRIMARY KEY NOT NULL,
	"slot_id" text NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slots" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"template_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"cpu_millicores" integer NOT NULL,
	"memory_mib" integer NOT NULL,
	"disk_mib" integer NOT NULL,
	"pids" integer NOT NULL,
	"container_id" text,
	"resources_pending" boolean DEFAULT false NOT NULL,
	"last_error" text,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"image" text NOT NULL,
	"cpu_millicores" integer NOT NULL,
	"memory_mib" integer NOT NULL,
	"disk_mib" integer NOT NULL,
	"env" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"start_command" jsonb,
	"enabled" boolean DEFAULT true NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slot_events" ADD CONSTRAINT "slot_events_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "slot_events_slot_idx" ON "slot_events" USING btree ("slot_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "slots_owner_name_key" ON "slots" USING btree ("owner_id",lower("name")) WHERE "slots"."status" <> 'deleted';--> statement-breakpoint
CREATE INDEX "slots_owner_idx" ON "slots" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "slots_status_idx" ON "slots" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "templates_slug_key" ON "templates" USING btree ("slug");--> statement-breakpoint
INSERT INTO "plans" ("id", "name", "description", "max_slots", "max_running", "cpu_millicores", "memory_mib", "disk_mib", "pids", "idle_timeout_minutes", "max_uptime_minutes", "price_per_hour_cents", "is_default") VALUES
  ('free', 'Free', 'Try Berth: two small slots, one running at a time.', 2, 1, 1000, 1024, 2048, 256, 30, 480, 0, true),
  ('pro', 'Pro', 'For daily work: ten slots, five running.', 10, 5, 2000, 4096, 10240, 1024, 120, NULL, 5, false),
  ('team', 'Team', 'For teams and heavy builds.', 50, 20, 4000, 8192, 51200, 2048, 240, NULL, 12, false)
ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
INSERT INTO "templates" ("id", "slug", "name", "description", "image", "cpu_millicores", "memory_mib", "disk_mib", "env", "start_command", "enabled", "is_default") VALUES
  ('tpl_default', 'default', 'Debian workspace', 'Debian 12 with bash, git, curl, tmux, python3 and nano (npm run images builds it).', 'berth/workspace:latest', 1000, 1024, 2048, '{}'::jsonb, NULL, true, true)
ON CONFLICT ("id") DO NOTHING;
