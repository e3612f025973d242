import 'server-only';
import { sql } from 'drizzle-orm';
import { AppError } from '@/lib/app-error';
import { platformDb } from '@/lib/tenancy';

/**
 * Counts one attempt against `limit` per fixed window and throws rate_limited (with Retry-After) past it.
 * The counters live in rate_limits beside the password-attempt counters, in their row format (points, expire in
 * epoch ms; the hourly prunePasswordAttempts deletes them once expired), under their own keys; one atomic upsert
 * per attempt, so concurrent requests of every process count exactly. Callers count every attempt, whatever it
 * finds, so that a refusal tells nothing about what exists.
 */
export async function countAttempt(key: string, limit: number, windowSeconds: number, refusal: string): Promise<void> {
  const nowMs = Date.now();
  const [row] = await platformDb().execute<{ points: number; expire: string }>(sql`
    insert into rate_limits (key, points, expire) values (${key}, 1, ${nowMs + windowSeconds * 1000})
    on conflict (key) do update set
      points = case when rate_limits.expire <= ${nowMs} then 1 else rate_limits.points + 1 end,
      expire = case when rate_limits.expire <= ${nowMs} then excluded.expire else rate_limits.expire end
    returning points, expire`);
  if (row.points <= limit) return;
  const retryAfterSeconds = Math.max(1, Math.ceil((Number(row.expire) - nowMs) / 1000));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  throw new AppError('rate_limited', `${refusal} Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
}
