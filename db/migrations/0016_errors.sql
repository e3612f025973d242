CREATE TABLE "error_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"group_id" uuid NOT NULL,
	"tenant_id" uuid,
	"occurred_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"route" text,
	"method" text,
	"status" integer,
	"error_type" text NOT NULL,
	"message" text NOT NULL,
	"stack" text,
	"request_id" text,
	"trace_id" text,
	"release" text,
	"user_agent" text,
	"user_key" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "error_events_source_check" CHECK ("error_events"."source" in ('server', 'action', 'render', 'job', 'client'))
);
--> statement-breakpoint
CREATE TABLE "error_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"fingerprint" text NOT NULL,
	"title" text NOT NULL,
	"culprit" text,
	"error_type" text NOT NULL,
	"status" text DEFAULT 'unresolved' NOT NULL,
	"is_regression" boolean DEFAULT false NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"event_count" bigint DEFAULT 0 NOT NULL,
	"users_affected" integer DEFAULT 0 NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "error_groups_status_check" CHECK ("error_groups"."status" in ('unresolved', 'resolved', 'ignored'))
);
--> statement-breakpoint
CREATE TABLE "error_hourly" (
	"group_id" uuid NOT NULL,
	"tenant_id" uuid,
	"hour_start" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "error_hourly_pkey" PRIMARY KEY("group_id","hour_start")
);
--> statement-breakpoint
ALTER TABLE "error_events" ADD CONSTRAINT "error_events_group_id_error_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."error_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "error_events" ADD CONSTRAINT "error_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "error_groups" ADD CONSTRAINT "error_groups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "error_hourly" ADD CONSTRAINT "error_hourly_group_id_error_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."error_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "error_hourly" ADD CONSTRAINT "error_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "error_events_tenant_occurred_idx" ON "error_events" USING btree ("tenant_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "error_events_group_occurred_idx" ON "error_events" USING btree ("group_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "error_events_group_user_idx" ON "error_events" USING btree ("group_id","user_key") WHERE "error_events"."user_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "error_groups_fingerprint_key" ON "error_groups" USING btree (coalesce("tenant_id", '00000000-0000-0000-0000-000000000000'::uuid),"fingerprint");--> statement-breakpoint
CREATE INDEX "error_groups_tenant_last_seen_idx" ON "error_groups" USING btree ("tenant_id","last_seen" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "error_hourly_tenant_hour_idx" ON "error_hourly" USING btree ("tenant_id","hour_start");