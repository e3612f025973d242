ALTER TABLE "plans" ADD COLUMN "max_estimates" integer;--> statement-breakpoint
-- Estimates a tenant may hold at once; Enterprise has no limit (null).
UPDATE plans SET max_estimates = CASE id WHEN 'free' THEN 1000 WHEN 'starter' THEN 10000 WHEN 'professional' THEN 100000 END
WHERE id IN ('free', 'starter', 'professional');
