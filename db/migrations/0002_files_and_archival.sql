CREATE TABLE "archival_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"description" text NOT NULL,
	"applies_to" text NOT NULL,
	"min_age_days" integer NOT NULL,
	"storage_class" text NOT NULL,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "archival_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"files_considered" integer DEFAULT 0 NOT NULL,
	"files_archived" integer DEFAULT 0 NOT NULL,
	"files_failed" integer DEFAULT 0 NOT NULL,
	"bytes_archived" bigint DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"project" text,
	"uploaded_by" uuid,
	"filename" text NOT NULL,
	"extension" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text,
	"storage_key" text NOT NULL,
	"status" text DEFAULT 'uploaded' NOT NULL,
	"is_temporary" boolean DEFAULT false NOT NULL,
	"storage_tier" text DEFAULT 'hot' NOT NULL,
	"archive_key" text,
	"archive_storage_class" text,
	"archived_at" timestamp with time zone,
	"archival_step" text,
	"archival_run_id" uuid,
	"restore_requested_at" timestamp with time zone,
	"restore_ready_at" timestamp with time zone,
	"restore_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "files_status_check" CHECK ("files"."status" in ('uploading', 'uploaded', 'processing', 'completed', 'failed')),
	CONSTRAINT "files_storage_tier_check" CHECK ("files"."storage_tier" in ('hot', 'archived', 'restoring', 'restored')),
	CONSTRAINT "files_size_check" CHECK ("files"."size_bytes" >= 0)
);
--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "archival_runs_started_idx" ON "archival_runs" USING btree ("started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "files_tenant_status_idx" ON "files" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "files_tenant_created_idx" ON "files" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "files_hot_created_idx" ON "files" USING btree ("created_at") WHERE storage_tier = 'hot';