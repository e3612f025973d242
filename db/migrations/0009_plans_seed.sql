-- Plans are platform data: no row-level security; the owner role (operators, jobs) edits them, request code
-- only reads them. Money in integer cents, storage in bytes (GiB = 2^30).
GRANT SELECT ON plans TO sitework_app;
--> statement-breakpoint
INSERT INTO plans (id, name, price_cents, files_per_month, storage_bytes, api_calls_per_month, extra_file_cents,
  storage_gib_month_cents, per_1k_api_calls_cents, is_hard_limit, requests_per_minute) VALUES
  ('free', 'Free', 0, 100, 10737418240, 10000, 50, 1000, 10, true, 600),
  ('starter', 'Starter', 2900, 300, 26843545600, 30000, 50, 1000, 10, true, 1200),
  ('professional', 'Professional', 9900, 1000, 107374182400, 100000, 50, 1000, 10, true, 3000),
  ('enterprise', 'Enterprise', 99900, 10000, 1099511627776, 1000000, 25, 500, 5, false, 10000)
ON CONFLICT (id) DO NOTHING;
