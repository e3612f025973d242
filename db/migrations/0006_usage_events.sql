CREATE TABLE "usage_daily" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"event_type" text NOT NULL,
	"route" text DEFAULT '' NOT NULL,
	"count" bigint NOT NULL,
	"quantity_sum" bigint NOT NULL,
	CONSTRAINT "usage_daily_pkey" PRIMARY KEY("tenant_id","day","event_type","route"),
	CONSTRAINT "usage_daily_type_check" CHECK ("usage_daily"."event_type" in ('api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate'))
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"quantity" bigint NOT NULL,
	"route" text,
	"method" text,
	"status" integer,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_events_pkey" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "usage_events_type_check" CHECK ("usage_events"."event_type" in ('api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate')),
	CONSTRAINT "usage_events_quantity_check" CHECK ("usage_events"."quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "usage_hourly" (
	"tenant_id" uuid NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"event_type" text NOT NULL,
	"route" text DEFAULT '' NOT NULL,
	"count" bigint NOT NULL,
	"quantity_sum" bigint NOT NULL,
	CONSTRAINT "usage_hourly_pkey" PRIMARY KEY("tenant_id","hour_start","event_type","route"),
	CONSTRAINT "usage_hourly_type_check" CHECK ("usage_hourly"."event_type" in ('api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate'))
);
--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_hourly" ADD CONSTRAINT "usage_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_events_tenant_occurred_idx" ON "usage_events" USING btree ("tenant_id","occurred_at" DESC NULLS LAST);