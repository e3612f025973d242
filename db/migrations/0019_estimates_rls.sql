-- Estimates, their index outbox and the embedded vector store are tenant-owned: row-level security FORCED.
-- Request code reads and writes estimates and queues outbox rows in the same transaction; it only reads vectors
-- (search). The vector-index job applies the outbox as the owning role.
SELECT sitework_protect_tenant_table('cost_estimates');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('estimate_index_outbox');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('vector_points');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('vector_tenant_state');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON cost_estimates TO sitework_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON estimate_index_outbox TO sitework_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE estimate_index_outbox_id_seq TO sitework_app;
--> statement-breakpoint
GRANT SELECT ON vector_points, vector_tenant_state TO sitework_app;
--> statement-breakpoint
-- Reindex runs are the operators' (platform data); request code may read progress.
GRANT SELECT ON vector_reindex_runs TO sitework_app;
--> statement-breakpoint
-- Deleted points cannot be seen by fetching what changed since a seq: count them per tenant, so a process that
-- cached a tenant's vectors knows to reload them (lib/vectors/postgres-store.ts).
CREATE FUNCTION sitework_count_vector_deletions() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- Not for a tenant being deleted (the points go with it by cascade): its state row could not reference it.
  INSERT INTO vector_tenant_state AS s (tenant_id, deletions)
    SELECT d.tenant_id, count(*) FROM deleted_points d
    WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id)
    GROUP BY d.tenant_id
  ON CONFLICT (tenant_id) DO UPDATE SET deletions = s.deletions + excluded.deletions;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER vector_points_count_deletions AFTER DELETE ON vector_points
  REFERENCING OLD TABLE AS deleted_points FOR EACH STATEMENT EXECUTE FUNCTION sitework_count_vector_deletions();
