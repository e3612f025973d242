import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { files } from '@/db/schema/files';
import { seedDemoData } from '@/db/seed';

/**
 * The AWS Glacier path, which no local endpoint offers: a small HTTP stand-in poses as S3, and the app is
 * configured for it (S3_ENDPOINT, restore mode glacier) before its configuration is first read.
 */
interface TSeenRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type TResponder = (request: TSeenRequest, response: http.ServerResponse) => void;

const seen: TSeenRequest[] = [];
let respond: TResponder = (_request, response) => response.writeHead(500).end();

const standIn = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const request = { method: req.method!, url: new URL(req.url!, 'http://stand-in'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    seen.push(request);
    respond(request, res);
  });
});
await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
Object.assign(process.env, {
  S3_ENDPOINT: `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`,
  S3_ARCHIVE_RESTORE_MODE: 'glacier',
});

const { requestFileRestore, trackRestores, startArchivalRun } = await import('@/lib/archival');
const { bucketNames, parseRestoreHeader } = await import('@/lib/storage');
const { callRoute, demoUsers, hostOf } = await import('./support/http');
const restoreRoute = await import('../app/api/v1/files/[id]/restore/route');

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
let acmeId: string;
let acmeEditor: Awaited<ReturnType<typeof demoUsers>>['acme']['editor'];

beforeAll(async () => {
  await seedDemoData();
  const demo = await demoUsers();
  acmeId = demo.acme.id;
  acmeEditor = demo.acme.editor;
});

afterAll(async () => {
  await new Promise((resolve) => standIn.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

const COPY_RESULT = `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"0f343b0931126a20f133d67c2b018a3b"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>`;

async function archivedRow(storageClass = 'GLACIER') {
  const id = randomUUID();
  const storageKey = `tenants/${acmeId}/files/${id}/plan.pdf`;
  const archiveKey = `archive/${acmeId}/${id}/plan.pdf`;
  await ownerDb().insert(files).values({
    id,
    tenantId: acmeId,
    filename: 'plan.pdf',
    extension: 'pdf',
    contentType: 'application/pdf',
    sizeBytes: 1234,
    sha256: 'a'.repeat(64),
    storageKey,
    status: 'completed',
    storageTier: 'archived',
    archiveKey,
    archiveStorageClass: storageClass,
    archivedAt: new Date(Date.now() - 30 * DAY_MS),
    createdAt: new Date(Date.now() - 400 * DAY_MS),
  });
  return { id, storageKey, archiveKey };
}

const rowOf = async (id: string) => (await ownerDb().select().from(files).where(eq(files.id, id)))[0];
const pathOf = (bucket: string, key: string) => `/${bucket}/${key}`;

describe('parseRestoreHeader', () => {
  it('reads a restore in progress', () => {
    expect(parseRestoreHeader('ongoing-request="true"')).toEqual({ isOngoing: true, expiresAt: null });
  });

  it('reads a finished restore with the expiry of the restored copy', () => {
    expect(parseRestoreHeader('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"')).toEqual({
      isOngoing: false,
      expiresAt: new Date('2012-12-21T00:00:00.000Z'),
    });
  });

  it('answers null when there is no restore, or the header is not one', () => {
    expect(parseRestoreHeader(undefined)).toBeNull();
    expect(parseRestoreHeader('')).toBeNull();
    expect(parseRestoreHeader('something else')).toBeNull();
  });

  it('ignores an unreadable expiry date', () => {
    expect(parseRestoreHeader('ongoing-request="false", expiry-date="not a date"')).toEqual({ isOngoing: false, expiresAt: null });
  });
});

describe('restoring from Glacier on AWS', () => {
  it('sends RestoreObject (POST ?restore, Days and the Standard tier) and reports restoring with an estimated ready time', async () => {
    const file = await archivedRow('GLACIER');
    respond = (_request, response) => response.writeHead(202).end();
    const before = Date.now();

    const result = await callRoute(restoreRoute.POST, {
      method: 'POST',
      path: `/api/v1/files/${file.id}/restore`,
      params: { id: file.id },
      host: hostOf('acme'),
      cookieFor: acmeEditor,
      body: { days: 4 },
    });

    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe(pathOf(bucketNames().archive, file.archiveKey));
    expect(request.url.searchParams.has('restore')).toBe(true);
    expect(request.body).toContain('<Days>4</Days>');
    expect(request.body).toMatch(/<GlacierJobParameters>\s*<Tier>Standard<\/Tier>\s*<\/GlacierJobParameters>/);

    expect(result.body.restore).toMatchObject({ fileId: file.id, storageTier: 'restoring' });
    const readyAt = new Date(result.body.restore.restoreReadyAt).getTime();
    // Standard retrieval from Glacier: 3–5 hours.
    expect(readyAt - before).toBeGreaterThanOrEqual(3 * HOUR_MS);
    expect(readyAt - before).toBeLessThanOrEqual(5 * HOUR_MS + 60_000);
    expect(new Date(result.body.restore.restoreExpiresAt).getTime() - readyAt).toBe(4 * DAY_MS);
  });

  it('estimates 12 hours for Deep Archive', async () => {
    const file = await archivedRow('DEEP_ARCHIVE');
    respond = (_request, response) => response.writeHead(202).end();
    const status = await requestFileRestore(acmeId, file.id, 2);
    expect(status.storageTier).toBe('restoring');
    expect(Math.round((status.restoreReadyAt!.getTime() - Date.now()) / HOUR_MS)).toBe(12);
  });

  it('copies a STANDARD_IA archive back at once: it is readable without a Glacier restore', async () => {
    const file = await archivedRow('STANDARD_IA');
    respond = (_request, response) => response.writeHead(200, { 'content-type': 'application/xml' }).end(COPY_RESULT);
    const status = await requestFileRestore(acmeId, file.id, 2);
    expect(status.storageTier).toBe('restored');
    expect(seen.map((r) => [r.method, r.url.pathname, r.headers['x-amz-copy-source']])).toEqual([
      ['PUT', pathOf(bucketNames().files, file.storageKey), `${bucketNames().archive}/${file.archiveKey}`],
    ]);
  });

  it('tracks the restore: nothing while Glacier works, then a copy back to the hot key and restored for the days asked', async () => {
    const file = await archivedRow('GLACIER');
    respond = (_request, response) => response.writeHead(202).end();
    await requestFileRestore(acmeId, file.id, 3);

    let restoreHeader = 'ongoing-request="true"';
    respond = (request, response) => {
      if (request.method === 'HEAD') {
        response
          .writeHead(200, {
            'content-length': '1234',
            'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT',
            etag: '"0f343b0931126a20f133d67c2b018a3b"',
            'x-amz-storage-class': 'GLACIER',
            'x-amz-restore': restoreHeader,
          })
          .end();
      } else if (request.method === 'PUT') {
        response.writeHead(200, { 'content-type': 'application/xml' }).end(COPY_RESULT);
      } else {
        response.writeHead(500).end();
      }
    };

    expect(await trackRestores()).toMatchObject({ restored: 0 });
    expect((await rowOf(file.id)).storageTier).toBe('restoring');
    expect(seen.filter((r) => r.method === 'PUT')).toEqual([]);

    restoreHeader = 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"';
    seen.length = 0;
    const before = Date.now();
    // Files restored by the tests above are still waiting too; this one is checked by its own requests.
    expect((await trackRestores()).restored).toBeGreaterThanOrEqual(1);

    expect(seen.some((r) => r.method === 'HEAD' && r.url.pathname === pathOf(bucketNames().archive, file.archiveKey))).toBe(true);
    const copy = seen.find((r) => r.method === 'PUT' && r.url.pathname === pathOf(bucketNames().files, file.storageKey))!;
    expect(copy.headers['x-amz-copy-source']).toBe(`${bucketNames().archive}/${file.archiveKey}`);
    const row = await rowOf(file.id);
    expect(row.storageTier).toBe('restored');
    expect(row.restoreReadyAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(row.restoreExpiresAt!.getTime() - row.restoreReadyAt!.getTime()).toBe(3 * DAY_MS);
  });

  it('asks again when S3 knows of no restore for a file still waiting', async () => {
    const file = await archivedRow('GLACIER');
    respond = (_request, response) => response.writeHead(202).end();
    await requestFileRestore(acmeId, file.id, 5);
    respond = (request, response) => {
      if (request.method === 'HEAD') response.writeHead(200, { 'content-length': '1234', 'x-amz-storage-class': 'GLACIER' }).end();
      else response.writeHead(202).end();
    };
    seen.length = 0;
    await trackRestores();
    const again = seen.filter((r) => r.method === 'POST' && r.url.pathname === pathOf(bucketNames().archive, file.archiveKey));
    expect(again).toHaveLength(1);
    expect(again[0].body).toContain('<Days>5</Days>');
    expect((await rowOf(file.id)).storageTier).toBe('restoring');
  });
});

describe('archiving to Glacier on AWS', () => {
  it("asks S3 for a SHA-256 of the copy and verifies with it (Glacier objects cannot be read back)", async () => {
    const bytes = randomBytes(2048);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const id = randomUUID();
    const storageKey = `tenants/${acmeId}/files/${id}/old.pdf`;
    await ownerDb().insert(files).values({
      id,
      tenantId: acmeId,
      filename: 'old.pdf',
      extension: 'pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      sha256,
      storageKey,
      status: 'completed',
      createdAt: new Date(Date.now() - 400 * DAY_MS),
    });
    let reportedChecksum = Buffer.from('f'.repeat(64), 'hex').toString('base64');
    respond = (request, response) => {
      if (request.method === 'PUT') response.writeHead(200, { 'content-type': 'application/xml' }).end(COPY_RESULT);
      else if (request.method === 'HEAD')
        response.writeHead(200, { 'content-length': String(bytes.length), 'x-amz-storage-class': 'GLACIER', 'x-amz-checksum-sha256': reportedChecksum }).end();
      else if (request.method === 'DELETE') response.writeHead(204).end();
      else response.writeHead(500).end();
    };

    // A checksum that does not match: the hot copy stays.
    const refused = await startArchivalRun('manual');
    expect(refused).toMatchObject({ status: 'failed', filesFailed: 1 });
    expect(seen.filter((r) => r.method === 'DELETE')).toEqual([]);
    const copy = seen.find((r) => r.method === 'PUT')!;
    expect(copy.headers['x-amz-storage-class']).toBe('GLACIER');
    expect(copy.headers['x-amz-checksum-algorithm']).toBe('SHA256');
    expect(seen.some((r) => r.method === 'GET')).toBe(false);

    reportedChecksum = Buffer.from(sha256, 'hex').toString('base64');
    seen.length = 0;
    const archived = await startArchivalRun('manual');
    expect(archived).toMatchObject({ status: 'succeeded', filesArchived: 1 });
    expect(seen.filter((r) => r.method === 'DELETE').map((r) => r.url.pathname)).toEqual([pathOf(bucketNames().files, storageKey)]);
    expect((await rowOf(id)).storageTier).toBe('archived');
  });
});
