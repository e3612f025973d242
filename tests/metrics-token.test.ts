import { describe, expect, it } from 'vitest';
import { callRoute, expectError } from './support/http';
import { routes } from './support/routes';

// Set before config() is first read in this process (it is cached afterwards).
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
process.env.METRICS_TOKEN = METRICS_TOKEN;

const scrape = (authorization?: string) =>
  callRoute(routes.metrics.GET, { path: '/api/metrics', headers: authorization ? { authorization } : {} });

describe('GET /api/metrics with METRICS_TOKEN set', () => {
  it('refuses a scrape without the token with 401 and no metrics', async () => {
    const result = await scrape();
    expectError(result, 401, 'unauthorized', /METRICS_TOKEN/);
    expect(result.text).not.toContain('sitework_api_requests_total');
  });

  it('refuses a wrong token, or the right one under another scheme, with 401', async () => {
    expectError(await scrape('Bearer wrong-token'), 401, 'unauthorized');
    expectError(await scrape(`Bearer ${METRICS_TOKEN}x`), 401, 'unauthorized');
    expectError(await scrape(`Basic ${METRICS_TOKEN}`), 401, 'unauthorized');
  });

  it('serves the metrics to Authorization: Bearer <METRICS_TOKEN>, counting the refused scrapes', async () => {
    await scrape();
    const result = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(result.status).toBe(200);
    expect(result.text).toMatch(/^sitework_api_requests_total\{route="\/api\/metrics",method="GET",status="401"\} [1-9]\d*$/m);
  });
});
