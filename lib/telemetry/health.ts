import 'server-only';
import { sql } from 'drizzle-orm';
import { appDb, ownerDb } from '@/db/client';
import { checkBuckets } from '@/lib/storage';
import { logger } from './logger';

export interface TReadiness {
  status: 'ok' | 'unavailable';
  checks: Record<string, { ok: boolean; ms: number }>;
}

// The probe is public: failures are logged with their cause, and the response says only what failed.
async function timed(name: string, check: () => Promise<unknown>): Promise<{ ok: boolean; ms: number }> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3_000))]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    logger.warn({ err: error, check: name }, 'readiness check failed');
    return { ok: false, ms: Math.round(performance.now() - started) };
  }
}

export async function checkReadiness(): Promise<TReadiness> {
  const [database, databaseAppRole, storage] = await Promise.all([
    timed('database', () => ownerDb().execute(sql`select 1`)),
    timed('databaseAppRole', () => appDb().execute(sql`select 1`)),
    timed('storage', () => checkBuckets()),
  ]);
  const checks = { database, databaseAppRole, storage };
  return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'unavailable', checks };
}
