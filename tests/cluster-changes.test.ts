import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeDb, ownerDb } from '@/db/client';
import { announceChange, onChange, startChangeListener } from '@/lib/cluster';
import { withPlatform } from '@/lib/tenancy';
import { until } from './support/wait';

/**
 * Change notices between processes (lib/cluster): sent with the transaction that makes the change, heard by every
 * listening process, and after a lost connection every cache is dropped because notices may have been missed.
 */
const heard: { topic: string; key: string | null }[] = [];
const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });

beforeAll(async () => {
  onChange('plans', (key) => heard.push({ topic: 'plans', key }));
  onChange('tenant', (key) => heard.push({ topic: 'tenant', key }));
  await startChangeListener();
});

afterAll(async () => {
  await closeDb();
  await admin.end();
});

const heardSoFar = () => `heard ${JSON.stringify(heard)}`;

describe('change notices', () => {
  it('delivers a change when its transaction commits, to the topic and key it names', async () => {
    heard.length = 0;
    await withPlatform((tx) => announceChange(tx, 'tenant', 'tenant-1'));
    await until(() => heard.length > 0, 2_000, heardSoFar);
    expect(heard).toEqual([{ topic: 'tenant', key: 'tenant-1' }]);
  });

  it('tells nobody of a change whose transaction rolls back, and nothing before the commit', async () => {
    heard.length = 0;
    await expect(
      withPlatform(async (tx) => {
        await announceChange(tx, 'plans');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');

    let heardBeforeCommit = -1;
    await withPlatform(async (tx) => {
      await announceChange(tx, 'tenant', 'after-rollback');
      await new Promise((resolve) => setTimeout(resolve, 200));
      heardBeforeCommit = heard.length;
    });
    await until(() => heard.length > 0, 2_000, heardSoFar);
    expect(heardBeforeCommit).toBe(0);
    expect(heard).toEqual([{ topic: 'tenant', key: 'after-rollback' }]);
  });

  it('drops every cache when its listening connection was lost, and hears later changes again', async () => {
    heard.length = 0;
    const [database] = await ownerDb().execute<{ name: string }>(sql`select current_database() as name`);
    const [{ count }] = await admin<{ count: number }[]>`
      select count(pg_terminate_backend(pid))::int as count from pg_stat_activity
      where datname = ${database.name} and query ilike 'listen sitework_changes%'`;
    expect(count).toBe(1);

    await until(() => heard.some((entry) => entry.key === null), 5_000);
    expect(heard.filter((entry) => entry.key === null).map((entry) => entry.topic).sort()).toEqual(['plans', 'tenant']);

    heard.length = 0;
    await withPlatform((tx) => announceChange(tx, 'plans', 'after-reconnect'));
    await until(() => heard.some((entry) => entry.key === 'after-reconnect'));
  });
});
