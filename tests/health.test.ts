import { describe, expect, it } from 'vitest';
import { ensureBuckets } from '@/lib/storage';
import { callRoute } from './support/http';
import { routes } from './support/routes';

// config() is read once per process: this file runs without METRICS_TOKEN (metrics-token.test.ts sets one).
delete process.env.METRICS_TOKEN;

describe('health endpoints', () => {
  it('answers GET /api/health with 200 while the process runs', async () => {
    const result = await callRoute(routes.health.GET, { path: '/api/health' });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'ok' });
  });

  it('reports not ready (503) while the buckets are missing, and ready (200) once they exist', async () => {
    // The per-file environment names buckets nobody has created yet.
    const missing = await callRoute(routes.ready.GET, { path: '/api/health/ready' });
    expect(missing.status).toBe(503);
    expect(missing.body.status).toBe('unavailable');
    expect(missing.body.checks).toMatchObject({
      database: { ok: true },
      databaseAppRole: { ok: true },
      storage: { ok: false },
    });
    // The probe is public: the cause goes to the log, not to the caller.
    expect(missing.text).not.toMatch(/bucket|NoSuchBucket|NotFound/i);

    await ensureBuckets();
    const ready = await callRoute(routes.ready.GET, { path: '/api/health/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      checks: {
        database: { ok: true, ms: expect.any(Number) },
        databaseAppRole: { ok: true, ms: expect.any(Number) },
        storage: { ok: true, ms: expect.any(Number) },
      },
    });
  });
});

describe('GET /api/metrics without METRICS_TOKEN', () => {
  it('serves Prometheus text that counts the requests made, by route, method and status', async () => {
    await callRoute(routes.health.GET, { path: '/api/health' });
    await callRoute(routes.members.GET, { path: '/api/v1/members', host: 'acme.localhost:3000' });

    const result = await callRoute(routes.metrics.GET, { path: '/api/metrics' });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(result.text).toContain('# TYPE sitework_api_requests_total counter');
    expect(result.text).toMatch(/^sitework_api_requests_total\{route="\/api\/health",method="GET",status="200"\} [1-9]\d*$/m);
    expect(result.text).toMatch(/^sitework_api_requests_total\{route="\/api\/v1\/members",method="GET",status="404"\} 1$/m);
    expect(result.text).toMatch(/^sitework_api_request_duration_seconds_count\{route="\/api\/health",method="GET",status="200"\} [1-9]/m);
  });
});
