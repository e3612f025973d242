import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/db/seed';
import { authenticateApiKey } from '@/lib/auth';
import { consumeRequest } from '@/lib/api/rate-limit';
import { findPlanRow, withPlatform } from '@/lib/tenancy';
import * as tenantRoute from '../app/api/v1/tenant/route';
import { callRoute, createKey } from './support/http';

let secret: string;
/** Acme is on the Professional plan: its keys get that plan's requests per minute. */
let requestsPerMinute: number;

beforeAll(async () => {
  await seedDemoData();
  secret = await createKey('acme', 'owner', ['tenant:read']);
  requestsPerMinute = (await withPlatform((tx) => findPlanRow(tx, 'professional')))!.requestsPerMinute;
});

describe('per-caller request rate limit', () => {
  it('reports the plan’s limit and the remaining budget in RateLimit headers', async () => {
    const res = await callRoute(tenantRoute.GET, { method: 'GET', path: '/api/v1/tenant', apiKey: secret });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBe(String(requestsPerMinute));
    expect(Number(res.headers.get('ratelimit-remaining'))).toBe(requestsPerMinute - 1);
  });

  it('answers 429 with Retry-After once a key has used its minute', async () => {
    const first = await callRoute(tenantRoute.GET, { method: 'GET', path: '/api/v1/tenant', apiKey: secret });
    // Spend the rest of this key's budget directly (the wrapper counts under key:<id>), then ask once more.
    const { keyId } = await authenticateApiKey(secret);
    const remaining = Number(first.headers.get('ratelimit-remaining'));
    for (let i = 0; i < remaining; i += 1) await consumeRequest(`key:${keyId}`, requestsPerMinute);
    const refused = await callRoute(tenantRoute.GET, { method: 'GET', path: '/api/v1/tenant', apiKey: secret });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  });
});
