import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The last period each periodic job completed (platform data, written only by the owning role), so a process
 * that starts after downtime runs the periods nobody ran. `running_until` is a lease: the one process that
 * holds it catches the job up; others skip it until the lease ends (a crashed holder's lease runs out).
 */
export const scheduleRuns = pgTable('schedule_runs', {
  job: text('job').primaryKey(),
  /** YYYY-MM for monthly jobs, YYYY-MM-DD for daily ones; null until the job first completes a period. */
  lastCompletedPeriod: text('last_completed_period'),
  runningUntil: timestamp('running_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
