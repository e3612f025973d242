import { count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { plans } from '@/db/schema/billing';
import { costEstimates, estimateIndexOutbox } from '@/db/schema/estimates';
import { createEstimate, ZEstimateInput } from '@/lib/estimates';
import { withTenant } from '@/lib/tenancy';
import * as importRoute from '../app/api/v1/estimates/import/route';
import * as estimatesRoute from '../app/api/v1/estimates/route';
import { houseEstimate } from './support/estimates';
import { filesTenant, type TFilesTenant } from './support/files';
import { callRoute, expectError, type TCallResult } from './support/http';

/**
 * A tenant holds at most its plan's max_estimates estimates: a create past it is a 429 that stores nothing, two
 * creates racing for the last place cannot both win, and an import either refuses (all_or_nothing) or stores up to
 * the cap and reports the rest (skip_invalid). Each test puts the Free plan's cap where it needs it (this file's
 * database is its own).
 */

const setFreeCap = (maxEstimates: number | null) => ownerDb().update(plans).set({ maxEstimates }).where(eq(plans.id, 'free'));

async function storedCount(tenantId: string): Promise<number> {
  const [row] = await ownerDb().select({ n: count() }).from(costEstimates).where(eq(costEstimates.tenantId, tenantId));
  return row.n;
}

/** Sessions waiting for an advisory lock (a create queued behind another of the same tenant). */
async function waitingAdvisoryLocks(): Promise<number> {
  const [row] = await ownerDb().execute<{ n: number }>(sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`);
  return row.n;
}

async function queuedCount(tenantId: string): Promise<number> {
  const [row] = await ownerDb().select({ n: count() }).from(estimateIndexOutbox).where(eq(estimateIndexOutbox.tenantId, tenantId));
  return row.n;
}

const create = (t: TFilesTenant, name = 'House') =>
  callRoute(estimatesRoute.POST, { method: 'POST', path: '/api/v1/estimates', host: t.host, apiKey: t.apiKey, body: houseEstimate({ name }) });

async function fill(t: TFilesTenant, estimates: number): Promise<void> {
  for (let i = 0; i < estimates; i++) expect((await create(t, `House ${i}`)).status).toBe(201);
}

async function callImport(t: TFilesTenant, lines: unknown[], mode: 'all_or_nothing' | 'skip_invalid'): Promise<TCallResult> {
  const request = new Request(`http://${t.host}/api/v1/estimates/import?mode=${mode}`, {
    method: 'POST',
    headers: { host: t.host, authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/x-ndjson' },
    body: lines.map((line) => JSON.stringify(line)).join('\n'),
  });
  const response = await importRoute.POST(request, { params: Promise.resolve({}) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text, headers: response.headers };
}

describe("the plan's cap on estimates", () => {
  it('refuses the estimate past the cap with 429 quota_exceeded naming the limit and the count, and stores nothing', async () => {
    await setFreeCap(2);
    const t = await filesTenant('free');
    await fill(t, 2);
    const refused = await create(t, 'One too many');
    expectError(refused, 429, 'quota_exceeded', /allows 2 estimates and 2 are stored/);
    expect(refused.body.error.details).toEqual({ quota: 'max_estimates', limit: 2, used: 2, requested: 1 });
    expect(await storedCount(t.id)).toBe(2);
    expect(await queuedCount(t.id)).toBe(2);
  });

  it('makes a create wait for one holding the last place, then refuses it: two creates at the cap minus one cannot both pass', async () => {
    await setFreeCap(3);
    const t = await filesTenant('free');
    await fill(t, 2);
    let commit!: () => void;
    const isCommitting = new Promise<void>((resolve) => (commit = resolve));
    let inserted!: () => void;
    const isInserted = new Promise<void>((resolve) => (inserted = resolve));
    const author = { tenantId: t.id, userId: null, apiKeyId: null };
    const holder = withTenant(t.id, async (tx) => {
      await createEstimate(tx, author, ZEstimateInput.parse(houseEstimate({ name: 'Holder' })));
      inserted();
      await isCommitting;
    });
    await isInserted;
    // The second create counts while the first is not committed yet: it must wait for it rather than count 2.
    let isAnswered = false;
    const second = create(t, 'Second').finally(() => (isAnswered = true));
    const deadline = Date.now() + 10_000;
    while (!isAnswered && (await waitingAdvisoryLocks()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    commit();
    await holder;
    expectError(await second, 429, 'quota_exceeded');
    expect(await storedCount(t.id)).toBe(3);
  });

  it('lets exactly one of five parallel creates through at the cap minus one', async () => {
    await setFreeCap(3);
    const t = await filesTenant('free');
    await fill(t, 2);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => create(t, `Racer ${i}`)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 429, 429, 429, 429]);
    expect(await storedCount(t.id)).toBe(3);
  });

  it("applies an edit of the plan's cap at once, and puts no cap on a plan without one", async () => {
    await setFreeCap(5);
    const t = await filesTenant('free');
    await fill(t, 3);
    await setFreeCap(3);
    expectError(await create(t), 429, 'quota_exceeded');
    await setFreeCap(null);
    expect((await create(t)).status).toBe(201);
    expect(await storedCount(t.id)).toBe(4);
  });

  it('refuses an all_or_nothing import that would pass the cap with 429, storing none of it', async () => {
    await setFreeCap(5);
    const t = await filesTenant('free');
    await fill(t, 3);
    const result = await callImport(t, [houseEstimate({ name: 'A' }), houseEstimate({ name: 'B' }), houseEstimate({ name: 'C' })], 'all_or_nothing');
    expectError(result, 429, 'quota_exceeded');
    expect(result.body.error.details).toEqual({ quota: 'max_estimates', limit: 5, used: 3, requested: 3 });
    expect(await storedCount(t.id)).toBe(3);
  });

  it('stores a skip_invalid import up to the cap and reports each estimate beyond it as rejected, with its line', async () => {
    await setFreeCap(5);
    const t = await filesTenant('free');
    await fill(t, 3);
    const lines = [
      houseEstimate({ name: 'A' }),
      { ...houseEstimate({ name: 'Invalid' }), currency: 'euro' },
      houseEstimate({ name: 'B' }),
      houseEstimate({ name: 'C' }),
      houseEstimate({ name: 'D' }),
    ];
    const result = await callImport(t, lines, 'skip_invalid');
    expect(result.status, result.text).toBe(201);
    const report = result.body.import;
    expect(report).toMatchObject({ rows: 5, accepted: 2, committed: true });
    expect(report.estimateIds).toHaveLength(2);
    expect(report.rejected.map((r: { line: number }) => r.line)).toEqual([2, 4, 5]);
    expect(report.rejected[0].reason).toMatch(/currency/);
    for (const rejection of report.rejected.slice(1)) expect(rejection.reason).toMatch(/over the plan's limit of 5 estimates \(3 were stored before this import/);
    const names = (await ownerDb().select({ name: costEstimates.name }).from(costEstimates).where(eq(costEstimates.tenantId, t.id))).map((r) => r.name);
    expect(names.sort()).toEqual(['A', 'B', 'House 0', 'House 1', 'House 2']);
  });

  it('answers 200 with nothing stored when a skip_invalid import finds no room left', async () => {
    await setFreeCap(2);
    const t = await filesTenant('free');
    await fill(t, 2);
    const result = await callImport(t, [houseEstimate({ name: 'A' }), houseEstimate({ name: 'B' })], 'skip_invalid');
    expect(result.status, result.text).toBe(200);
    expect(result.body.import).toMatchObject({ rows: 2, accepted: 0, committed: false });
    expect(result.body.import.rejected).toHaveLength(2);
    expect(await storedCount(t.id)).toBe(2);
  });
});
