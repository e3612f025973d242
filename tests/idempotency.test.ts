import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { idempotencyKeys } from '@/db/schema/api';
import { auditLogs } from '@/db/schema/audit';
import { costEstimates } from '@/db/schema/estimates';
import { seedDemoData } from '@/db/seed';
import { pruneIdempotencyKeys } from '@/lib/api';
import * as importRoute from '../app/api/v1/estimates/import/route';
import * as estimatesRoute from '../app/api/v1/estimates/route';
import { houseEstimate } from './support/estimates';
import { callRoute, createKey, demoUsers, expectError, hostOf, type TDemo } from './support/http';

/**
 * Idempotency-Key on POST /api/v1/estimates: a retried create answers the first estimate instead of making a
 * second one, also when both calls race; a key reused for another request is refused; a failed call leaves
 * its key unused; keys are per tenant and forgotten after 24 hours.
 */

let demo: TDemo;
let acmeKey: string;
let globexKey: string;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
  acmeKey = await createKey('acme', 'owner', ['estimates:read', 'estimates:write']);
  globexKey = await createKey('globex', 'owner', ['estimates:read', 'estimates:write']);
});

let keys = 0;
const newKey = () => `retry-${Date.now()}-${(keys += 1)}`;

function post(body: unknown, key: string | undefined, slug: 'acme' | 'globex' = 'acme') {
  return callRoute(estimatesRoute.POST, {
    method: 'POST',
    path: '/api/v1/estimates',
    host: hostOf(slug),
    apiKey: slug === 'acme' ? acmeKey : globexKey,
    headers: key === undefined ? {} : { 'idempotency-key': key },
    body,
  });
}

const countNamed = async (name: string) =>
  (await ownerDb().select({ n: sql<number>`count(*)::int` }).from(costEstimates).where(eq(costEstimates.name, name)))[0].n;

const auditedCreates = async (estimateId: string) =>
  (
    await ownerDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'estimate.create'), eq(auditLogs.targetId, estimateId)))
  )[0].n;

describe('POST /api/v1/estimates with an Idempotency-Key', () => {
  it('answers a retry with the first estimate, creates one and records one event', async () => {
    const key = newKey();
    const body = houseEstimate({ name: `Idempotent ${key}` });
    const first = await post(body, key);
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(body, key);
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countNamed(body.name)).toBe(1);
    expect(await auditedCreates(first.body.estimate.id)).toBe(1);
  });

  it('creates one estimate when two calls with the same key race', async () => {
    const key = newKey();
    const body = houseEstimate({ name: `Racing ${key}` });
    const [a, b] = await Promise.all([post(body, key), post(body, key)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.estimate.id).toBe(b.body.estimate.id);
    expect(await countNamed(body.name)).toBe(1);
  });

  it('refuses the key with another request (422) and changes nothing', async () => {
    const key = newKey();
    const body = houseEstimate({ name: `Original ${key}` });
    expect((await post(body, key)).status).toBe(201);
    const other = await post({ ...body, name: `Other ${key}` }, key);
    expectError(other, 422, 'unprocessable', /different request/);
    expect(await countNamed(`Other ${key}`)).toBe(0);
  });

  it('leaves the key unused when the call failed, so a corrected retry creates', async () => {
    const key = newKey();
    const [globexFile] = await ownerDb().execute<{ id: string }>(sql`
      insert into files (tenant_id, filename, extension, content_type, size_bytes, storage_key)
      values (${demo.globex.id}, 'plan.pdf', 'pdf', 'application/pdf', 10, ${`k/${key}.pdf`}) returning id`);
    const body = houseEstimate({ name: `Corrected ${key}` });
    // Refused inside the transaction (another tenant's file): the claim rolls back with it.
    expectError(await post({ ...body, sourceFileId: globexFile.id }, key), 400, 'validation_failed');
    const rows = await ownerDb().select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(rows).toEqual([]);
    expect((await post(body, key)).status).toBe(201);
    expect(await countNamed(body.name)).toBe(1);
  });

  it('keeps keys per tenant', async () => {
    const key = newKey();
    const body = houseEstimate({ name: `Shared key ${key}` });
    const acme = await post(body, key, 'acme');
    const globex = await post(body, key, 'globex');
    expect([acme.status, globex.status]).toEqual([201, 201]);
    expect(globex.headers.get('idempotent-replayed')).toBeNull();
    expect(globex.body.estimate.id).not.toBe(acme.body.estimate.id);
  });

  it('treats a key older than 24 hours as new, and the hourly job deletes such keys', async () => {
    const key = newKey();
    const body = houseEstimate({ name: `Expired ${key}` });
    expect((await post(body, key)).status).toBe(201);
    await ownerDb().update(idempotencyKeys).set({ createdAt: sql`now() - interval '25 hours'` }).where(eq(idempotencyKeys.key, key));
    const later = await post(body, key);
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(await countNamed(body.name)).toBe(2);

    await ownerDb().update(idempotencyKeys).set({ createdAt: sql`now() - interval '25 hours'` }).where(eq(idempotencyKeys.key, key));
    expect((await pruneIdempotencyKeys()).deleted).toBeGreaterThanOrEqual(1);
    expect(await ownerDb().select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))).toEqual([]);
  });

  it('refuses a malformed key with 400, and without a key every call creates', async () => {
    expectError(await post(houseEstimate(), 'x'.repeat(256)), 400, 'validation_failed', /Idempotency-Key/);
    expectError(await post(houseEstimate(), 'has space'), 400, 'validation_failed', /Idempotency-Key/);
    const body = houseEstimate({ name: `No key ${Date.now()}` });
    await post(body, undefined);
    await post(body, undefined);
    expect(await countNamed(body.name)).toBe(2);
  });
});

describe('POST /api/v1/estimates/import with an Idempotency-Key', () => {
  function importJson(estimates: unknown[], key: string | undefined, mode = 'skip_invalid') {
    return callRoute(importRoute.POST, {
      method: 'POST',
      path: `/api/v1/estimates/import?mode=${mode}`,
      host: hostOf('acme'),
      apiKey: acmeKey,
      headers: key === undefined ? {} : { 'idempotency-key': key },
      body: estimates,
    });
  }

  it('answers a retried import with the first report and stores the estimates once', async () => {
    const key = newKey();
    const batch = [houseEstimate({ name: `Imported once ${key}` }), houseEstimate({ name: `Imported once ${key}`, laborHours: 10 })];
    const first = await importJson(batch, key);
    expect(first.status, first.text).toBe(201);
    const again = await importJson(batch, key);
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.import.estimateIds).toEqual(first.body.import.estimateIds);
    expect(await countNamed(`Imported once ${key}`)).toBe(2);
  });

  it('refuses the key with another body (422) and stores nothing more', async () => {
    const key = newKey();
    expect((await importJson([houseEstimate({ name: `First body ${key}` })], key)).status).toBe(201);
    expectError(await importJson([houseEstimate({ name: `Second body ${key}` })], key), 422, 'unprocessable', /different request/);
    expect(await countNamed(`Second body ${key}`)).toBe(0);
  });

  it('imports again without a key', async () => {
    const batch = [houseEstimate({ name: `Keyless import ${Date.now()}` })];
    expect((await importJson(batch, undefined)).status).toBe(201);
    expect((await importJson(batch, undefined)).status).toBe(201);
    expect(await countNamed(batch[0].name)).toBe(2);
  });
});
