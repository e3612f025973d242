import 'server-only';
import { sql } from 'drizzle-orm';
import { appDb, ownerDb } from '@/db/client';
import { checkBuckets } from '@/lib/storage';

export interface TReadiness {
  status: 'ok' | 'unavailable';
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

async function timed(check: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3_000))]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

export async function checkReadiness(): Promise<TReadiness> {
  const [database, databaseAppRole, storage] = await Promise.all([
    timed(() => ownerDb().execute(sql`select 1`)),
    timed(() => appDb().execute(sql`select 1`)),
    timed(() => checkBuckets()),
  ]);
  const checks = { database, databaseAppRole, storage };
  return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'unavailable', checks };
}
