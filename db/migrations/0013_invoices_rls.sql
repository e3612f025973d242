-- Invoices, their lines and the plan history are tenant-owned: row-level security FORCED. They are written only
-- on the platform path (the invoice run, operators, plan changes, Stripe webhooks); request code reads them.
SELECT sitework_protect_tenant_table('invoices');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('invoice_lines');
--> statement-breakpoint
SELECT sitework_protect_tenant_table('tenant_plan_changes');
--> statement-breakpoint
GRANT SELECT ON invoices, invoice_lines, tenant_plan_changes TO sitework_app;
--> statement-breakpoint
-- Invoice numbers are given at finalization from one sequence (SW-YYYYMM-000042).
CREATE SEQUENCE invoice_number_seq;
--> statement-breakpoint
-- Tenants that existed before plan history: their current plan since they were created.
INSERT INTO tenant_plan_changes (tenant_id, from_plan, to_plan, effective_at, source)
SELECT id, NULL, plan, created_at, 'backfill' FROM tenants;
