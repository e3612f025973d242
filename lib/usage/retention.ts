import 'server-only';
import { sql } from 'drizzle-orm';
import { tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { platformDb, withPlatform } from '@/lib/tenancy';

const DAY_MS = 86_400_000;
/**
 * Scripts may report events up to 366 days old (lib/usage/input.ts). A raw row is what makes a replayed id
 * count once, so rows must outlive that window: pruning younger ones would let a replay count twice.
 */
const REPORTABLE_DAYS = 366;
const DEFAULT_BATCH_SIZE = 10_000;

/**
 * Deletes raw usage events that occurred before now − olderThanDays, as the owning role (request code cannot
 * delete usage). Per tenant, in batches of `batchSize` rows, each its own short statement through the
 * (tenant_id, occurred_at) index, so no single DELETE holds locks for long. The rollups are never pruned:
 * they keep the totals.
 */
export async function pruneUsageEvents({
  olderThanDays,
  now = new Date(),
  batchSize = DEFAULT_BATCH_SIZE,
}: {
  olderThanDays: number;
  now?: Date;
  batchSize?: number;
}): Promise<{ deleted: number }> {
  if (!Number.isInteger(olderThanDays) || olderThanDays < REPORTABLE_DAYS) {
    throw new AppError('bad_request', `Raw usage events must be kept at least ${REPORTABLE_DAYS} days (got ${olderThanDays})`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AppError('bad_request', `Invalid batch size: ${batchSize}`);
  const cutoff = new Date(now.getTime() - olderThanDays * DAY_MS).toISOString();

  // Inactive tenants too: their old events are as stale as anyone's.
  const all = await withPlatform((tx) => tx.select({ id: tenants.id }).from(tenants));
  let deleted = 0;
  for (const { id } of all) {
    for (;;) {
      const [batch] = await platformDb().execute<{ deleted: number }>(sql`
        WITH doomed AS (
          SELECT id FROM usage_events WHERE tenant_id = ${id}::uuid AND occurred_at < ${cutoff}::timestamptz LIMIT ${batchSize}
        ),
        removed AS (
          DELETE FROM usage_events e USING doomed d WHERE e.tenant_id = ${id}::uuid AND e.id = d.id RETURNING 1
        )
        SELECT count(*)::int AS deleted FROM removed`);
      const count = Number(batch?.deleted ?? 0);
      deleted += count;
      if (count < batchSize) break;
    }
  }
  return { deleted };
}
