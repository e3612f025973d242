import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { tenants, type TPlanId } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { resetPlanCache, resetQuotaCache } from '@/lib/api';
import { quotaLoader } from '@/lib/api/quota';
import { consumeRequest } from '@/lib/api/rate-limit';
import { authenticateApiKey, createApiKey, createTenantWithOwner, insertUser } from '@/lib/auth';
import { findPlanRow, withPlatform, withTenant } from '@/lib/tenancy';
import { bufferedUsageCount, recordUsageEvents } from '@/lib/usage';
import * as tenantRoute from '../app/api/v1/tenant/route';
import { callRoute, expectError, type TCallResult } from './support/http';
import { ownerIds, tenantRow, uniqueEmail } from './support/state';

interface TQuotaTenant {
  id: string;
  secret: string;
}

beforeAll(async () => {
  await seedDemoData();
});

beforeEach(() => {
  resetPlanCache();
  resetQuotaCache();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function tenantOnPlan(plan: TPlanId, apiQuotaMonthly?: number): Promise<TQuotaTenant> {
  const ownerEmail = uniqueEmail('quota');
  const { tenant } = await withPlatform(async (tx) => {
    await insertUser(tx, { email: ownerEmail, name: 'Quota Owner', password: 'correct horse battery staple', isEmailVerified: true });
    return createTenantWithOwner(tx, { name: `Quota ${plan}`, slug: `quota-${randomBytes(4).toString('hex')}`, plan, ownerEmail }, null);
  });
  if (apiQuotaMonthly !== undefined) {
    await ownerDb().update(tenants).set({ apiQuotaMonthly }).where(eq(tenants.id, tenant.id));
  }
  const [ownerId] = await ownerIds(tenant.id);
  const key = await withTenant(tenant.id, (tx) =>
    createApiKey(tx, tenant.id, { userId: ownerId, role: 'owner' }, { name: 'quota key', scopes: ['tenant:read'] }),
  );
  return { id: tenant.id, secret: key.secret };
}

const getTenant = (t: TQuotaTenant): Promise<TCallResult> =>
  callRoute(tenantRoute.GET, { method: 'GET', path: '/api/v1/tenant', apiKey: t.secret });

async function recordApiCalls(tenantId: string, count: number, occurredAt: Date): Promise<void> {
  const events = Array.from({ length: count }, () => ({ id: randomUUID(), type: 'api_call' as const, quantity: 1, occurredAt }));
  await withTenant(tenantId, (tx) => recordUsageEvents(tx, tenantId, events));
}

function lastMonth(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 12));
}

function nextMonthStart(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

describe('monthly API-call quota', () => {
  it('lets the limit-th call through and refuses the next with 429 quota_exceeded, Retry-After and details', async () => {
    const t = await tenantOnPlan('free', 5);
    for (let call = 1; call <= 5; call += 1) {
      const res = await getTenant(t);
      expect(res.status, `call ${call}: ${res.text}`).toBe(200);
    }
    const refused = await getTenant(t);
    expectError(refused, 429, 'quota_exceeded');
    expect(refused.body.error.details).toEqual({ limit: 5, used: 5, resetsAt: nextMonthStart().toISOString() });
    const retryAfter = Number(refused.headers.get('retry-after'));
    const secondsToNextMonth = (nextMonthStart().getTime() - Date.now()) / 1000;
    expect(retryAfter).toBeGreaterThan(0);
    expect(Math.abs(retryAfter - secondsToNextMonth)).toBeLessThan(5);
  });

  it('does not meter the calls it refuses', async () => {
    const t = await tenantOnPlan('free', 1);
    expect((await getTenant(t)).status).toBe(200);
    const before = bufferedUsageCount();
    expectError(await getTenant(t), 429, 'quota_exceeded');
    expect(bufferedUsageCount()).toBe(before);
  });

  it('never refuses or meters the portal’s own session requests, and they leave the quota to the API keys', async () => {
    const t = await tenantOnPlan('free', 1);
    const [ownerId] = await ownerIds(t.id);
    const owner = { id: ownerId, email: 'owner@quota.test', name: 'Quota Owner' };
    const before = bufferedUsageCount();
    for (let call = 0; call < 3; call += 1) {
      const res = await callRoute(tenantRoute.GET, { method: 'GET', path: '/api/v1/tenant', host: `${(await tenantRow(t.id))!.slug}.localhost:3000`, cookieFor: owner });
      expect(res.status, res.text).toBe(200);
    }
    expect(bufferedUsageCount()).toBe(before);
    expect((await getTenant(t)).status).toBe(200);
    expectError(await getTenant(t), 429, 'quota_exceeded');
  });

  it('counts this month’s calls already in the rollup and ignores last month’s', async () => {
    const t = await tenantOnPlan('free', 5);
    await recordApiCalls(t.id, 50, lastMonth());
    await recordApiCalls(t.id, 3, new Date());
    expect((await getTenant(t)).status).toBe(200);
    expect((await getTenant(t)).status).toBe(200);
    const refused = await getTenant(t);
    expectError(refused, 429, 'quota_exceeded');
    expect(refused.body.error.details).toMatchObject({ limit: 5, used: 5 });
  });

  it('lets an Enterprise tenant (no hard limit) go over its quota: the overage is billed', async () => {
    const t = await tenantOnPlan('enterprise', 5);
    for (let call = 1; call <= 8; call += 1) expect((await getTenant(t)).status).toBe(200);
  });

  it('reads the rollup once per tenant and then not again within 30 s', async () => {
    const load = vi.spyOn(quotaLoader, 'load');
    const t = await tenantOnPlan('free', 100);
    for (let call = 1; call <= 4; call += 1) expect((await getTenant(t)).status).toBe(200);
    expect(load).toHaveBeenCalledTimes(1);

    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 31_000);
    expect((await getTenant(t)).status).toBe(200);
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('per-plan request rate limit', () => {
  it('gives each plan its own requests per minute in RateLimit-Limit', async () => {
    const [free, professional] = await withPlatform(async (tx) => [await findPlanRow(tx, 'free'), await findPlanRow(tx, 'professional')]);
    const onFree = await getTenant(await tenantOnPlan('free'));
    const onProfessional = await getTenant(await tenantOnPlan('professional'));
    expect(onFree.headers.get('ratelimit-limit')).toBe(String(free!.requestsPerMinute));
    expect(onProfessional.headers.get('ratelimit-limit')).toBe(String(professional!.requestsPerMinute));
    expect(free!.requestsPerMinute).not.toBe(professional!.requestsPerMinute);
    expect(Number(onFree.headers.get('ratelimit-remaining'))).toBe(free!.requestsPerMinute - 1);
  });

  it('answers 429 rate_limited once a key has used its plan’s minute', async () => {
    const free = await withPlatform((tx) => findPlanRow(tx, 'free'));
    const t = await tenantOnPlan('free');
    const first = await getTenant(t);
    const { keyId } = await authenticateApiKey(t.secret);
    const remaining = Number(first.headers.get('ratelimit-remaining'));
    for (let i = 0; i < remaining; i += 1) await consumeRequest(`key:${keyId}`, free!.requestsPerMinute);
    const refused = await getTenant(t);
    expectError(refused, 429, 'rate_limited');
    expect(refused.body.error.details).toMatchObject({ limit: free!.requestsPerMinute });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  });
});
