CREATE TABLE "slot_metrics" (
	"slot_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"cpu_millicores" integer NOT NULL,
	"memory_bytes" bigint NOT NULL,
	"memory_limit_bytes" bigint NOT NULL,
	"disk_bytes" bigint,
	"network_rx_bytes" bigint NOT NULL,
	"network_tx_bytes" bigint NOT NULL,
	"pids" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slots" ADD COLUMN "autostop_warned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slot_metrics" ADD CONSTRAINT "slot_metrics_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "slot_metrics_slot_at_idx" ON "slot_metrics" USING btree ("slot_id","at");--> statement-breakpoint
CREATE INDEX "slot_metrics_at_idx" ON "slot_metrics" USING btree ("at");