ALTER TABLE "files" ADD COLUMN "etag" text;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "failure_reason" text;--> statement-breakpoint
-- Events stored before this migration become 'server': which of them a script reported cannot be told afterwards.
ALTER TABLE "usage_events" ADD COLUMN "source" text DEFAULT 'server' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" DROP CONSTRAINT "usage_events_pkey";
--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_pkey" PRIMARY KEY("tenant_id","source","id");--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_source_check" CHECK ("usage_events"."source" in ('server', 'client'));