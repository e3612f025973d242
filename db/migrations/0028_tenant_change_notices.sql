-- Every process caches who an API key is, what a tenant is, its members' roles and its API quota until told
-- otherwise (lib/cluster, topic 'tenant'). A trigger, not the code that makes the change, tells it: a key revoked, a
-- member's role changed or removed, a tenant deactivated or moved to another plan is announced whoever changes the
-- row (the app, an operator's SQL, a script). NOTIFY is delivered at commit, and not at all on rollback. TG_ARGV
-- lists the columns whose change alone is not worth a notice (a key's last use, written once a minute).
CREATE OR REPLACE FUNCTION sitework_announce_tenant_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ignored text[] := TG_ARGV;
  old_row jsonb := to_jsonb(OLD);
BEGIN
  IF TG_OP = 'UPDATE' AND (old_row - ignored) = (to_jsonb(NEW) - ignored) THEN
    RETURN NULL;
  END IF;
  -- The tenant the row belongs to: tenant_id, or the tenant's own id.
  PERFORM pg_notify('sitework_changes', json_build_object('topic', 'tenant', 'key', coalesce(old_row ->> 'tenant_id', old_row ->> 'id'))::text);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_announce_change AFTER UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION sitework_announce_tenant_change('last_used_at');
--> statement-breakpoint
CREATE TRIGGER memberships_announce_change AFTER UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION sitework_announce_tenant_change('updated_at');
--> statement-breakpoint
CREATE TRIGGER tenants_announce_change AFTER UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION sitework_announce_tenant_change('updated_at', 'stripe_customer_id', 'logo_url', 'custom_domain');
