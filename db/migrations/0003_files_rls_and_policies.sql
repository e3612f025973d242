-- Files are tenant-owned: row-level security FORCED, request code sees only its tenant's files.
SELECT sitework_protect_tenant_table('files');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON files TO sitework_app;
--> statement-breakpoint
-- Policies and runs are platform data: the archival job and the operator console use the owner role; request
-- code may read policies (to explain an archived file) and runs (progress) but never change them.
GRANT SELECT ON archival_policies, archival_runs TO sitework_app;
--> statement-breakpoint
INSERT INTO archival_policies (id, description, applies_to, min_age_days, storage_class) VALUES
  ('completed-files', 'Completed files older than 365 days', 'completed', 365, 'GLACIER'),
  ('failed-files', 'Failed files older than 90 days', 'failed', 90, 'STANDARD_IA'),
  ('temporary-files', 'Temporary files older than 7 days', 'temporary', 7, 'GLACIER'),
  ('log-exports', 'Audit and log exports older than 30 days', 'audit_export', 30, 'STANDARD_IA')
ON CONFLICT (id) DO NOTHING;
