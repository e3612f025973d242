import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { usageDaily, usageEvents, usageHourly } from '@/db/schema/usage';
import { seedDemoData } from '@/db/seed';
import { tenants } from '@/db/schema/tenancy';
import { recordStorageSnapshot } from '@/lib/billing';
import { bufferedUsageCount, flushUsage, meterApiCall, periodDays, usageEventId } from '@/lib/usage';
import { ensureBuckets } from '@/lib/storage';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
import * as fileRoute from '../app/api/v1/files/[id]/route';
import * as completeRoute from '../app/api/v1/files/[id]/complete/route';
import * as uploadsRoute from '../app/api/v1/files/uploads/route';
import * as breakdownRoute from '../app/api/v1/usage/breakdown/route';
import * as eventsRoute from '../app/api/v1/usage/events/route';
import * as statsRoute from '../app/api/v1/usage/stats/route';
import { callRoute, createKey, demoUsers, expectError, hostOf, type TCallResult, type TDemo } from './support/http';
import { routes } from './support/routes';

let demo: TDemo;
let acmeKey: string;
let globexKey: string;

beforeAll(async () => {
  await ensureBuckets();
  await seedDemoData();
  demo = await demoUsers();
  acmeKey = await createKey('acme', 'owner', ['files:write', 'usage:read']);
  globexKey = await createKey('globex', 'owner', ['files:write', 'usage:read']);
});

interface TEventInput {
  id: string;
  type: string;
  quantity: number;
  occurredAt: string;
  metadata?: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
const daysAgo = (days: number, hour = 12) => {
  const d = new Date(Date.now() - days * DAY_MS);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};
const event = (type: string, quantity: number, occurredAt = daysAgo(1)): TEventInput => ({ id: randomUUID(), type, quantity, occurredAt });

function report(events: unknown[], tenant: 'acme' | 'globex' = 'acme'): Promise<TCallResult> {
  return callRoute(eventsRoute.POST, {
    method: 'POST',
    host: hostOf(tenant),
    apiKey: tenant === 'acme' ? acmeKey : globexKey,
    path: '/api/v1/usage/events',
    body: { events },
  });
}

const rawEvents = (tenantId: string) => ownerDb().select().from(usageEvents).where(eq(usageEvents.tenantId, tenantId));
const storedIds = async (ids: string[]) =>
  (await ownerDb().select({ id: usageEvents.id }).from(usageEvents)).map((r) => r.id).filter((id) => ids.includes(id));

async function rollupTotals(table: typeof usageDaily | typeof usageHourly, tenantId: string, eventType: string) {
  const [row] = await ownerDb()
    .select({ count: sql<number>`coalesce(sum(${table.count}), 0)`.mapWith(Number), quantity: sql<number>`coalesce(sum(${table.quantitySum}), 0)`.mapWith(Number) })
    .from(table)
    .where(and(eq(table.tenantId, tenantId), eq(table.eventType, eventType as 'api_call')));
  return row;
}

describe('POST /api/v1/usage/events', () => {
  it('counts an event id once, in the raw events and both rollups, however often it is reported', async () => {
    const batch = [event('file_processed', 1, daysAgo(3)), event('file_processed', 1, daysAgo(3)), event('file_processed', 1, daysAgo(3))];
    const before = { daily: await rollupTotals(usageDaily, demo.globex.id, 'file_processed'), hourly: await rollupTotals(usageHourly, demo.globex.id, 'file_processed') };

    const first = await report(batch, 'globex');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ accepted: 3, duplicates: 0 });
    const again = await report([...batch, batch[0]], 'globex');
    expect(again.body).toEqual({ accepted: 0, duplicates: 4 });
    const mixed = await report([batch[1], event('file_processed', 1, daysAgo(3))], 'globex');
    expect(mixed.body).toEqual({ accepted: 1, duplicates: 1 });

    expect(await storedIds(batch.map((e) => e.id))).toHaveLength(3);
    expect(await rollupTotals(usageDaily, demo.globex.id, 'file_processed')).toEqual({ count: before.daily.count + 4, quantity: before.daily.quantity + 4 });
    expect(await rollupTotals(usageHourly, demo.globex.id, 'file_processed')).toEqual({ count: before.hourly.count + 4, quantity: before.hourly.quantity + 4 });
  });

  it('counts a repeated id within one batch once', async () => {
    const one = event('cost_estimate', 5);
    const result = await report([one, { ...one }]);
    expect(result.body).toEqual({ accepted: 1, duplicates: 1 });
    expect(await storedIds([one.id])).toHaveLength(1);
  });

  it('refuses a batch with one invalid event with 400 naming its index, and stores none of it', async () => {
    const batch = [event('file_upload', 100), event('file_upload', 200), event('file_processed', 1), { ...event('file_upload', 1), quantity: -5 }, event('file_upload', 300)];
    const result = await report(batch);
    expectError(result, 400, 'validation_failed', /events\.3\.quantity/);
    expect(result.body.error.details.fields).toEqual([expect.objectContaining({ field: 'events.3.quantity' })]);
    expect(await storedIds(batch.map((e) => e.id))).toEqual([]);
  });

  it('names every kind of invalid field with its index', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...event('file_upload', 1), id: 'nope' }, /events\.0\.id/],
      [{ ...event('file_upload', 1), type: 'coffee' }, /events\.0\.type/],
      [{ ...event('file_upload', 1), quantity: 1.5 }, /events\.0\.quantity/],
      [{ ...event('file_upload', 1), occurredAt: 'yesterday' }, /events\.0\.occurredAt/],
      [{ ...event('file_upload', 1), occurredAt: new Date(Date.now() + DAY_MS).toISOString() }, /events\.0\.occurredAt.*future/],
      [{ ...event('file_upload', 1), extra: true }, /events\.0\.extra/],
    ];
    for (const [bad, message] of cases) expectError(await report([bad]), 400, 'validation_failed', message);
  });

  it('refuses a batch of more than 1,000 events, and an empty one, with 400 and stores nothing', async () => {
    const batch = Array.from({ length: 1001 }, () => event('file_processed', 1));
    expectError(await report(batch), 400, 'validation_failed', /events: must hold at most 1000 events/);
    expect(await storedIds(batch.map((e) => e.id))).toEqual([]);
    expectError(await report([]), 400, 'validation_failed', /events: must hold at least one event/);
  });

  it('accepts a full batch of 1,000 events', async () => {
    const batch = Array.from({ length: 1000 }, () => event('file_processed', 1, daysAgo(2)));
    expect((await report(batch)).body).toEqual({ accepted: 1000, duplicates: 0 });
    expect(await storedIds(batch.map((e) => e.id))).toHaveLength(1000);
  });

  it('refuses api_call events from a client with 400: only the server counts calls', async () => {
    const batch = [event('file_processed', 1), event('api_call', 1)];
    const result = await report(batch);
    expectError(result, 400, 'validation_failed', /events\.1\.type: api_call is counted by the server/);
    expect(await storedIds(batch.map((e) => e.id))).toEqual([]);
  });

  it('keeps the largest storage_bytes snapshot of a day instead of summing snapshots', async () => {
    const day = daysAgo(4, 1);
    const later = daysAgo(4, 23);
    const result = await report([event('storage_bytes', 5_000, day), event('storage_bytes', 7_000, later), event('storage_bytes', 6_000, later)]);
    expect(result.body.accepted).toBe(3);
    const dayKey = day.slice(0, 10);
    const [row] = await ownerDb()
      .select()
      .from(usageDaily)
      .where(and(eq(usageDaily.tenantId, demo.acme.id), eq(usageDaily.eventType, 'storage_bytes'), eq(usageDaily.day, dayKey)));
    expect(row).toMatchObject({ count: 3, quantitySum: 7_000, route: '' });
    // A later, smaller snapshot of the same day changes the count, not the peak.
    await report([event('storage_bytes', 1_000, later)]);
    const [after] = await ownerDb()
      .select()
      .from(usageDaily)
      .where(and(eq(usageDaily.tenantId, demo.acme.id), eq(usageDaily.eventType, 'storage_bytes'), eq(usageDaily.day, dayKey)));
    expect(after).toMatchObject({ count: 4, quantitySum: 7_000 });
  });
});

describe('GET /api/v1/usage/stats', () => {
  it('answers totals and a zero-filled daily series equal to what the raw events imply', async () => {
    const tenantId = demo.acme.id;
    await report([
      event('file_upload', 1_000, daysAgo(6, 0)),
      event('file_upload', 2_500, daysAgo(6, 23)),
      event('file_processed', 1, daysAgo(5)),
      event('file_processed', 1, daysAgo(0, 0)),
      event('cost_estimate', 3, daysAgo(2)),
      event('storage_bytes', 9_000, daysAgo(6)),
      event('storage_bytes', 4_000, daysAgo(5)),
      // Outside the 7-day window: in 30d, not in 7d.
      event('file_upload', 77, daysAgo(8)),
    ]);
    await flushUsage();

    for (const period of ['7d', '30d'] as const) {
      const result = await callRoute(statsRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: `/api/v1/usage/stats?period=${period}` });
      expect(result.status, result.text).toBe(200);
      const days = periodDays(period);
      expect(result.body).toMatchObject({ period, from: days[0], to: days[days.length - 1] });
      expect(result.body.daily.map((d: { day: string }) => d.day)).toEqual(days);

      // What the raw events imply, computed independently with SQL over usage_events.
      const raw = await ownerDb().execute<{ day: string; event_type: string; count: number; quantity: number }>(sql`
        select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, event_type, count(*)::int as count,
          (case when event_type = 'storage_bytes' then max(quantity) else sum(quantity) end)::float8 as quantity
        from usage_events where tenant_id = ${tenantId} and (occurred_at at time zone 'UTC')::date >= ${days[0]}::date
        group by 1, 2`);
      for (const entry of result.body.daily) {
        for (const type of ['api_call', 'file_upload', 'file_processed', 'storage_bytes', 'cost_estimate']) {
          const expected = raw.find((r) => r.day === entry.day && r.event_type === type);
          expect(entry[type], `${entry.day} ${type}`).toEqual({ count: expected?.count ?? 0, quantity: expected?.quantity ?? 0 });
        }
      }
      for (const type of ['api_call', 'file_upload', 'file_processed', 'cost_estimate']) {
        const ofType = raw.filter((r) => r.event_type === type);
        expect(result.body.totals[type], type).toEqual({
          count: ofType.reduce((n, r) => n + r.count, 0),
          quantity: ofType.reduce((n, r) => n + r.quantity, 0),
        });
      }
      const storageDays = raw.filter((r) => r.event_type === 'storage_bytes').sort((a, b) => a.day.localeCompare(b.day));
      expect(result.body.totals.storage_bytes.quantity).toBe(storageDays[storageDays.length - 1].quantity);
    }
    const sevenDays = await callRoute(statsRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/usage/stats?period=7d' });
    const quietDay = sevenDays.body.daily.find((d: { day: string }) => d.day === daysAgo(3).slice(0, 10));
    expect(quietDay.file_upload).toEqual({ count: 0, quantity: 0 });
  });

  it('reads the rollup, not the raw events', async () => {
    const marker = event('cost_estimate', 1_234_567, daysAgo(1));
    await report([marker], 'globex');
    // Raw rows alone (written behind the rollups' back) do not show up in stats.
    await ownerDb().insert(usageEvents).values({ id: randomUUID(), tenantId: demo.globex.id, eventType: 'cost_estimate', quantity: 1, occurredAt: new Date() });
    const result = await callRoute(statsRoute.GET, { host: hostOf('globex'), apiKey: globexKey, path: '/api/v1/usage/stats?period=7d' });
    const [daily] = await ownerDb()
      .select({ quantity: sql<number>`sum(${usageDaily.quantitySum})`.mapWith(Number) })
      .from(usageDaily)
      .where(and(eq(usageDaily.tenantId, demo.globex.id), eq(usageDaily.eventType, 'cost_estimate')));
    expect(result.body.totals.cost_estimate.quantity).toBe(daily.quantity);
  });

  it("never includes another tenant's events (RLS and the tenant filter)", async () => {
    const huge = event('file_upload', 999_999_999, daysAgo(1));
    await report([huge], 'globex');
    const acme = await callRoute(statsRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/usage/stats?period=7d' });
    expect(acme.status).toBe(200);
    const acmeUploads = await rollupTotals(usageDaily, demo.acme.id, 'file_upload');
    expect(acme.body.totals.file_upload.quantity).toBeLessThan(999_999_999);
    expect(acme.body.totals.file_upload.quantity).toBeLessThanOrEqual(acmeUploads.quantity);
    // Even without a WHERE, acme's transaction sees none of globex's rows.
    for (const table of [usageEvents, usageHourly, usageDaily]) {
      const seen = await withTenant(demo.acme.id, (tx) => tx.select({ tenantId: table.tenantId }).from(table));
      expect(new Set(seen.map((r) => r.tenantId))).toEqual(new Set([demo.acme.id]));
    }
  });

  it('refuses an unknown period with 400', async () => {
    const result = await callRoute(statsRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/usage/stats?period=2w' });
    expectError(result, 400, 'validation_failed', /period/);
  });
});

describe('API calls counted by the wrapper', () => {
  const tenantCalls = async (tenantId: string, route: string) =>
    (await rawEvents(tenantId)).filter((e) => e.eventType === 'api_call' && e.route === route);

  it('buffers API-key calls without writing and writes them on flush, 4xx included; the portal’s session calls are not API use', async () => {
    await flushUsage();
    const viewerKey = await createKey('acme', 'viewer', ['tenant:read']);
    const before = (await tenantCalls(demo.acme.id, '/api/v1/tenant')).length;
    const settingsBefore = (await tenantCalls(demo.acme.id, '/api/v1/tenant/settings')).length;
    for (let i = 0; i < 3; i += 1) {
      expect((await callRoute(routes.tenant.GET, { host: hostOf('acme'), apiKey: viewerKey, path: '/api/v1/tenant' })).status).toBe(200);
    }
    // A signed-in browser (the portal refreshing a dashboard) is served but not metered.
    expect((await callRoute(routes.tenant.GET, { host: hostOf('acme'), cookieFor: demo.acme.viewer, path: '/api/v1/tenant' })).status).toBe(200);
    const refused = await callRoute(routes.tenantSettings.PATCH, {
      method: 'PATCH',
      host: hostOf('acme'),
      apiKey: viewerKey,
      path: '/api/v1/tenant/settings',
      body: { brandingDisplayName: 'nope' },
    });
    expect(refused.status).toBe(403);
    // Not authenticated: not attributed to the tenant (anyone could inflate its bill).
    expect((await callRoute(routes.tenant.GET, { host: hostOf('acme'), path: '/api/v1/tenant' })).status).toBe(401);

    // No synchronous write: nothing in the database until the flush.
    expect(await tenantCalls(demo.acme.id, '/api/v1/tenant')).toHaveLength(before);
    const flushed = await flushUsage();
    expect(flushed.kept).toBe(0);
    const calls = await tenantCalls(demo.acme.id, '/api/v1/tenant');
    expect(calls).toHaveLength(before + 3);
    expect(calls.slice(-1)[0]).toMatchObject({ method: 'GET', status: 200, quantity: 1 });
    const settings = await tenantCalls(demo.acme.id, '/api/v1/tenant/settings');
    expect(settings).toHaveLength(settingsBefore + 1);
    expect(settings.filter((e) => e.status === 403).length).toBeGreaterThanOrEqual(1);

    const breakdown = await callRoute(breakdownRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/usage/breakdown?period=7d' });
    expect(breakdown.status, breakdown.text).toBe(200);
    expect(breakdown.body.endpoints).toContainEqual({ endpoint: 'GET /api/v1/tenant', method: 'GET', path: '/api/v1/tenant', count: before + 3 });
    expect(breakdown.body.endpoints).toContainEqual(
      expect.objectContaining({ endpoint: 'PATCH /api/v1/tenant/settings', count: settingsBefore + 1 }),
    );
    const counts = breakdown.body.endpoints.map((e: { count: number }) => e.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('keeps the events when a flush fails and writes them exactly once later', async () => {
    await flushUsage();
    const before = (await tenantCalls(demo.globex.id, '/api/v1/tenant')).length;
    await ownerDb().execute(sql`revoke insert on usage_events from sitework_app`);
    try {
      const key = await createKey('globex', 'owner', ['tenant:read']);
      for (let i = 0; i < 2; i += 1) await callRoute(routes.tenant.GET, { host: hostOf('globex'), apiKey: key, path: '/api/v1/tenant' });
      const failed = await flushUsage();
      expect(failed).toMatchObject({ written: 0, kept: 2 });
      expect(await tenantCalls(demo.globex.id, '/api/v1/tenant')).toHaveLength(before);
    } finally {
      await ownerDb().execute(sql`grant insert on usage_events to sitework_app`);
    }
    expect(await flushUsage()).toMatchObject({ written: 2, kept: 0 });
    expect(await flushUsage()).toMatchObject({ written: 0, kept: 0 });
    expect(await tenantCalls(demo.globex.id, '/api/v1/tenant')).toHaveLength(before + 2);
    const daily = await ownerDb()
      .select({ count: usageDaily.count })
      .from(usageDaily)
      .where(and(eq(usageDaily.tenantId, demo.globex.id), eq(usageDaily.route, 'GET /api/v1/tenant')));
    expect(daily.reduce((n, r) => n + r.count, 0)).toBe(before + 2);
  });
});

describe('the api_call buffer', () => {
  it("drops the calls of a tenant deleted before the flush instead of retrying them forever, and writes the others", async () => {
    await flushUsage();
    const doomed = await withPlatform((tx) => createTenant(tx, { name: 'Doomed', slug: `doomed-${randomUUID().slice(0, 8)}` }));
    const occurredAt = new Date();
    meterApiCall({ tenantId: doomed.id, route: '/api/v1/tenant', method: 'GET', status: 200, occurredAt });
    meterApiCall({ tenantId: demo.acme.id, route: '/api/v1/doomed-neighbour', method: 'GET', status: 200, occurredAt });
    await ownerDb().delete(tenants).where(eq(tenants.id, doomed.id));

    expect(await flushUsage()).toEqual({ written: 1, kept: 0, dropped: 1 });
    expect(bufferedUsageCount()).toBe(0);
    expect((await rawEvents(demo.acme.id)).filter((e) => e.route === '/api/v1/doomed-neighbour')).toHaveLength(1);
  });

  it('writes on its own once 1,000 calls are waiting, without waiting for the timer', async () => {
    await flushUsage();
    const occurredAt = new Date();
    for (let i = 0; i < 1000; i += 1) meterApiCall({ tenantId: demo.acme.id, route: '/api/v1/threshold', method: 'GET', status: 200, occurredAt });
    // No flushUsage() and no timer in tests: only the size trigger can write these.
    await expect
      .poll(async () => (await rawEvents(demo.acme.id)).filter((e) => e.route === '/api/v1/threshold').length, { timeout: 5000 })
      .toBe(1000);
  });
});

describe("reported ids and the server's own", () => {
  const call = (handler: Parameters<typeof callRoute>[0], method: string, path: string, params: Record<string, string> = {}, body?: unknown) =>
    callRoute(handler, { method, host: hostOf('acme'), apiKey: acmeKey, path, params, body });
  const serverEvents = (id: string) =>
    ownerDb()
      .select({ source: usageEvents.source, type: usageEvents.eventType, quantity: usageEvents.quantity })
      .from(usageEvents)
      .where(and(eq(usageEvents.tenantId, demo.acme.id), eq(usageEvents.id, id)))
      .orderBy(usageEvents.source);

  it("never let a script's report of the id a file's upload or processing will be metered under stop it from being metered", async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4_000, 1)]);
    const started = await call(uploadsRoute.POST, 'POST', '/api/v1/files/uploads', {}, { name: 'pre-empted.pdf', size: bytes.length });
    expect(started.status, started.text).toBe(201);
    const fileId: string = started.body.file.id;
    // Anyone can derive these ids from the file id the upload answered with.
    const uploadId = usageEventId('file_upload', fileId);
    const processedId = usageEventId('file_processed', fileId);
    const now = new Date().toISOString();
    const reported = await report([
      { id: uploadId, type: 'file_upload', quantity: 0, occurredAt: now },
      { id: processedId, type: 'file_processed', quantity: 0, occurredAt: now },
    ]);
    expect(reported.body).toEqual({ accepted: 2, duplicates: 0 });
    const uploadedBefore = await rollupTotals(usageDaily, demo.acme.id, 'file_upload');

    await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(bytes), headers: started.body.uploadHeaders });
    expect((await call(completeRoute.POST, 'POST', `/api/v1/files/${fileId}/complete`, { id: fileId })).status).toBe(200);
    for (const status of ['processing', 'completed']) {
      expect((await call(fileRoute.PATCH, 'PATCH', `/api/v1/files/${fileId}`, { id: fileId }, { status })).status).toBe(200);
    }

    expect(await serverEvents(uploadId)).toEqual([
      { source: 'client', type: 'file_upload', quantity: 0 },
      { source: 'server', type: 'file_upload', quantity: bytes.length },
    ]);
    expect(await serverEvents(processedId)).toEqual([
      { source: 'client', type: 'file_processed', quantity: 0 },
      { source: 'server', type: 'file_processed', quantity: 1 },
    ]);
    const uploadedAfter = await rollupTotals(usageDaily, demo.acme.id, 'file_upload');
    expect(uploadedAfter).toEqual({ count: uploadedBefore.count + 1, quantity: uploadedBefore.quantity + bytes.length });
    // A script's own ids stay idempotent among its reports.
    expect((await report([{ id: uploadId, type: 'file_upload', quantity: 0, occurredAt: now }])).body).toEqual({ accepted: 0, duplicates: 1 });
  });

  it("never let a script's report of a future day's storage snapshot id stop that snapshot", async () => {
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    const snapshotId = usageEventId('storage_bytes', demo.acme.id, tomorrow);
    expect((await report([{ id: snapshotId, type: 'storage_bytes', quantity: 0, occurredAt: new Date().toISOString() }])).body.accepted).toBe(1);
    const snapshot = await withTenant(demo.acme.id, (tx) => recordStorageSnapshot(tx, demo.acme.id, tomorrow));
    expect(snapshot.isNew).toBe(true);
    expect((await serverEvents(snapshotId)).map((e) => e.source)).toEqual(['client', 'server']);
  });
});
