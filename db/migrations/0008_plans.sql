CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"price_cents" integer NOT NULL,
	"files_per_month" integer NOT NULL,
	"storage_bytes" bigint NOT NULL,
	"api_calls_per_month" integer NOT NULL,
	"extra_file_cents" integer NOT NULL,
	"storage_gib_month_cents" integer NOT NULL,
	"per_1k_api_calls_cents" integer NOT NULL,
	"is_hard_limit" boolean DEFAULT true NOT NULL,
	"requests_per_minute" integer NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
