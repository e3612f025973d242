import 'server-only';
import { onChange } from '@/lib/cluster';
import { processWide } from '@/lib/runtime';
import { AppError } from '@/lib/app-error';
import { logger } from '@/lib/telemetry';
import { readApiCallQuotaUse } from '@/lib/usage';
import type { TTenantCaller } from './caller';
import { cachedPlan } from './plan-cache';
import { consumeRequest, DEFAULT_REQUESTS_PER_MINUTE } from './rate-limit';

/**
 * The monthly API-call quota, checked without a database round trip on the request path. Per tenant, this
 * process keeps the month's api_call total from the daily rollup (re-read in the background at most every
 * 30 s; only a tenant's first request in a process awaits the read) plus the calls it admitted since that read.
 *
 * With several processes the quota can be overshot by what the other processes served since this one's last
 * read (~30 s) plus the calls still in the usage buffers (~1 s), never undershot: a call admitted after a read
 * cannot be in that read's total, so nothing is counted twice. Calls refused here are not metered (no work).
 */
const QUOTA_REFRESH_MS = 30_000;

interface TTenantQuota {
  monthStartMs: number;
  limit: number;
  usedAtLoad: number;
  admittedSinceLoad: number;
  /** 0 until the first read has finished. */
  loadedAtMs: number;
  loading: Promise<void> | null;
  /** Reads started, so that an older read finishing late is ignored. */
  reads: number;
}

/** The reader, behind an object so tests can spy on how often it runs. */
export const quotaLoader = { load: readApiCallQuotaUse };

// One count per process (not per route bundle): see lib/runtime. A change of a tenant's row (its plan and so its
// quota) is announced to every process by a trigger (lib/cluster), and each re-reads that tenant's limit and count.
const quotas = processWide('api-quotas', () => {
  onChange('tenant', (tenantId) => {
    if (tenantId === null) {
      for (const [id, entry] of quotas) if (entry.loadedAtMs !== 0) refreshInBackground(id, entry, { restart: true });
      return;
    }
    const entry = quotas.get(tenantId);
    if (entry && entry.loadedAtMs !== 0) refreshInBackground(tenantId, entry, { restart: true });
  });
  return new Map<string, TTenantQuota>();
});

function calendarMonthUtc(nowMs: number): { start: Date; end: Date } {
  const now = new Date(nowMs);
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

function refresh(tenantId: string, entry: TTenantQuota, options: { restart?: boolean } = {}): Promise<void> {
  // A read that started before a change notice may have read the old limit: a restart reads again, and only the
  // latest read is kept.
  if (entry.loading && !options.restart) return entry.loading;
  const read = ++entry.reads;
  const monthStartMs = entry.monthStartMs;
  const { start, end } = calendarMonthUtc(monthStartMs);
  const loading = quotaLoader
    .load(tenantId, start, end)
    .then((use) => {
      if (entry.monthStartMs !== monthStartMs || read !== entry.reads) return;
      if (use) entry.limit = use.limit;
      entry.usedAtLoad = use?.used ?? 0;
      entry.admittedSinceLoad = 0;
      entry.loadedAtMs = Date.now();
    })
    .finally(() => {
      if (entry.loading === loading) entry.loading = null;
    });
  entry.loading = loading;
  return loading;
}

function refreshInBackground(tenantId: string, entry: TTenantQuota, options: { restart?: boolean } = {}): void {
  refresh(tenantId, entry, options).catch((err: unknown) =>
    logger.warn({ err, tenantId }, 'API quota refresh failed: keeping the last count'),
  );
}

/**
 * Admits one API call of `tenantId` against its monthly quota, or throws 429 quota_exceeded with Retry-After
 * (seconds to the next calendar month in UTC). The limit-th call passes, the next is refused; plans without a
 * hard limit are counted but never refused (their overage is billed).
 */
export async function admitApiCall(tenantId: string, isHardLimit: boolean, nowMs: number = Date.now()): Promise<void> {
  const { start, end } = calendarMonthUtc(nowMs);
  let entry = quotas.get(tenantId);
  if (!entry) {
    entry = { monthStartMs: start.getTime(), limit: 0, usedAtLoad: 0, admittedSinceLoad: 0, loadedAtMs: 0, loading: null, reads: 0 };
    quotas.set(tenantId, entry);
  }
  if (entry.monthStartMs !== start.getTime()) {
    // A new month: nothing is used yet; the background read picks up what other processes served since.
    entry.monthStartMs = start.getTime();
    entry.usedAtLoad = 0;
    entry.admittedSinceLoad = 0;
    entry.loading = null;
    if (entry.loadedAtMs !== 0) refreshInBackground(tenantId, entry);
  }
  if (entry.loadedAtMs === 0) {
    try {
      await refresh(tenantId, entry);
    } catch (err) {
      if (quotas.get(tenantId) === entry && entry.loadedAtMs === 0) quotas.delete(tenantId);
      throw err;
    }
  } else if (nowMs - entry.loadedAtMs >= QUOTA_REFRESH_MS && !entry.loading) {
    refreshInBackground(tenantId, entry);
  }
  const used = entry.usedAtLoad + entry.admittedSinceLoad;
  if (isHardLimit && used >= entry.limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((end.getTime() - nowMs) / 1000));
    throw new AppError(
      'quota_exceeded',
      `Monthly API call quota of ${entry.limit} reached; it resets at ${end.toISOString()}`,
      { limit: entry.limit, used, resetsAt: end.toISOString() },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
  entry.admittedSinceLoad += 1;
}

/** Forgets every tenant's count, so the next request of each reads the rollup again (tests). */
export function resetQuotaCache(): void {
  quotas.clear();
}

/**
 * Admits a tenant request: the monthly API-call quota, then the per-plan request rate. Both are decided from
 * process memory (no database round trip). Returns the RateLimit headers; throws 429 quota_exceeded or
 * rate_limited.
 */
export async function admitTenantRequest(caller: TTenantCaller): Promise<Record<string, string>> {
  const plan = await cachedPlan(caller.tenant.plan);
  // The monthly quota counts API-key calls (what is metered and billed); the portal's own requests, made with a
  // browser session, are only rate limited, so an open dashboard refreshing itself never spends the quota.
  if (caller.principal.kind === 'api_key') await admitApiCall(caller.tenant.id, plan?.isHardLimit ?? true);
  const principalKey = caller.principal.kind === 'api_key' ? `key:${caller.principal.keyId}` : `user:${caller.userId}`;
  return consumeRequest(principalKey, plan?.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE);
}
