CREATE TABLE "schedule_runs" (
	"job" text PRIMARY KEY NOT NULL,
	"last_completed_period" text,
	"running_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
