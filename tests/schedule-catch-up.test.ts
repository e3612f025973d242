import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { invoices } from '@/db/schema/billing';
import { archivalRuns, files } from '@/db/schema/files';
import { scheduleRuns } from '@/db/schema/jobs';
import { usageEvents } from '@/db/schema/usage';
import { previousPeriod, periodBounds } from '@/lib/billing';
import {
  ARCHIVAL_RUN_JOB,
  INVOICE_RUN_JOB,
  SCHEDULE_CATCH_UP_JOB,
  STORAGE_SNAPSHOTS_JOB,
  USAGE_RETENTION_JOB,
  catchUpSchedule,
  catchUpSchedules,
  startJobs,
  stopJobs,
} from '@/lib/jobs';
import { ensureBuckets } from '@/lib/storage';
import { createBackdatedTenant, utc } from './support/billing';

const DECEMBER_3RD = new Date('2026-12-03T09:00:00Z');

const invoicesOf = (tenantId: string) =>
  ownerDb()
    .select({ periodStart: invoices.periodStart, number: invoices.number, status: invoices.status })
    .from(invoices)
    .where(eq(invoices.tenantId, tenantId))
    .orderBy(asc(invoices.periodStart));

const recordCompleted = (job: string, period: string) =>
  ownerDb().insert(scheduleRuns).values({ job, lastCompletedPeriod: period });

const lastCompleted = async (job: string) =>
  (await ownerDb().select({ period: scheduleRuns.lastCompletedPeriod }).from(scheduleRuns).where(eq(scheduleRuns.job, job)))[0]?.period;

beforeAll(async () => {
  await ensureBuckets();
});

beforeEach(async () => {
  await ownerDb().delete(scheduleRuns).where(sql`true`);
});

describe('missed invoice runs', () => {
  it('invoices November on a start in December when no process ran on the 1st, once however often it catches up', async () => {
    const tenant = await createBackdatedTenant('starter', utc('2026-10-15'), 'missed');
    await recordCompleted(INVOICE_RUN_JOB, '2026-10');

    const first = await catchUpSchedule(INVOICE_RUN_JOB, DECEMBER_3RD);
    expect(first).toEqual({ job: INVOICE_RUN_JOB, outcome: 'ran', periods: ['2026-11'] });
    expect(await invoicesOf(tenant.id)).toEqual([{ periodStart: '2026-11-01', number: expect.stringMatching(/^SW-202611-/), status: 'open' }]);
    expect(await lastCompleted(INVOICE_RUN_JOB)).toBe('2026-11');

    const again = await catchUpSchedule(INVOICE_RUN_JOB, new Date('2026-12-03T10:00:00Z'));
    expect(again).toEqual({ job: INVOICE_RUN_JOB, outcome: 'current', periods: [] });
    expect(await invoicesOf(tenant.id)).toHaveLength(1);
  });

  it('invoices every month missed since the earliest tenant began, oldest first, when the job has no record yet', async () => {
    const tenant = await createBackdatedTenant('starter', utc('2026-10-01'), 'twomonths');

    const results = await catchUpSchedules(DECEMBER_3RD);

    expect(results.find((result) => result.job === INVOICE_RUN_JOB)).toMatchObject({ outcome: 'ran', periods: ['2026-10', '2026-11'] });
    const issued = await invoicesOf(tenant.id);
    expect(issued.map((invoice) => invoice.periodStart)).toEqual(['2026-10-01', '2026-11-01']);
    // Issued in order: October's number comes from the sequence before November's.
    expect(Number(issued[0].number!.slice(-6))).toBeLessThan(Number(issued[1].number!.slice(-6)));
  });

  it('does not invoice a month before its 01:00 run on the 1st is due', async () => {
    await createBackdatedTenant('starter', utc('2026-11-02'), 'early');
    await recordCompleted(INVOICE_RUN_JOB, '2026-10');

    expect(await catchUpSchedule(INVOICE_RUN_JOB, new Date('2026-12-01T00:59:00Z'))).toMatchObject({ outcome: 'current', periods: [] });
    expect(await catchUpSchedule(INVOICE_RUN_JOB, new Date('2026-12-01T01:00:00Z'))).toMatchObject({ outcome: 'ran', periods: ['2026-11'] });
  });

  it('catches up at most 12 missed months', async () => {
    await createBackdatedTenant('starter', utc('2024-01-01'), 'longago');

    const result = await catchUpSchedule(INVOICE_RUN_JOB, DECEMBER_3RD);

    expect(result.periods).toHaveLength(12);
    expect(result.periods[0]).toBe('2025-12');
    expect(result.periods.at(-1)).toBe('2026-11');
  });

  it('lets one of two processes catching up at once issue each invoice, and the other skip the job', async () => {
    const tenant = await createBackdatedTenant('starter', utc('2026-10-01'), 'race');
    await recordCompleted(INVOICE_RUN_JOB, '2026-09');

    const outcomes = await Promise.all([catchUpSchedule(INVOICE_RUN_JOB, DECEMBER_3RD), catchUpSchedule(INVOICE_RUN_JOB, DECEMBER_3RD)]);

    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['busy', 'ran']);
    expect((await invoicesOf(tenant.id)).map((invoice) => invoice.periodStart)).toEqual(['2026-10-01', '2026-11-01']);
    expect(await lastCompleted(INVOICE_RUN_JOB)).toBe('2026-11');
  });
});

describe('missed storage snapshots', () => {
  it('takes the missed days\' storage snapshots late, with the bytes stored now, and says so', async () => {
    const tenant = await createBackdatedTenant('starter', utc('2026-11-20'), 'snaps');
    await ownerDb()
      .insert(files)
      .values({
        tenantId: tenant.id,
        filename: 'plan.pdf',
        extension: 'pdf',
        contentType: 'application/pdf',
        sizeBytes: 4_000,
        storageKey: `${tenant.id}/${randomUUID()}`,
        status: 'completed',
      });
    await recordCompleted(STORAGE_SNAPSHOTS_JOB, '2026-11-30');

    const result = await catchUpSchedule(STORAGE_SNAPSHOTS_JOB, DECEMBER_3RD);

    expect(result.periods).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    const points = await ownerDb()
      .select({ occurredAt: usageEvents.occurredAt, quantity: usageEvents.quantity, metadata: usageEvents.metadata })
      .from(usageEvents)
      .where(and(eq(usageEvents.tenantId, tenant.id), eq(usageEvents.eventType, 'storage_bytes')))
      .orderBy(asc(usageEvents.occurredAt));
    expect(points).toEqual([
      { occurredAt: utc('2026-12-01'), quantity: 4_000, metadata: { hotBytes: 4_000, archivedBytes: 0, takenLate: true, takenAt: DECEMBER_3RD.toISOString() } },
      { occurredAt: utc('2026-12-02'), quantity: 4_000, metadata: { hotBytes: 4_000, archivedBytes: 0, takenLate: true, takenAt: DECEMBER_3RD.toISOString() } },
      { occurredAt: utc('2026-12-03'), quantity: 4_000, metadata: { hotBytes: 4_000, archivedBytes: 0 } },
    ]);
  });

  it('takes no late snapshot for a day before the tenant existed', async () => {
    const tenant = await createBackdatedTenant('starter', new Date('2026-12-02T12:00:00Z'), 'young');
    await recordCompleted(STORAGE_SNAPSHOTS_JOB, '2026-11-30');

    await catchUpSchedule(STORAGE_SNAPSHOTS_JOB, DECEMBER_3RD);

    const days = await ownerDb()
      .select({ occurredAt: usageEvents.occurredAt })
      .from(usageEvents)
      .where(and(eq(usageEvents.tenantId, tenant.id), eq(usageEvents.eventType, 'storage_bytes')))
      .orderBy(asc(usageEvents.occurredAt));
    expect(days.map((day) => day.occurredAt)).toEqual([utc('2026-12-02'), utc('2026-12-03')]);
  });
});

describe('missed nightly jobs', () => {
  it('runs a missed nightly archival once, not once per missed night', async () => {
    await recordCompleted(ARCHIVAL_RUN_JOB, '2026-11-28');
    const before = await ownerDb().select({ id: archivalRuns.id }).from(archivalRuns);

    const result = await catchUpSchedule(ARCHIVAL_RUN_JOB, DECEMBER_3RD);

    expect(result).toEqual({ job: ARCHIVAL_RUN_JOB, outcome: 'ran', periods: ['2026-12-03'] });
    const after = await ownerDb().select({ id: archivalRuns.id, trigger: archivalRuns.trigger }).from(archivalRuns);
    expect(after).toHaveLength(before.length + 1);
    expect(await catchUpSchedule(ARCHIVAL_RUN_JOB, new Date('2026-12-03T23:00:00Z'))).toMatchObject({ outcome: 'current' });
    expect(await ownerDb().select({ id: archivalRuns.id }).from(archivalRuns)).toHaveLength(before.length + 1);
  });

  it('runs a missed retention once, and not before the night\'s run is due', async () => {
    await recordCompleted(USAGE_RETENTION_JOB, '2026-12-01');

    expect(await catchUpSchedule(USAGE_RETENTION_JOB, new Date('2026-12-03T03:00:00Z'))).toMatchObject({ outcome: 'ran', periods: ['2026-12-02'] });
    expect(await catchUpSchedule(USAGE_RETENTION_JOB, new Date('2026-12-03T03:29:00Z'))).toMatchObject({ outcome: 'current' });
    expect(await catchUpSchedule(USAGE_RETENTION_JOB, new Date('2026-12-03T03:30:00Z'))).toMatchObject({ outcome: 'ran', periods: ['2026-12-03'] });
  });
});

describe('a worker started after downtime', () => {
  afterAll(async () => {
    await stopJobs();
  });

  it('finds last month not invoiced and invoices it on start, without anyone pressing "Run invoices"', async () => {
    // The clock as it is: the tenant has existed since before last month, and no run was recorded since.
    const lastMonth = previousPeriod(new Date());
    const tenant = await createBackdatedTenant('starter', periodBounds(lastMonth).start, 'worker');
    await recordCompleted(INVOICE_RUN_JOB, previousPeriod(periodBounds(lastMonth).start));

    await startJobs();

    const deadline = Date.now() + 20_000;
    let issued = await invoicesOf(tenant.id);
    while (issued.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      issued = await invoicesOf(tenant.id);
    }
    expect(issued.map((invoice) => invoice.periodStart)).toEqual([`${lastMonth}-01`]);
    const [tick] = await ownerDb().execute<{ cron: string }>(sql`select cron from pgboss.schedule where name = ${SCHEDULE_CATCH_UP_JOB}`);
    expect(tick).toEqual({ cron: '5 * * * *' });
  }, 30_000);
});
