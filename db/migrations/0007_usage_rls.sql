-- Usage events and their rollups are tenant-owned: row-level security FORCED on all three. Request code (the
-- ingestion endpoint, the wrapper's flusher through withTenant) inserts events and upserts rollups; nothing
-- in request code deletes usage.
SELECT sitework_protect_tenant_table('usage_events');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('usage_hourly');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('usage_daily');
--> statement-breakpoint
GRANT SELECT, INSERT ON usage_events TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON usage_hourly, usage_daily TO sitework_app;
