ALTER TABLE "invitations" ADD COLUMN "failed_password_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "invitations_per_day" integer DEFAULT 20 NOT NULL;--> statement-breakpoint
-- Invitations a tenant may send per UTC day, by plan (operators change them in the plan editor).
UPDATE plans SET invitations_per_day = CASE id
  WHEN 'free' THEN 20 WHEN 'starter' THEN 100 WHEN 'professional' THEN 500 WHEN 'enterprise' THEN 2000
  ELSE invitations_per_day END;
