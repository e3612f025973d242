-- Error groups, events and hourly counts are tenant-owned: row-level security FORCED on all three. The policy
-- (tenant_id = sitework_tenant_id()) also hides the platform's own errors (tenant_id NULL) from every tenant;
-- operators read them on the platform path. Request code (the capture flusher through withTenant, the errors API)
-- inserts events, upserts groups and hourly counts, and changes a group's status; nothing in request code deletes.
SELECT sitework_protect_tenant_table('error_groups');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('error_events');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('error_hourly');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON error_groups, error_hourly TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON error_events TO sitework_app;
