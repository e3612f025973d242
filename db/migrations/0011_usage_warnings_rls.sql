-- Quota warnings are tenant-owned: row-level security FORCED. The warning check (inside withTenant) inserts
-- them with ON CONFLICT DO NOTHING and the portal reads them; nothing in request code changes or deletes one.
SELECT sitework_protect_tenant_table('usage_warnings');
--> statement-breakpoint
GRANT SELECT, INSERT ON usage_warnings TO sitework_app;
