import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { usageEvents } from '@/db/schema/usage';
import { billTenantPeriod, computeInvoice, gatherInvoiceInput, getInvoice, updatePlan } from '@/lib/billing';
import { withPlatform, withTenant } from '@/lib/tenancy';
import { recordUsageEvents, type TUsageEvent } from '@/lib/usage';
import { createBackdatedTenant, utc } from './support/billing';

/**
 * For random event streams — duplicates, reordering, events just outside the period, several snapshots a day,
 * days without one — the invoice's usage lines equal what the raw events imply, in cents; and reporting the
 * same events again changes nothing. The expected figures are computed here from the stored raw rows, by a
 * straightforward second implementation (per-day loop, BigInt), not by the invoice code.
 */

const PERIOD = '2026-09';
const START = utc('2026-09-01');
const END = utc('2026-10-01');
const DAYS = 30;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
// Small allowances so that random streams go over them; prices as odd as possible to exercise rounding.
const ALLOWANCE = { filesPerMonth: 4, apiCallsPerMonth: 7, storageBytes: 300 * MiB };
const PRICE = { extraFileCents: 37, per1kApiCallsCents: 137, storageGibMonthCents: 999 };

beforeAll(async () => {
  await withPlatform((tx) => updatePlan(tx, 'starter', { ...ALLOWANCE, ...PRICE }));
});

const ZEvent = fc.record({
  type: fc.constantFrom('file_upload' as const, 'api_call' as const, 'storage_bytes' as const, 'file_processed' as const),
  // Day −2 … 32 around September: a few fall outside the period on either side.
  dayOffset: fc.integer({ min: -2, max: DAYS + 1 }),
  secondOfDay: fc.integer({ min: 0, max: 86_399 }),
  quantity: fc.integer({ min: 0, max: 900 * MiB }),
});
const ZStream = fc.record({
  events: fc.array(ZEvent, { minLength: 0, maxLength: 120, size: 'large' }),
  // Which events are sent again (same id), and in how many batches the whole lot arrives.
  repeats: fc.array(fc.nat(), { maxLength: 20 }),
  batches: fc.integer({ min: 1, max: 4 }),
});

const roundHalfUp = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);

async function expectedFromRawEvents(tenantId: string) {
  const rows = await ownerDb()
    .select({ type: usageEvents.eventType, quantity: usageEvents.quantity, occurredAt: usageEvents.occurredAt })
    .from(usageEvents)
    .where(eq(usageEvents.tenantId, tenantId));
  const inPeriod = rows.filter((r) => r.occurredAt >= START && r.occurredAt < END);
  const files = inPeriod.filter((r) => r.type === 'file_upload').length;
  const calls = inPeriod.filter((r) => r.type === 'api_call').length;

  // Storage per day: the day's largest snapshot; else the previous day's value; 0 before any snapshot.
  const dayIndex = (d: Date) => Math.floor((d.getTime() - START.getTime()) / 86_400_000);
  const snapshots = rows.filter((r) => r.type === 'storage_bytes');
  let carried = 0;
  const before = snapshots.filter((s) => s.occurredAt < START);
  if (before.length > 0) {
    const lastDay = Math.max(...before.map((s) => dayIndex(s.occurredAt)));
    carried = Math.max(...before.filter((s) => dayIndex(s.occurredAt) === lastDay).map((s) => s.quantity));
  }
  let overByteDays = 0n;
  for (let day = 0; day < DAYS; day += 1) {
    const today = snapshots.filter((s) => dayIndex(s.occurredAt) === day && s.occurredAt < END);
    if (today.length > 0) carried = Math.max(...today.map((s) => s.quantity));
    overByteDays += BigInt(Math.max(0, carried - ALLOWANCE.storageBytes));
  }

  const extraFiles = Math.max(0, files - ALLOWANCE.filesPerMonth);
  const extraCalls = Math.max(0, calls - ALLOWANCE.apiCallsPerMonth);
  return {
    extra_files: extraFiles * PRICE.extraFileCents,
    api_calls: Number(roundHalfUp(BigInt(extraCalls) * BigInt(PRICE.per1kApiCallsCents), 1000n)),
    storage: Number(roundHalfUp(overByteDays * BigInt(PRICE.storageGibMonthCents), BigInt(DAYS) * BigInt(GiB))),
    files,
    calls,
  };
}

describe('invoice usage lines (property)', () => {
  it('equal what the raw events imply, in cents, and duplicated event ids change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(ZStream, async ({ events, repeats, batches }) => {
        const { id: tenantId } = await createBackdatedTenant('starter', utc('2026-08-01'), 'prop');
        const unique: TUsageEvent[] = events.map((e) => ({
          id: randomUUID(),
          type: e.type,
          quantity: e.type === 'api_call' || e.type === 'file_processed' ? 1 : e.quantity,
          occurredAt: new Date(START.getTime() + e.dayOffset * 86_400_000 + e.secondOfDay * 1000),
          ...(e.type === 'api_call' ? { route: '/api/v1/files', method: 'GET', status: 200 } : {}),
        }));
        const again = unique.length > 0 ? repeats.map((r) => unique[r % unique.length]) : [];
        const stream = [...unique, ...again].reverse();
        const size = Math.ceil(stream.length / batches) || 1;
        for (let i = 0; i < stream.length; i += size) {
          const batch = stream.slice(i, i + size);
          await withTenant(tenantId, (tx) => recordUsageEvents(tx, tenantId, batch));
        }
        // The raw table holds each id once, whatever was sent twice.
        const stored = await ownerDb().select({ id: usageEvents.id }).from(usageEvents).where(eq(usageEvents.tenantId, tenantId));
        expect(stored).toHaveLength(unique.length);

        const expected = await expectedFromRawEvents(tenantId);
        const { invoiceId } = await billTenantPeriod(tenantId, PERIOD, new Date('2026-10-01T01:00:00Z'));
        const invoice = await withTenant(tenantId, (tx) => getInvoice(tx, tenantId, invoiceId));
        const amount = (kind: string) => invoice.lines.find((l) => l.kind === kind)!.amountCents;
        expect({ extra_files: amount('extra_files'), api_calls: amount('api_calls'), storage: amount('storage') }).toEqual({
          extra_files: expected.extra_files,
          api_calls: expected.api_calls,
          storage: expected.storage,
        });
        expect(invoice.lines.find((l) => l.kind === 'extra_files')!.metadata).toMatchObject({ used: expected.files });
        expect(invoice.lines.find((l) => l.kind === 'api_calls')!.metadata).toMatchObject({ used: expected.calls });
        expect(invoice.subtotalCents).toBe(invoice.lines.reduce((sum, l) => sum + l.amountCents, 0));
        expect(invoice.totalCents).toBe(invoice.subtotalCents + invoice.taxCents);

        // Everything reported again after the run: the raw rows and a recomputed invoice are unchanged.
        await withTenant(tenantId, (tx) => recordUsageEvents(tx, tenantId, unique));
        expect(await expectedFromRawEvents(tenantId)).toEqual(expected);
        const recomputed = computeInvoice(await withTenant(tenantId, (tx) => gatherInvoiceInput(tx, tenantId, PERIOD)));
        expect(recomputed.lines.map((l) => l.amountCents)).toEqual(invoice.lines.map((l) => l.amountCents));
        expect(recomputed.totalCents).toBe(invoice.totalCents);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
