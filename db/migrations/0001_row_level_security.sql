-- Row-level security: the last line of tenant isolation.
-- Request code runs as sitework_app (no superuser, no BYPASSRLS) with app.tenant_id set per transaction;
-- platform work runs as the role that owns the tables and ran this migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sitework_app') THEN
    CREATE ROLE sitework_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
--> statement-breakpoint
-- A non-superuser owner must be a member of sitework_app to connect with role=sitework_app.
GRANT sitework_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO sitework_app;
--> statement-breakpoint
CREATE FUNCTION sitework_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
-- Enables and FORCES RLS on a table: sitework_app sees and writes only rows of app.tenant_id; the owner
-- role that runs migrations keeps full access for platform work (FORCE would otherwise filter it too).
CREATE FUNCTION sitework_protect_tenant_table(tbl regclass, tenant_column text DEFAULT 'tenant_id') RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s TO sitework_app USING (%I = sitework_tenant_id()) WITH CHECK (%I = sitework_tenant_id())',
    tbl, tenant_column, tenant_column);
  EXECUTE format('CREATE POLICY platform_access ON %s TO %I USING (true) WITH CHECK (true)', tbl, current_user);
END $$;
--> statement-breakpoint
SELECT sitework_protect_tenant_table('tenants', 'id');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('tenant_settings');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('memberships');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('invitations');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('api_keys');
--> statement-breakpoint
-- Grants: only what request code needs. Tenants are created and re-planned on the platform path.
GRANT SELECT ON tenants TO sitework_app;
--> statement-breakpoint
GRANT UPDATE (name, logo_url, updated_at) ON tenants TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON tenant_settings TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON invitations TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON api_keys TO sitework_app;
--> statement-breakpoint
-- Users are global (one person, many tenants): request code may read who someone is, never the hash.
GRANT SELECT (id, email, name, is_platform_admin, created_at) ON users TO sitework_app;
--> statement-breakpoint
GRANT INSERT ON email_outbox TO sitework_app;
