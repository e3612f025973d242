-- Audit log: tenant-owned rows (RLS forced; tenant_id null = the platform's chain, which tenants never see), an
-- append-only hash chain per tenant maintained by triggers, and the one privileged purge used by retention.
SELECT sitework_protect_tenant_table('audit_logs');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('audit_chain_heads', 'chain_key');
--> statement-breakpoint
-- Request code appends and reads its tenant's events and reads its chain's head (verification); nothing else.
GRANT SELECT, INSERT ON audit_logs TO sitework_app;
--> statement-breakpoint
GRANT SELECT ON audit_chain_heads TO sitework_app;
--> statement-breakpoint
-- The canonical form a row's hash covers: every column but the chain's own (seq is included, prev_hash is the
-- other half of the hash input). jsonb's text output is deterministic (keys ordered), so this is stable.
CREATE FUNCTION sitework_audit_canonical(r audit_logs) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'id', r.id,
    'tenant_id', r.tenant_id,
    'seq', r.seq,
    'occurred_at', to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'event_type', r.event_type,
    'action', r.action,
    'outcome', r.outcome,
    'actor', jsonb_build_object('type', r.actor_type, 'id', r.actor_id, 'name', r.actor_name),
    'target', jsonb_build_object('type', r.target_type, 'id', r.target_id, 'name', r.target_name),
    'ip', r.ip,
    'user_agent', r.user_agent,
    'request_id', r.request_id,
    'metadata', r.metadata
  )::text
$$;
--> statement-breakpoint
CREATE FUNCTION sitework_audit_hash(prev_hash text, canonical text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(prev_hash || canonical, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- Chains a new row: locks its chain's head (FOR UPDATE, held to the end of the writer's transaction, so writers
-- of one tenant take turns and a rolled-back write leaves no gap), then sets seq, prev_hash and hash.
-- SECURITY DEFINER: request code may not write the heads itself.
CREATE FUNCTION sitework_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_key uuid := coalesce(NEW.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid);
  v_seq bigint;
  v_prev text;
BEGIN
  INSERT INTO audit_chain_heads (chain_key) VALUES (v_key) ON CONFLICT (chain_key) DO NOTHING;
  SELECT last_seq, last_hash INTO v_seq, v_prev FROM audit_chain_heads WHERE chain_key = v_key FOR UPDATE;
  NEW.seq := v_seq + 1;
  NEW.prev_hash := v_prev;
  NEW.hash := sitework_audit_hash(v_prev, sitework_audit_canonical(NEW));
  UPDATE audit_chain_heads SET last_seq = NEW.seq, last_hash = NEW.hash WHERE chain_key = v_key;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION sitework_audit_chain();
--> statement-breakpoint
-- Append-only: no UPDATE, no DELETE, no TRUNCATE, except the purge below (which sets the flag for its own statement).
CREATE FUNCTION sitework_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('sitework.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs FOR EACH ROW EXECUTE FUNCTION sitework_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs FOR EACH STATEMENT EXECUTE FUNCTION sitework_audit_refuse_change();
--> statement-breakpoint
-- Retention: deletes a chain's rows up to and including seq p_through_seq (after the caller archived them) and
-- remembers the last deleted row's hash in the head, where verification of what remains starts.
CREATE FUNCTION sitework_audit_purge(p_tenant uuid, p_through_seq bigint) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_key uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000'::uuid);
  v_hash text;
  v_count bigint;
BEGIN
  SELECT hash INTO v_hash FROM audit_logs
    WHERE coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) = v_key AND seq = p_through_seq;
  IF v_hash IS NULL THEN
    RAISE EXCEPTION 'no audit row % in chain %', p_through_seq, v_key;
  END IF;
  PERFORM set_config('sitework.audit_purge', 'on', true);
  IF p_tenant IS NULL THEN
    DELETE FROM audit_logs WHERE tenant_id IS NULL AND seq <= p_through_seq;
  ELSE
    DELETE FROM audit_logs WHERE tenant_id = p_tenant AND seq <= p_through_seq;
  END IF;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  PERFORM set_config('sitework.audit_purge', 'off', true);
  UPDATE audit_chain_heads SET purged_through_seq = p_through_seq, purged_last_hash = v_hash WHERE chain_key = v_key;
  RETURN v_count;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION sitework_audit_purge(uuid, bigint) FROM PUBLIC;
