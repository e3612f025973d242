-- Users are global (one person, many tenants), so request code could read every account's email. Row-level
-- security now lets sitework_app see only the users who are members of the tenant of its transaction; the
-- owning role (sign-in, sign-up, the operator console) keeps full access.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY members_of_tenant ON users FOR SELECT TO sitework_app
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.tenant_id = sitework_tenant_id()));
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('CREATE POLICY platform_access ON users TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
