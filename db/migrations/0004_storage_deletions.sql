CREATE TABLE "storage_deletions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid,
	"bucket" text NOT NULL,
	"object_key" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "storage_deletions_pending_idx" ON "storage_deletions" USING btree ("created_at") WHERE deleted_at IS NULL;--> statement-breakpoint
-- Written by request code (INSERT only), swept by the platform.
GRANT INSERT ON storage_deletions TO sitework_app;
