/**
 * Archival benchmark: archive `fileCount` aged files of `fileSizeBytes` against the configured database and
 * S3 endpoint (DATABASE_URL / S3_* already pointing at running, migrated services; `scripts/bench.ts` starts
 * embedded ones) and measure files per second and the peak resident memory of this process during the run.
 * The run is the same function the pg-boss job calls, in this process, so RSS covers all of its work.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { files } from '@/db/schema/files';
import { runArchival } from '@/lib/archival';
import { bucketNames, ensureBuckets, s3 } from '@/lib/storage';
import { createTenant, withPlatform } from '@/lib/tenancy';

export interface TArchivalBenchOptions {
  fileCount: number;
  fileSizeBytes: number;
}

export interface TArchivalBenchResult {
  filesPerSecond: number;
  peakRssMiB: number;
  seconds: number;
  /** RSS when the run started (after the fixtures were written), to read the peak against. */
  startRssMiB: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const UPLOAD_CONCURRENCY = 16;
const INSERT_CHUNK = 500;
const RSS_SAMPLE_MS = 50;
const MIB = 1024 * 1024;

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Hot objects and their rows, completed 400 days ago: every one is due under the seeded 365-day policy. */
async function createAgedFiles({ fileCount, fileSizeBytes }: TArchivalBenchOptions): Promise<void> {
  const slug = `bench-${randomBytes(4).toString('hex')}`;
  const tenant = await withPlatform((tx) => createTenant(tx, { name: `Archival bench ${slug}`, slug, plan: 'enterprise' }));
  const base = randomBytes(fileSizeBytes);
  const createdAt = new Date(Date.now() - 400 * DAY_MS);
  const rows: (typeof files.$inferInsert)[] = [];
  await inParallel(
    Array.from({ length: fileCount }, (_, i) => i),
    UPLOAD_CONCURRENCY,
    async (i) => {
      const id = randomUUID();
      // Distinct bytes per file (its index up front), so every checksum is its own.
      const body = Buffer.from(base);
      body.writeUInt32BE(i, 0);
      const filename = `sheet-${i}.pdf`;
      const storageKey = `tenants/${tenant.id}/files/${id}/${filename}`;
      await s3().send(new PutObjectCommand({ Bucket: bucketNames().files, Key: storageKey, Body: body }));
      rows.push({
        id,
        tenantId: tenant.id,
        filename,
        extension: 'pdf',
        contentType: 'application/pdf',
        sizeBytes: fileSizeBytes,
        sha256: createHash('sha256').update(body).digest('hex'),
        storageKey,
        status: 'completed',
        createdAt,
        updatedAt: createdAt,
      });
    },
  );
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await withPlatform((tx) => tx.insert(files).values(rows.slice(start, start + INSERT_CHUNK)));
  }
}

export async function benchArchival(opts: TArchivalBenchOptions): Promise<TArchivalBenchResult> {
  await ensureBuckets();
  await createAgedFiles(opts);
  global.gc?.();

  const startRssBytes = process.memoryUsage().rss;
  let peakRssBytes = startRssBytes;
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
  }, RSS_SAMPLE_MS);
  const started = performance.now();
  try {
    const run = await runArchival({ trigger: 'manual' });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 'succeeded' || run.filesArchived < opts.fileCount) {
      throw new Error(`archival run ${run.id} ended ${run.status}: ${run.filesArchived}/${opts.fileCount} archived (${run.error ?? 'no error'})`);
    }
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
    return {
      filesPerSecond: Math.round((run.filesArchived / seconds) * 10) / 10,
      peakRssMiB: Math.round(peakRssBytes / MIB),
      seconds: Math.round(seconds * 10) / 10,
      startRssMiB: Math.round(startRssBytes / MIB),
    };
  } finally {
    clearInterval(sampler);
  }
}
