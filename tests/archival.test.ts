import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { archivalRuns, files, storageDeletions } from '@/db/schema/files';
import { seedDemoData } from '@/db/seed';
import { SimulatedArchivalCrash, startArchivalRun, trackRestores, type TArchivalCrashPoint } from '@/lib/archival';
import { bucketNames, ensureBuckets, s3 } from '@/lib/storage';
import { metrics } from '@/lib/telemetry';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as restoreRoute from '../app/api/v1/files/[id]/restore/route';
import {
  DAY_MS,
  createAgedFile,
  fileRecord,
  objectHead,
  objectSha256,
  runRecord,
  setPolicy,
  type TAgedFile,
} from './support/archival';
import { callRoute, demoUsers, expectError, hostOf, type TDemo } from './support/http';

async function archivedFilesMetric(): Promise<number> {
  const { values } = await metrics().archivalFiles.get();
  return values.find((v) => v.labels.outcome === 'archived')?.value ?? 0;
}

let demo: TDemo;

beforeAll(async () => {
  await ensureBuckets();
  await seedDemoData();
  demo = await demoUsers();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const archiveKeyOf = (file: TAgedFile) => `archive/${file.tenantId}/${file.id}/${file.filename}`;

/**
 * Counts the CopyObject calls per destination key made through the app's S3 client, and remembers the
 * storage class each asked for (s3rver does not report it back on HeadObject).
 */
function countCopies(storageClasses = new Map<string, string | undefined>()): Map<string, number> {
  const copies = new Map<string, number>();
  const client = s3();
  const send = client.send.bind(client);
  vi.spyOn(client, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
    if (command instanceof CopyObjectCommand) {
      const key = `${command.input.Bucket}/${command.input.Key}`;
      copies.set(key, (copies.get(key) ?? 0) + 1);
      storageClasses.set(key, command.input.StorageClass);
    }
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.send);
  return copies;
}

/** The end state every archived file must reach: one verified archive copy, no hot copy, a clean row. */
async function expectArchived(file: TAgedFile, storageClass: string) {
  const { files: hot, archive } = bucketNames();
  const row = await fileRecord(file.id);
  expect(row).toMatchObject({
    storageTier: 'archived',
    archiveKey: archiveKeyOf(file),
    archiveStorageClass: storageClass,
    archivalStep: null,
    sha256: file.sha256,
  });
  expect(row!.archivedAt).toBeInstanceOf(Date);
  const head = await objectHead(archive, archiveKeyOf(file));
  expect(head?.sizeBytes).toBe(file.sizeBytes);
  if (head?.storageClass) expect(head.storageClass).toBe(storageClass);
  expect(await objectSha256(archive, archiveKeyOf(file))).toBe(file.sha256);
  expect(await objectHead(hot, file.storageKey)).toBeNull();
  const deletions = await ownerDb()
    .select()
    .from(storageDeletions)
    .where(and(eq(storageDeletions.bucket, hot), eq(storageDeletions.objectKey, file.storageKey)));
  expect(deletions.length).toBeGreaterThan(0);
  expect(deletions.every((d) => d.deletedAt !== null)).toBe(true);
}

async function expectUntouched(file: TAgedFile) {
  const row = await fileRecord(file.id);
  expect(row).toMatchObject({ storageTier: 'hot', archiveKey: null, archivalStep: null, archivedAt: null });
  expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
  expect(await objectHead(bucketNames().archive, archiveKeyOf(file))).toBeNull();
}

describe('an archival run', () => {
  it('archives aged files by policy: the archive copy holds the same bytes, the hot copy is gone, the run is counted', async () => {
    const acme = demo.acme.id;
    const completed = await createAgedFile(acme, { ageDays: 400, status: 'completed', sizeBytes: 10_000 });
    const failed = await createAgedFile(acme, { ageDays: 100, status: 'failed', sizeBytes: 3_000 });
    const temporary = await createAgedFile(demo.globex.id, { ageDays: 8, status: 'uploaded', isTemporary: true, sizeBytes: 5_000 });
    const withoutChecksum = await createAgedFile(acme, { ageDays: 366, status: 'completed', withSha256: false });
    const young = [
      await createAgedFile(acme, { ageDays: 364, status: 'completed' }),
      await createAgedFile(acme, { ageDays: 89, status: 'failed' }),
      await createAgedFile(acme, { ageDays: 6, isTemporary: true }),
      await createAgedFile(acme, { ageDays: 900, status: 'processing' }),
    ];

    const storageClasses = new Map<string, string | undefined>();
    countCopies(storageClasses);
    const archivedBefore = await archivedFilesMetric();

    const run = await startArchivalRun('manual');

    expect(storageClasses.get(`${bucketNames().archive}/${archiveKeyOf(completed)}`)).toBe('GLACIER');
    expect(storageClasses.get(`${bucketNames().archive}/${archiveKeyOf(failed)}`)).toBe('STANDARD_IA');
    expect(storageClasses.get(`${bucketNames().archive}/${archiveKeyOf(temporary)}`)).toBe('GLACIER');
    expect(run).toMatchObject({
      trigger: 'manual',
      status: 'succeeded',
      filesConsidered: 4,
      filesArchived: 4,
      filesFailed: 0,
      bytesArchived: completed.sizeBytes + failed.sizeBytes + temporary.sizeBytes + withoutChecksum.sizeBytes,
      error: null,
    });
    expect(run.finishedAt).toBeInstanceOf(Date);
    await expectArchived(completed, 'GLACIER');
    await expectArchived(failed, 'STANDARD_IA');
    await expectArchived(temporary, 'GLACIER');
    // A file stored without a checksum gets one from its hot copy before the archive copy is trusted.
    await expectArchived(withoutChecksum, 'GLACIER');
    for (const file of [completed, failed, temporary, withoutChecksum]) expect((await fileRecord(file.id))!.archivalRunId).toBe(run.id);
    for (const file of young) await expectUntouched(file);
    // Prometheus: sitework_archival_files_total{outcome="archived"} moved by the run's count.
    expect((await archivedFilesMetric()) - archivedBefore).toBe(4);
  });

  it('leaves files of a disabled policy alone, and archives them once the policy is enabled again', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 120, status: 'failed' });
    await setPolicy('failed-files', { isEnabled: false });
    try {
      const run = await startArchivalRun('manual');
      expect(run).toMatchObject({ status: 'succeeded', filesArchived: 0 });
      await expectUntouched(file);
    } finally {
      await setPolicy('failed-files', { isEnabled: true });
    }
    const run = await startArchivalRun('cron');
    expect(run).toMatchObject({ trigger: 'cron', status: 'succeeded', filesArchived: 1 });
    await expectArchived(file, 'STANDARD_IA');
  });

  it('applies an edited minimum age on the next run', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 40, status: 'failed' });
    const younger = await createAgedFile(demo.acme.id, { ageDays: 20, status: 'failed' });
    expect((await startArchivalRun('manual')).filesArchived).toBe(0);
    await setPolicy('failed-files', { minAgeDays: 30 });
    try {
      expect((await startArchivalRun('manual')).filesArchived).toBeGreaterThanOrEqual(1);
      await expectArchived(file, 'STANDARD_IA');
      await expectUntouched(younger);
    } finally {
      await setPolicy('failed-files', { minAgeDays: 90 });
    }
  });
});

describe('a crash in the middle of archiving', () => {
  const STEP_LEFT: Record<TArchivalCrashPoint, string> = { copy: 'copied', verify: 'verified', mark: 'marked' };

  it.each(['copy', 'verify', 'mark'] as const)(
    'after %s: the next run finishes every file, each copied once, nothing lost and no hot copy left',
    async (failAfter) => {
      const batch = await Promise.all(
        Array.from({ length: 5 }, (_, i) => createAgedFile(demo.acme.id, { ageDays: 500 + i, status: 'completed' })),
      );
      const copies = countCopies();

      const crashed = startArchivalRun('manual', { failAfter, concurrency: 2 });
      await expect(crashed).rejects.toBeInstanceOf(SimulatedArchivalCrash);
      // As after a kill: the run row still says running, and some file stopped right after the step.
      const rows = await Promise.all(batch.map((f) => fileRecord(f.id)));
      const crashedRunId = rows.find((r) => r!.archivalRunId)!.archivalRunId!;
      expect((await runRecord(crashedRunId))!.status).toBe('running');
      expect(rows.some((r) => r!.archivalStep === STEP_LEFT[failAfter])).toBe(true);
      // Whatever the step, the bytes exist somewhere.
      for (const file of batch) {
        const { files: hot, archive } = bucketNames();
        expect((await objectHead(hot, file.storageKey)) ?? (await objectHead(archive, archiveKeyOf(file)))).not.toBeNull();
      }

      const next = await startArchivalRun('manual');
      expect(next).toMatchObject({ status: 'succeeded', filesFailed: 0 });
      for (const file of batch) await expectArchived(file, 'GLACIER');
      for (const file of batch) expect(copies.get(`${bucketNames().archive}/${archiveKeyOf(file)}`)).toBe(1);
      // The crashed run is closed as interrupted once nobody holds it.
      expect(await runRecord(crashedRunId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Interrupted/) });
    },
  );

  it('after mark: leaves the file marked while the deletion sweep is deleting its hot copy (a restore waits), and the next run clears it', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 800, status: 'completed' });
    await expect(startArchivalRun('manual', { failAfter: 'mark', concurrency: 1 })).rejects.toBeInstanceOf(SimulatedArchivalCrash);
    expect((await fileRecord(file.id))!.archivalStep).toBe('marked');
    const hotDeletion = and(eq(storageDeletions.bucket, bucketNames().files), eq(storageDeletions.objectKey, file.storageKey));
    // A sweep has claimed the hot copy's deletion and is deleting it right now.
    await ownerDb().update(storageDeletions).set({ claimedUntil: sql`now() + interval '5 minutes'` }).where(hotDeletion);

    await startArchivalRun('manual');
    expect(await fileRecord(file.id)).toMatchObject({ storageTier: 'archived', archivalStep: 'marked' });
    const restore = (fileId: string) =>
      callRoute(restoreRoute.POST, { method: 'POST', path: `/api/v1/files/${fileId}/restore`, params: { id: fileId }, host: hostOf('acme'), cookieFor: demo.acme.editor, body: { days: 1 } });
    expectError(await restore(file.id), 409, 'conflict', /being moved/);

    // The sweep is done.
    await ownerDb().update(storageDeletions).set({ claimedUntil: null, deletedAt: sql`now()` }).where(hotDeletion);
    await startArchivalRun('manual');
    expect((await fileRecord(file.id))!.archivalStep).toBeNull();
    expect((await restore(file.id)).body.restore.storageTier).toBe('restored');
  });

  it('copies again when the copy a crashed run left does not match the file', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 700, status: 'completed', sizeBytes: 6_000 });
    await expect(startArchivalRun('manual', { failAfter: 'copy', concurrency: 1 })).rejects.toBeInstanceOf(SimulatedArchivalCrash);
    expect((await fileRecord(file.id))!.archivalStep).toBe('copied');
    // The copy is damaged (a partial write): same key, other bytes.
    await s3().send(new PutObjectCommand({ Bucket: bucketNames().archive, Key: archiveKeyOf(file), Body: Buffer.alloc(6_000, 1) }));

    const run = await startArchivalRun('manual');
    expect(run).toMatchObject({ status: 'succeeded', filesArchived: 1 });
    await expectArchived(file, 'GLACIER');
  });

  it('never deletes the hot copy when the archive copy cannot be verified, and reports the file as failed', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 800, status: 'completed' });
    // A stored checksum that the bytes do not match: verification must refuse.
    await ownerDb().execute(sql`update files set sha256 = ${'0'.repeat(64)} where id = ${file.id}`);
    const run = await startArchivalRun('manual');
    expect(run).toMatchObject({ status: 'failed', filesFailed: 1, filesArchived: 0, error: expect.stringMatching(/verification failed/) });
    expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
    expect((await fileRecord(file.id))!.storageTier).toBe('hot');
    // Put the right checksum back: the next run completes it.
    await ownerDb().execute(sql`update files set sha256 = ${file.sha256} where id = ${file.id}`);
    expect(await startArchivalRun('manual')).toMatchObject({ status: 'succeeded', filesArchived: 1 });
    await expectArchived(file, 'GLACIER');
  });
});

describe('a hot object that changed after it was stored', () => {
  it('is not archived: the file is marked failed and audited, the run reports it, and later runs leave it alone', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 400, status: 'completed', bytes: Buffer.from('%PDF-') });
    const { ETag } = await s3().send(new HeadObjectCommand({ Bucket: bucketNames().files, Key: file.storageKey }));
    await ownerDb().update(files).set({ etag: ETag }).where(eq(files.id, file.id));
    // Someone with write access to the bucket (or a presigned URL of old) replaces the 5 bytes.
    const replacement = Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(100_000, 7)]);
    await s3().send(new PutObjectCommand({ Bucket: bucketNames().files, Key: file.storageKey, Body: replacement }));
    const copies = countCopies();

    const run = await startArchivalRun('manual');
    expect(run).toMatchObject({
      status: 'failed',
      filesFailed: 1,
      filesArchived: 0,
      error: expect.stringMatching(/the stored object no longer matches the file \(the stored object has 100005 bytes, the file 5\): marked failed, not archived/),
    });
    expect(copies.size).toBe(0);
    expect(await fileRecord(file.id)).toMatchObject({
      status: 'failed',
      failureReason: 'Integrity check failed: the stored object has 100005 bytes, the file 5',
      storageTier: 'hot',
      archivalStep: null,
      sizeBytes: 5,
    });
    expect(await objectHead(bucketNames().archive, archiveKeyOf(file))).toBeNull();
    const events = await ownerDb().execute<{ event_type: string; metadata: { reader: string } }>(
      sql`select event_type, metadata from audit_logs where tenant_id = ${file.tenantId} and action = 'file.integrity_mismatch' and target_id = ${file.id}`,
    );
    expect(events.map((e) => [e.event_type, e.metadata.reader])).toEqual([['security_event', 'archival']]);

    // Failed files older than 90 days have a policy of their own; this one stays out of it.
    expect(await startArchivalRun('manual')).toMatchObject({ status: 'succeeded', filesConsidered: 0 });
    expect((await fileRecord(file.id))!.archivalRunId).toBe(run.id);
  });

  it('is not copied again after a crash: the copy the crashed run left is removed and the file marked failed', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 710, status: 'completed', sizeBytes: 6_000 });
    const { ETag } = await s3().send(new HeadObjectCommand({ Bucket: bucketNames().files, Key: file.storageKey }));
    await ownerDb().update(files).set({ etag: ETag }).where(eq(files.id, file.id));
    await expect(startArchivalRun('manual', { failAfter: 'copy', concurrency: 1 })).rejects.toBeInstanceOf(SimulatedArchivalCrash);
    // The copy is damaged, and the hot object replaced by other bytes of the same size.
    await s3().send(new PutObjectCommand({ Bucket: bucketNames().archive, Key: archiveKeyOf(file), Body: Buffer.alloc(6_000, 1) }));
    await s3().send(new PutObjectCommand({ Bucket: bucketNames().files, Key: file.storageKey, Body: Buffer.alloc(6_000, 2) }));

    const run = await startArchivalRun('manual');
    expect(run).toMatchObject({ status: 'failed', filesFailed: 1, filesArchived: 0, error: expect.stringMatching(/ETag .* differs .*marked failed, not archived/) });
    expect(await fileRecord(file.id)).toMatchObject({ status: 'failed', storageTier: 'hot', archivalStep: null });
    expect(await objectHead(bucketNames().archive, archiveKeyOf(file))).toBeNull();
  });
});

describe('a run in another process', () => {
  it('keeps its hands off the files of a run that is alive elsewhere, and takes them over once that process is gone', async () => {
    // Another process: its own session holding the run's lock, as runArchival does.
    const other = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      // A run id whose lock key is negative, the case an int-to-oid cast gets wrong.
      let otherRunId = randomUUID();
      while ((await other`select hashtext(${otherRunId}) as h`)[0].h >= 0) otherRunId = randomUUID();
      await ownerDb().insert(archivalRuns).values({ id: otherRunId, trigger: 'cron', status: 'running' });
      await other`select pg_advisory_lock(${0x61726368}::int, hashtext(${otherRunId}))`;
      const file = await createAgedFile(demo.acme.id, { ageDays: 450, status: 'completed' });
      await ownerDb().update(files).set({ archivalRunId: otherRunId }).where(eq(files.id, file.id));

      const run = await startArchivalRun('manual');
      expect(run.status).toBe('succeeded');
      expect((await fileRecord(file.id))!.storageTier).toBe('hot');
      expect((await runRecord(otherRunId))!.status).toBe('running');

      await other.end();
      const next = await startArchivalRun('manual');
      expect(next).toMatchObject({ status: 'succeeded', filesArchived: 1 });
      await expectArchived(file, 'GLACIER');
      expect(await runRecord(otherRunId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Interrupted/) });
    } finally {
      await other.end();
    }
  });
});

describe('two runs at once', () => {
  it('never process the same file: each file is copied once and counted by one run', async () => {
    const batch = await Promise.all(Array.from({ length: 24 }, (_, i) => createAgedFile(demo.globex.id, { ageDays: 400 + i, status: 'completed', sizeBytes: 2_048 })));
    const copies = countCopies();

    const [first, second] = await Promise.all([
      startArchivalRun('manual', { concurrency: 3 }),
      startArchivalRun('cron', { concurrency: 3 }),
    ]);

    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    expect(first.filesArchived + second.filesArchived).toBe(batch.length);
    expect(first.filesConsidered + second.filesConsidered).toBe(batch.length);
    for (const file of batch) {
      expect(copies.get(`${bucketNames().archive}/${archiveKeyOf(file)}`)).toBe(1);
      await expectArchived(file, 'GLACIER');
    }
  });
});

describe('restore (S3-compatible endpoint: immediate copy back)', () => {
  async function archivedFile(tenantId: string): Promise<TAgedFile> {
    const file = await createAgedFile(tenantId, { ageDays: 400, status: 'completed', sizeBytes: 8_000 });
    await startArchivalRun('manual');
    expect((await fileRecord(file.id))!.storageTier).toBe('archived');
    return file;
  }

  const restore = (fileId: string, body: unknown, caller = demo.acme.editor, slug = 'acme') =>
    callRoute(restoreRoute.POST, {
      method: 'POST',
      path: `/api/v1/files/${fileId}/restore`,
      params: { id: fileId },
      host: hostOf(slug),
      cookieFor: caller,
      body,
    });

  it('makes an archived file readable again with the same bytes, for the days asked', async () => {
    const file = await archivedFile(demo.acme.id);
    const before = Date.now();
    const result = await restore(file.id, { days: 3 });

    expect(result.status).toBe(200);
    expect(result.body.restore).toMatchObject({ fileId: file.id, storageTier: 'restored' });
    const readyAt = new Date(result.body.restore.restoreReadyAt).getTime();
    const expiresAt = new Date(result.body.restore.restoreExpiresAt).getTime();
    expect(readyAt).toBeGreaterThanOrEqual(before - 1_000);
    expect(expiresAt - readyAt).toBe(3 * DAY_MS);
    expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
    expect(await fileRecord(file.id)).toMatchObject({ storageTier: 'restored', archiveKey: archiveKeyOf(file) });
  });

  it('goes back to cold storage once the restored days are over, without copying again', async () => {
    const file = await archivedFile(demo.acme.id);
    expect((await restore(file.id, { days: 1 })).status).toBe(200);
    // Days pass.
    await ownerDb().execute(sql`update files set restore_expires_at = now() - interval '1 minute' where id = ${file.id}`);
    const copies = countCopies();

    const run = await startArchivalRun('cron');

    expect(run).toMatchObject({ status: 'succeeded', filesArchived: 1 });
    expect(copies.size).toBe(0);
    await expectArchived(file, 'GLACIER');
    expect(await fileRecord(file.id)).toMatchObject({ restoreExpiresAt: null, restoreReadyAt: null });
  });

  it('keeps a restored file whose days are not over', async () => {
    const file = await archivedFile(demo.acme.id);
    expect((await restore(file.id, { days: 2 })).status).toBe(200);
    await startArchivalRun('cron');
    expect((await fileRecord(file.id))!.storageTier).toBe('restored');
    expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
  });

  it("answers 404 for another tenant's file id and restores nothing", async () => {
    const file = await archivedFile(demo.globex.id);
    const result = await restore(file.id, { days: 3 }, demo.acme.owner);
    expectError(result, 404, 'not_found');
    expect((await fileRecord(file.id))!.storageTier).toBe('archived');
    expect(await objectHead(bucketNames().files, file.storageKey)).toBeNull();
  });

  it('answers 404 for an unknown file id', async () => {
    expectError(await restore('00000000-0000-4000-8000-000000000000', { days: 3 }), 404, 'not_found');
  });

  it('answers 409 for a file that is not archived, and changes nothing', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 1, status: 'completed' });
    const result = await restore(file.id, { days: 3 });
    expectError(result, 409, 'conflict', /not archived/);
    await expectUntouched(file);
  });

  it.each([0, 31, 1.5, '3'])('refuses days = %j with 400 naming days, and restores nothing', async (days) => {
    const file = await archivedFile(demo.acme.id);
    const result = await restore(file.id, { days });
    expectError(result, 400, 'validation_failed', /days/);
    expect(result.body.error.details.fields[0].field).toBe('days');
    expect((await fileRecord(file.id))!.storageTier).toBe('archived');
  });

  /** The row a restore leaves when its process dies between the claim and the copy: restoring since `claimedAt`. */
  const claimedRestore = (fileId: string, claimedAt: Date, days: number) =>
    ownerDb()
      .update(files)
      .set({ storageTier: 'restoring', restoreRequestedAt: claimedAt, restoreReadyAt: claimedAt, restoreExpiresAt: new Date(claimedAt.getTime() + days * DAY_MS) })
      .where(eq(files.id, fileId));

  it('copies again when a restore claimed more than 15 minutes ago died with its process', async () => {
    const file = await archivedFile(demo.acme.id);
    await claimedRestore(file.id, new Date(Date.now() - 16 * 60_000), 2);
    const copies = countCopies();

    const result = await restore(file.id, { days: 3 });

    expect(result.status, result.text).toBe(200);
    expect(result.body.restore.storageTier).toBe('restored');
    expect(copies.get(`${bucketNames().files}/${file.storageKey}`)).toBe(1);
    expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
    const row = (await fileRecord(file.id))!;
    expect(row.restoreExpiresAt!.getTime() - row.restoreReadyAt!.getTime()).toBe(3 * DAY_MS);
  });

  it('answers a restore still under way with its progress and does not copy a second time', async () => {
    const file = await archivedFile(demo.acme.id);
    const claimedAt = new Date(Date.now() - 60_000);
    await claimedRestore(file.id, claimedAt, 2);
    const copies = countCopies();

    const result = await restore(file.id, { days: 3 });

    expect(result.status, result.text).toBe(200);
    expect(result.body.restore).toMatchObject({ storageTier: 'restoring', restoreRequestedAt: claimedAt.toISOString() });
    expect(copies.size).toBe(0);
    expect(await objectHead(bucketNames().files, file.storageKey)).toBeNull();
  });

  it('lets the restore tracker finish a copy whose request died, for the days that were asked', async () => {
    const file = await archivedFile(demo.acme.id);
    await claimedRestore(file.id, new Date(Date.now() - 16 * 60_000), 4);

    expect((await trackRestores()).restored).toBeGreaterThanOrEqual(1);

    const row = (await fileRecord(file.id))!;
    expect(row.storageTier).toBe('restored');
    expect(row.restoreExpiresAt!.getTime() - row.restoreReadyAt!.getTime()).toBe(4 * DAY_MS);
    expect(await objectSha256(bucketNames().files, file.storageKey)).toBe(file.sha256);
  });

  it('puts the file back to archived when the copy fails, so the next request starts afresh', async () => {
    const file = await archivedFile(demo.acme.id);
    const client = s3();
    const send = client.send.bind(client);
    vi.spyOn(client, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
      if (command instanceof CopyObjectCommand) return Promise.reject(new Error('S3 is down'));
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.send);

    expectError(await restore(file.id, { days: 3 }), 503, 'unavailable', /archive storage did not answer/);
    expect(await fileRecord(file.id)).toMatchObject({ storageTier: 'archived', restoreRequestedAt: null, restoreExpiresAt: null });

    vi.restoreAllMocks();
    expect((await restore(file.id, { days: 3 })).body.restore.storageTier).toBe('restored');
  });

  it('treats a file whose restore was requested earlier with a later expiry as extended, not shortened', async () => {
    const file = await archivedFile(demo.acme.id);
    const long = await restore(file.id, { days: 10 });
    const short = await restore(file.id, { days: 2 });
    expect(short.status).toBe(200);
    expect(short.body.restore.restoreExpiresAt).toBe(long.body.restore.restoreExpiresAt);
  });
});
