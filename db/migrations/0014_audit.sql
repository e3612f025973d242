CREATE TABLE "audit_chain_heads" (
	"chain_key" uuid PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"last_hash" text DEFAULT repeat('0', 64) NOT NULL,
	"purged_through_seq" bigint DEFAULT 0 NOT NULL,
	"purged_last_hash" text DEFAULT repeat('0', 64) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"seq" bigint DEFAULT 0 NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"event_type" text NOT NULL,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_name" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"target_name" text,
	"ip" text,
	"user_agent" text,
	"request_id" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prev_hash" text DEFAULT '' NOT NULL,
	"hash" text DEFAULT '' NOT NULL,
	CONSTRAINT "audit_logs_event_type_check" CHECK ("audit_logs"."event_type" in ('login', 'login_failed', 'logout', 'file_upload', 'file_download', 'file_delete', 'data_access', 'data_modify', 'data_delete', 'config_change', 'security_event', 'api_call', 'workflow_execution', 'error')),
	CONSTRAINT "audit_logs_outcome_check" CHECK ("audit_logs"."outcome" in ('success', 'failure')),
	CONSTRAINT "audit_logs_actor_type_check" CHECK ("audit_logs"."actor_type" in ('user', 'api_key', 'system'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_logs_chain_seq_key" ON "audit_logs" USING btree (coalesce("tenant_id", '00000000-0000-0000-0000-000000000000'::uuid),"seq");--> statement-breakpoint
CREATE INDEX "audit_logs_tenant_seq_idx" ON "audit_logs" USING btree ("tenant_id","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_tenant_action_idx" ON "audit_logs" USING btree ("tenant_id","action","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_tenant_type_idx" ON "audit_logs" USING btree ("tenant_id","event_type","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_tenant_actor_idx" ON "audit_logs" USING btree ("tenant_id","actor_id","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_tenant_target_idx" ON "audit_logs" USING btree ("tenant_id","target_type","target_id","seq" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_tenant_occurred_idx" ON "audit_logs" USING btree ("tenant_id","occurred_at");