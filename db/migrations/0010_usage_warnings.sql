CREATE TABLE "usage_warnings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"threshold_percent" integer NOT NULL,
	"period_start" date NOT NULL,
	"used" bigint NOT NULL,
	"limit" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_warnings_metric_check" CHECK ("usage_warnings"."metric" in ('files', 'api_calls', 'storage')),
	CONSTRAINT "usage_warnings_threshold_check" CHECK ("usage_warnings"."threshold_percent" in (80, 90, 100))
);
--> statement-breakpoint
ALTER TABLE "usage_warnings" ADD CONSTRAINT "usage_warnings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "usage_warnings_once_per_period_idx" ON "usage_warnings" USING btree ("tenant_id","metric","threshold_percent","period_start");