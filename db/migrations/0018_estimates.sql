-- The materials part of an estimate, recomputed from its jsonb lines exactly as lib/estimates/model.ts does it:
-- each line quantity × unit cost rounded half away from zero to whole cents, then summed. A CHECK holds the stored
-- figure to it, so no code path can store a total that does not add up.
CREATE FUNCTION sitework_estimate_materials_cents(materials jsonb) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(sum(round((line->>'quantity')::numeric * (line->>'unitCostCents')::numeric)), 0)::bigint
  FROM jsonb_array_elements(materials) AS line
$$;
--> statement-breakpoint
CREATE SEQUENCE vector_points_seq;
--> statement-breakpoint
CREATE TABLE "cost_estimates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"project" text NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"city" text DEFAULT '' NOT NULL,
	"materials" jsonb NOT NULL,
	"labor_rate_cents" bigint NOT NULL,
	"labor_hours" numeric(18, 6) NOT NULL,
	"equipment_rate_cents" bigint NOT NULL,
	"equipment_hours" numeric(18, 6) NOT NULL,
	"materials_cost_cents" bigint NOT NULL,
	"labor_cost_cents" bigint NOT NULL,
	"equipment_cost_cents" bigint NOT NULL,
	"total_cost_cents" bigint NOT NULL,
	"currency" text NOT NULL,
	"source_file_id" uuid,
	"created_by" uuid,
	"created_by_api_key_id" uuid,
	"embedding_version" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cost_estimates_currency_check" CHECK ("cost_estimates"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "cost_estimates_amounts_check" CHECK ("cost_estimates"."labor_rate_cents" >= 0 and "cost_estimates"."labor_hours" >= 0 and "cost_estimates"."equipment_rate_cents" >= 0 and "cost_estimates"."equipment_hours" >= 0),
	CONSTRAINT "cost_estimates_total_check" CHECK ("cost_estimates"."total_cost_cents" = "cost_estimates"."materials_cost_cents" + "cost_estimates"."labor_cost_cents" + "cost_estimates"."equipment_cost_cents"),
	CONSTRAINT "cost_estimates_labor_cost_check" CHECK ("cost_estimates"."labor_cost_cents" = round("cost_estimates"."labor_hours" * "cost_estimates"."labor_rate_cents")),
	CONSTRAINT "cost_estimates_equipment_cost_check" CHECK ("cost_estimates"."equipment_cost_cents" = round("cost_estimates"."equipment_hours" * "cost_estimates"."equipment_rate_cents")),
	CONSTRAINT "cost_estimates_materials_cost_check" CHECK ("cost_estimates"."materials_cost_cents" = sitework_estimate_materials_cents("cost_estimates"."materials"))
);
--> statement-breakpoint
CREATE TABLE "estimate_index_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"estimate_id" uuid NOT NULL,
	"op" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "estimate_index_outbox_op_check" CHECK ("estimate_index_outbox"."op" in ('upsert', 'delete'))
);
--> statement-breakpoint
CREATE TABLE "vector_points" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"vector" "bytea" NOT NULL,
	"version" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"seq" bigint DEFAULT nextval('vector_points_seq') NOT NULL,
	CONSTRAINT "vector_points_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "vector_reindex_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"embedding_version" text NOT NULL,
	"total_estimates" integer DEFAULT 0 NOT NULL,
	"indexed_estimates" integer DEFAULT 0 NOT NULL,
	"requested_by" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "vector_reindex_runs_status_check" CHECK ("vector_reindex_runs"."status" in ('queued', 'running', 'done', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "vector_tenant_state" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"deletions" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cost_estimates" ADD CONSTRAINT "cost_estimates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_estimates" ADD CONSTRAINT "cost_estimates_source_file_id_files_id_fk" FOREIGN KEY ("source_file_id") REFERENCES "public"."files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_estimates" ADD CONSTRAINT "cost_estimates_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cost_estimates" ADD CONSTRAINT "cost_estimates_created_by_api_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "estimate_index_outbox" ADD CONSTRAINT "estimate_index_outbox_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vector_points" ADD CONSTRAINT "vector_points_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vector_reindex_runs" ADD CONSTRAINT "vector_reindex_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vector_reindex_runs" ADD CONSTRAINT "vector_reindex_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vector_tenant_state" ADD CONSTRAINT "vector_tenant_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cost_estimates_tenant_created_idx" ON "cost_estimates" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cost_estimates_tenant_total_idx" ON "cost_estimates" USING btree ("tenant_id","total_cost_cents" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "cost_estimates_tenant_name_idx" ON "cost_estimates" USING btree ("tenant_id",lower("name"),"id");--> statement-breakpoint
CREATE INDEX "estimate_index_outbox_available_idx" ON "estimate_index_outbox" USING btree ("available_at","id");--> statement-breakpoint
CREATE INDEX "vector_points_tenant_seq_idx" ON "vector_points" USING btree ("tenant_id","seq");--> statement-breakpoint
CREATE INDEX "vector_reindex_runs_created_idx" ON "vector_reindex_runs" USING btree ("created_at" DESC NULLS LAST);