import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ownerDb } from '@/db/client';
import { files, storageDeletions } from '@/db/schema/files';
import { processStorageDeletions, reserveUploadCleanup } from '@/lib/files';
import { bucketNames, ensureBuckets, s3 } from '@/lib/storage';
import * as fileRoute from '../app/api/v1/files/[id]/route';
import * as completeRoute from '../app/api/v1/files/[id]/complete/route';
import * as downloadRoute from '../app/api/v1/files/[id]/download/route';
import * as filesRoute from '../app/api/v1/files/route';
import * as uploadsRoute from '../app/api/v1/files/uploads/route';
import * as usageRoute from '../app/api/v1/files/usage/route';
import {
  callUpload,
  fileRow,
  fileRows,
  filesTenant,
  generatedStream,
  ifcBytes,
  pdfBytes,
  setLimits,
  sha256Of,
  storedKeys,
  type TFilesTenant,
} from './support/files';
import { callRoute, expectError } from './support/http';

beforeAll(async () => {
  await ensureBuckets();
});

/** global.gc without restarting the worker with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

afterEach(() => {
  vi.restoreAllMocks();
});

const upload = (t: TFilesTenant, filename: string, body: Buffer | ReadableStream<Uint8Array> | FormData, query?: Record<string, string>) =>
  callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, filename, body, query });

const get = (t: TFilesTenant, handler: typeof fileRoute.GET, path: string, params: Record<string, string> = {}) =>
  callRoute(handler, { host: t.host, apiKey: t.apiKey, path, params });

const start = (t: TFilesTenant, body: unknown) =>
  callRoute(uploadsRoute.POST, { method: 'POST', host: t.host, apiKey: t.apiKey, path: '/api/v1/files/uploads', body });
const complete = (t: TFilesTenant, id: string) =>
  callRoute(completeRoute.POST, { method: 'POST', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${id}/complete`, params: { id } });
const download = (t: TFilesTenant, id: string) => get(t, downloadRoute.GET, `/api/v1/files/${id}/download`, { id });

/** Size and ETag of a hot object as S3 reports them, or null. */
async function headOf(key: string): Promise<{ sizeBytes: number; etag: string | undefined } | null> {
  try {
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucketNames().files, Key: key }));
    return { sizeBytes: Number(head.ContentLength), etag: head.ETag };
  } catch {
    return null;
  }
}

/** What someone holding write access to the bucket (or an old upload URL, before staging) could do. */
const overwrite = (key: string, body: Buffer) =>
  s3().send(new PutObjectCommand({ Bucket: bucketNames().files, Key: key, Body: body, ContentType: 'application/pdf' }));

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer; disposition: string | null }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), disposition: response.headers.get('content-disposition') };
}

/** A refusal leaves the tenant exactly as it was: no row, no object. */
async function expectNothingStored(t: TFilesTenant) {
  expect(await fileRows(t.id)).toEqual([]);
  expect(await storedKeys(t.id)).toEqual([]);
}

describe('streamed upload round trip', () => {
  it('uploads a raw body, lists, gets, downloads byte for byte and deletes it with its object', async () => {
    const t = await filesTenant();
    const bytes = pdfBytes(300_000);
    const created = await upload(t, 'Site plan (rev 2).pdf', bytes, { project: 'Tower A', isTemporary: 'true' });
    expect(created.status, created.text).toBe(201);
    const file = created.body.file;
    expect(file).toMatchObject({
      filename: 'Site plan (rev 2).pdf',
      extension: 'pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      sha256: sha256Of(bytes),
      status: 'uploaded',
      project: 'Tower A',
      isTemporary: true,
      storageTier: 'hot',
    });
    expect(file.storageKey).toBeUndefined();
    expect((await fileRow(file.id))!.storageKey).toBe(`tenants/${t.id}/files/${file.id}/Site_plan_rev_2_.pdf`);

    const listed = await get(t, filesRoute.GET, '/api/v1/files');
    expect(listed.body.files.map((f: { id: string }) => f.id)).toEqual([file.id]);
    expect((await get(t, fileRoute.GET, `/api/v1/files/${file.id}`, { id: file.id })).body.file.sha256).toBe(sha256Of(bytes));

    const link = await get(t, downloadRoute.GET, `/api/v1/files/${file.id}/download`, { id: file.id });
    expect(link.status).toBe(200);
    expect(new Date(link.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
    const downloaded = await fetchBytes(link.body.url);
    expect(downloaded.status).toBe(200);
    expect(sha256Of(downloaded.bytes)).toBe(sha256Of(bytes));
    expect(downloaded.disposition).toMatch(/^attachment; filename="Site plan \(rev 2\)\.pdf"/);

    const redirect = await callRoute(downloadRoute.GET, {
      host: t.host,
      apiKey: t.apiKey,
      path: `/api/v1/files/${file.id}/download?redirect=1`,
      params: { id: file.id },
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toContain(encodeURIComponent(file.id));

    const usage = await get(t, usageRoute.GET, '/api/v1/files/usage');
    expect(usage.body.usage).toMatchObject({ hotBytes: bytes.length, archivedBytes: 0, totalBytes: bytes.length });

    const deleted = await callRoute(fileRoute.DELETE, { method: 'DELETE', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${file.id}`, params: { id: file.id } });
    expect(deleted.status).toBe(204);
    expect(await fileRow(file.id)).toBeNull();
    await vi.waitFor(async () => expect(await storedKeys(t.id)).toEqual([]), { timeout: 5_000 });
    expect((await get(t, fileRoute.GET, `/api/v1/files/${file.id}`, { id: file.id })).status).toBe(404);
  });

  it('uploads the file part of a multipart/form-data body', async () => {
    const t = await filesTenant();
    const bytes = ifcBytes(50_000);
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), 'model.ifc');
    const created = await callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, body: form });
    expect(created.status, created.text).toBe(201);
    expect(created.body.file).toMatchObject({ filename: 'model.ifc', sizeBytes: bytes.length, sha256: sha256Of(bytes) });
    expect(await storedKeys(t.id)).toHaveLength(1);
  });

  it('refuses a multipart body without a file part (422) or with a file that is not what it claims (415)', async () => {
    const t = await filesTenant();
    const noFile = new FormData();
    noFile.append('note', 'no file here');
    expectError(await callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, body: noFile }), 422, 'unprocessable', /no file part/);
    const fake = new FormData();
    fake.append('file', new Blob(['plain text, not a model']), 'model.ifc');
    expectError(await callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, body: fake }), 415, 'unsupported_media_type', /ISO-10303-21/);
    await expectNothingStored(t);
  });

  it('streams a multi-part (multipart upload) body of unknown length and stores its exact checksum', async () => {
    const t = await filesTenant();
    const sizeBytes = 20 * 1024 * 1024 + 123;
    const created = await upload(t, 'big.pdf', generatedStream(sizeBytes));
    expect(created.status, created.text).toBe(201);
    expect(created.body.file.sizeBytes).toBe(sizeBytes);
    const link = await get(t, downloadRoute.GET, `/api/v1/files/${created.body.file.id}/download`, { id: created.body.file.id });
    const downloaded = await fetchBytes(link.body.url);
    expect(downloaded.bytes.length).toBe(sizeBytes);
    expect(sha256Of(downloaded.bytes)).toBe(created.body.file.sha256);
  });

  it('keeps memory flat: uploading 64 MiB never holds the file in memory', async () => {
    const t = await filesTenant();
    const gc = exposeGc();
    const live = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const peakGrowth = async (sizeBytes: number) => {
      gc();
      const before = { live: live(), rss: process.memoryUsage().rss };
      const peak = { ...before };
      // Collecting before each sample measures what the upload holds, not garbage not yet collected.
      const sampler = setInterval(() => {
        gc();
        peak.live = Math.max(peak.live, live());
        peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
      }, 25);
      const created = await upload(t, 'flat.pdf', generatedStream(sizeBytes));
      clearInterval(sampler);
      expect(created.status, created.text).toBe(201);
      return { live: peak.live - before.live, rss: peak.rss - before.rss };
    };
    const MiB = 1024 * 1024;
    await peakGrowth(8 * MiB); // warm-up: first-use allocations of the S3 client and the HTTP agent
    const large = await peakGrowth(64 * MiB);
    // Streaming holds one 8 MiB part being filled and one being sent (plus the socket's share); a buffered
    // upload would hold the whole 64 MiB on top of that.
    expect(large.live, JSON.stringify(large)).toBeLessThan(64 * MiB);
  }, 60_000);
});

describe('refusals leave no object and no row', () => {
  it('refuses a type the tenant does not allow with 415 naming the allowed types', async () => {
    const t = await filesTenant();
    const result = await upload(t, 'setup.exe', Buffer.from('MZ\x90\x00 this is a program'));
    expectError(result, 415, 'unsupported_media_type', /\.exe files are not allowed here; allowed types: \.dwg, \.rvt, \.ifc, \.pdf/);
    await expectNothingStored(t);
  });

  it('refuses a .pdf whose content is not a PDF with 415', async () => {
    const t = await filesTenant();
    const result = await upload(t, 'fake.pdf', Buffer.from('just some text pretending to be a pdf'));
    expectError(result, 415, 'unsupported_media_type', /not a \.pdf file: a \.pdf file starts with %PDF-/);
    await expectNothingStored(t);
  });

  it('checks the DWG and RVT signatures', async () => {
    const t = await filesTenant();
    const dwg = await upload(t, 'plan.dwg', Buffer.concat([Buffer.from('AC1032'), Buffer.alloc(100)]));
    expect(dwg.status, dwg.text).toBe(201);
    const rvt = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100)]);
    expect((await upload(t, 'house.rvt', rvt)).status).toBe(201);
    expectError(await upload(t, 'bad.dwg', Buffer.from('AC2000 not a dwg at all')), 415, 'unsupported_media_type', /AC10/);
    expectError(await upload(t, 'bad.rvt', Buffer.from('PK\x03\x04 a zip file here')), 415, 'unsupported_media_type', /OLE/);
    expect(await fileRows(t.id)).toHaveLength(2);
  });

  it("refuses a file over the tenant's max_file_size_bytes with 413 saying the limit and by how much", async () => {
    const t = await filesTenant();
    await setLimits(t.id, { maxFileSizeBytes: 1024 });
    const declared = await upload(t, 'big.pdf', pdfBytes(1536));
    expectError(declared, 413, 'payload_too_large', /limit of 1 KiB per file \(1.5 KiB, 512 bytes over\)/);
    // Without a Content-Length the limit is enforced while streaming.
    const streamed = await upload(t, 'big.pdf', generatedStream(10 * 1024 * 1024));
    expectError(streamed, 413, 'payload_too_large', /limit of 1 KiB per file/);
    await expectNothingStored(t);
  });

  it('refuses an upload over the storage quota with 429 quota_exceeded, used, quota and needed', async () => {
    const t = await filesTenant();
    await setLimits(t.id, { storageQuotaBytes: 10_000 });
    expect((await upload(t, 'a.pdf', pdfBytes(6_000))).status).toBe(201);
    const refused = await upload(t, 'b.pdf', pdfBytes(5_000));
    expectError(refused, 429, 'quota_exceeded', /needs 4.88 KiB, 5.86 KiB of 9.77 KiB is used \(1000 bytes over\)/);
    expect(refused.body.error.details).toEqual({ usedBytes: 6_000, quotaBytes: 10_000, neededBytes: 5_000 });
    const streamed = await upload(t, 'c.pdf', generatedStream(20 * 1024 * 1024));
    expectError(streamed, 429, 'quota_exceeded');
    expect(await fileRows(t.id)).toHaveLength(1);
    expect(await storedKeys(t.id)).toHaveLength(1);
  });

  it('refuses an empty file and a bad filename with 422', async () => {
    const t = await filesTenant();
    expectError(await upload(t, 'empty.pdf', Buffer.alloc(0)), 422, 'unprocessable', /empty/);
    expectError(await upload(t, 'noextension', pdfBytes()), 422, 'unprocessable', /no file extension/);
    expectError(await upload(t, '../../etc/x.pdf', pdfBytes()), 422, 'unprocessable', /slashes/);
    expectError(await callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, body: pdfBytes() }), 422, 'unprocessable', /filename/);
    await expectNothingStored(t);
  });

  it('leaves nothing behind when the client stream fails midway through a multipart upload', async () => {
    const t = await filesTenant();
    const result = await upload(t, 'cut.pdf', generatedStream(40 * 1024 * 1024, { failAfterBytes: 20 * 1024 * 1024 }));
    // The client's fault, not ours: a 400, never a 500 (and nothing captured as a server error).
    expectError(result, 400, 'bad_request', /ended before it was complete/);
    await expectNothingStored(t);
  });

  it('holds no database transaction while the bytes of an upload flow', async () => {
    const t = await filesTenant();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let sentFirstChunk!: () => void;
    const firstChunkSent = new Promise<void>((resolve) => (sentFirstChunk = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(pdfBytes());
        sentFirstChunk();
        await released;
        controller.enqueue(new Uint8Array(64 * 1024));
        controller.close();
      },
    });
    const pending = upload(t, 'slow.pdf', body);
    await firstChunkSent;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Mid-upload: no connection of this database sits in an open transaction.
    const open = await ownerDb().execute<{ count: number }>(
      sql`select count(*)::int as count from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`,
    );
    release();
    expect(open[0].count).toBe(0);
    expect((await pending).status).toBe(201);
  });

  it('removes the object of an upload whose row never committed (a crash) once its booked cleanup is due', async () => {
    const t = await filesTenant();
    const orphanKey = `tenants/${t.id}/files/00000000-0000-4000-8000-000000000001/orphan.pdf`;
    await s3().send(new PutObjectCommand({ Bucket: bucketNames().files, Key: orphanKey, Body: pdfBytes() }));
    const reservation = await reserveUploadCleanup(t.id, orphanKey);
    // Not before its time: an upload may still be streaming.
    await processStorageDeletions();
    expect(await storedKeys(t.id)).toContain(orphanKey);
    await ownerDb().update(storageDeletions).set({ notBefore: new Date(Date.now() - 1000) }).where(eq(storageDeletions.id, reservation));
    await processStorageDeletions();
    expect(await storedKeys(t.id)).not.toContain(orphanKey);
  });

  it('never deletes an object a file still serves, even when a deletion is queued for it', async () => {
    const t = await filesTenant();
    const result = await upload(t, 'kept.pdf', pdfBytes());
    expect(result.status).toBe(201);
    const [row] = await ownerDb().select({ key: files.storageKey }).from(files).where(eq(files.id, result.body.file.id));
    await ownerDb().insert(storageDeletions).values({ tenantId: t.id, bucket: bucketNames().files, objectKey: row.key });
    await processStorageDeletions();
    expect(await storedKeys(t.id)).toContain(row.key);
    // The booked cleanup of a committed upload was cancelled.
    const pending = await ownerDb()
      .select({ id: storageDeletions.id })
      .from(storageDeletions)
      .where(sql`${storageDeletions.objectKey} = ${row.key} and ${storageDeletions.deletedAt} is null and ${storageDeletions.notBefore} > now()`);
    expect(pending).toEqual([]);
  });

  it('lets exactly the uploads that fit the quota through when they race', async () => {
    const t = await filesTenant();
    await setLimits(t.id, { storageQuotaBytes: 3 * 100_000 + 50_000 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(t, `race-${i}.pdf`, generatedStream(100_000))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
    expect(await fileRows(t.id)).toHaveLength(3);
    expect(await storedKeys(t.id)).toHaveLength(3);
  });
});

describe('presigned upload', () => {

  it('reserves the bytes, accepts a PUT to the URL and completes with the checksum', async () => {
    const t = await filesTenant();
    const bytes = pdfBytes(40_000);
    const started = await start(t, { name: 'direct.pdf', size: bytes.length, contentType: 'application/pdf' });
    expect(started.status, started.text).toBe(201);
    expect(started.body.file.status).toBe('uploading');
    expect((await callRoute(usageRoute.GET, { host: t.host, apiKey: t.apiKey, path: '/api/v1/files/usage' })).body.usage.hotBytes).toBe(bytes.length);
    expectError(await complete(t, started.body.file.id), 409, 'conflict', /PUT the file/);

    const put = await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': 'application/pdf' } });
    expect(put.status).toBe(200);
    const done = await complete(t, started.body.file.id);
    expect(done.status, done.text).toBe(200);
    expect(done.body.file).toMatchObject({ status: 'uploaded', sha256: sha256Of(bytes), sizeBytes: bytes.length });
    expectError(await complete(t, started.body.file.id), 409, 'conflict', /already complete/);
  });

  it('refuses at the start what the streamed upload refuses (type, size, quota)', async () => {
    const t = await filesTenant();
    await setLimits(t.id, { maxFileSizeBytes: 1000, storageQuotaBytes: 500 });
    expectError(await start(t, { name: 'x.exe', size: 10 }), 415, 'unsupported_media_type');
    expectError(await start(t, { name: 'x.pdf', size: 2000 }), 413, 'payload_too_large');
    expectError(await start(t, { name: 'x.pdf', size: 800 }), 429, 'quota_exceeded');
    await expectNothingStored(t);
  });

  it('discards the object and the row when the size or the signature does not match', async () => {
    const t = await filesTenant();
    const wrongSize = await start(t, { name: 'a.pdf', size: 1000 });
    await fetch(wrongSize.body.uploadUrl, { method: 'PUT', body: new Uint8Array(pdfBytes(999)) });
    expectError(await complete(t, wrongSize.body.file.id), 422, 'unprocessable', /999 bytes but 1000 bytes were declared/);

    const wrongType = await start(t, { name: 'b.pdf', size: 1000 });
    await fetch(wrongType.body.uploadUrl, { method: 'PUT', body: new Uint8Array(Buffer.alloc(1000, 'z')) });
    expectError(await complete(t, wrongType.body.file.id), 415, 'unsupported_media_type', /%PDF-/);
    await expectNothingStored(t);
  });

  it('signs the declared length and SHA-256 into the PUT URL (no checksum of an empty body) and says which headers to send', async () => {
    const t = await filesTenant();
    const bytes = pdfBytes(3_000);
    const started = await start(t, { name: 'bound.pdf', size: bytes.length, sha256: sha256Of(bytes).toUpperCase() });
    expect(started.status, started.text).toBe(201);
    const checksum = Buffer.from(sha256Of(bytes), 'hex').toString('base64');
    expect(started.body.uploadHeaders).toEqual({ 'content-length': String(bytes.length), 'x-amz-checksum-sha256': checksum });
    const url = new URL(started.body.uploadUrl);
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(['content-length', 'host', 'x-amz-checksum-sha256']);
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(300);
    expect(url.pathname).toContain(`/tenants/${t.id}/uploads/${started.body.file.id}`);

    const put = await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(bytes), headers: started.body.uploadHeaders });
    expect(put.status).toBe(200);
    const done = await complete(t, started.body.file.id);
    expect(done.status, done.text).toBe(200);
    expect(done.body.file).toMatchObject({ status: 'uploaded', sha256: sha256Of(bytes), sizeBytes: bytes.length });
    const row = await fileRow(started.body.file.id);
    expect(row!.etag).toBe((await headOf(row!.storageKey))!.etag);
    // The staged PUT is gone once its bytes are the file's; only the file's own object is left.
    expect(await storedKeys(t.id)).toEqual([row!.storageKey]);
  });

  it('signs only the length when no SHA-256 is declared', async () => {
    const t = await filesTenant();
    const started = await start(t, { name: 'length-only.pdf', size: 1_000 });
    const url = new URL(started.body.uploadUrl);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(started.body.uploadHeaders).toEqual({ 'content-length': '1000' });
  });

  it('refuses bytes other than the declared SHA-256 with 422 and keeps nothing (the embedded S3 does not check it)', async () => {
    const t = await filesTenant();
    const declared = pdfBytes(2_000);
    const started = await start(t, { name: 'swapped.pdf', size: declared.length, sha256: sha256Of(declared) });
    const other = pdfBytes(2_000);
    const put = await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(other), headers: started.body.uploadHeaders });
    expect(put.status).toBe(200);
    expectError(await complete(t, started.body.file.id), 422, 'unprocessable', new RegExp(`SHA-256 ${sha256Of(other)}, not the ${sha256Of(declared)} declared`));
    await expectNothingStored(t);
  });

  it('refuses a declared SHA-256 that is not 64 hex characters, and a presigned upload over 5 GiB (one PUT), with a 4xx', async () => {
    const t = await filesTenant();
    expectError(await start(t, { name: 'x.pdf', size: 10, sha256: 'abc' }), 400, 'validation_failed', /sha256/);
    await setLimits(t.id, { maxFileSizeBytes: 10 * 1024 ** 3, storageQuotaBytes: 20 * 1024 ** 3 });
    expectError(await start(t, { name: 'huge.pdf', size: 5 * 1024 ** 3 + 1 }), 413, 'payload_too_large', /one PUT, which S3 limits to 5 GiB.*POST \/api\/v1\/files/);
    await expectNothingStored(t);
  });

  it('keeps a completed file as it was when its old URL is used again: the PUT lands in staging, which is deleted', async () => {
    const t = await filesTenant();
    const bytes = pdfBytes(5);
    const started = await start(t, { name: 'tiny.pdf', size: 5 });
    await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(bytes) });
    const { id } = (await complete(t, started.body.file.id)).body.file;
    const before = await fileRow(id);

    // The same URL again, with far more bytes (an endpoint that checks the signed length would refuse this).
    const again = await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(pdfBytes(200_000)) });
    expect(again.status).toBe(200);

    expect(await fileRow(id)).toEqual(before);
    expect(await headOf(before!.storageKey)).toMatchObject({ sizeBytes: 5, etag: before!.etag });
    const link = await get(t, downloadRoute.GET, `/api/v1/files/${id}/download`, { id });
    expect(link.status, link.text).toBe(200);
    expect((await fetchBytes(link.body.url)).bytes).toEqual(bytes);
    expect((await fileRow(id))!.status).toBe('uploaded');

    // Booked for deletion a day ahead when the upload ended, so a PUT while the URL lives is removed too.
    const stagingKey = `tenants/${t.id}/uploads/${id}`;
    const [booked] = await ownerDb().select().from(storageDeletions).where(eq(storageDeletions.objectKey, stagingKey));
    expect(booked.notBefore.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    await ownerDb().update(storageDeletions).set({ notBefore: new Date(0) }).where(eq(storageDeletions.objectKey, stagingKey));
    await processStorageDeletions();
    expect(await storedKeys(t.id)).toEqual([before!.storageKey]);
  });

  it('lets the sweep give up uploads never completed within a day', async () => {
    const t = await filesTenant();
    const started = await start(t, { name: 'stale.pdf', size: 100 });
    await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(pdfBytes(100)) });
    await ownerDb().update(files).set({ createdAt: new Date(Date.now() - 25 * 3600_000) }).where(eq(files.id, started.body.file.id));
    const swept = await processStorageDeletions();
    expect(swept.staleUploads).toBeGreaterThanOrEqual(1);
    await expectNothingStored(t);
  });
});

describe('listing', () => {
  it('pages with a keyset cursor and filters by status, type, archived and filename', async () => {
    const t = await filesTenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await upload(t, `drawing_${i}%.pdf`, pdfBytes(100))).body.file.id);
    ids.push((await upload(t, 'model.ifc', ifcBytes(100))).body.file.id);
    await ownerDb().update(files).set({ status: 'completed' }).where(eq(files.id, ids[0]));
    await ownerDb().update(files).set({ storageTier: 'archived' }).where(eq(files.id, ids[1]));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/files?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const pageResult = await get(t, filesRoute.GET, path);
      expect(pageResult.status).toBe(200);
      expect(pageResult.body.files.length).toBeLessThanOrEqual(2);
      seen.push(...pageResult.body.files.map((f: { id: string }) => f.id));
      cursor = pageResult.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const idsOf = async (query: string) => (await get(t, filesRoute.GET, `/api/v1/files?${query}`)).body.files.map((f: { id: string }) => f.id);
    expect(await idsOf('status=completed')).toEqual([ids[0]]);
    expect(await idsOf('type=ifc')).toEqual([ids[5]]);
    expect(await idsOf('archived=true')).toEqual([ids[1]]);
    expect(await idsOf('archived=false')).toHaveLength(5);
    expect(await idsOf('q=DRAWING_3')).toEqual([ids[3]]);
    // % and _ are literal characters, not wildcards.
    expect(await idsOf(`q=${encodeURIComponent('g_4%')}`)).toEqual([ids[4]]);
    expect(await idsOf(`q=${encodeURIComponent('%')}`)).toHaveLength(5);
    expectError(await get(t, filesRoute.GET, '/api/v1/files?status=lost'), 400, 'validation_failed', /status/);
    expectError(await get(t, filesRoute.GET, '/api/v1/files?cursor=nonsense'), 400, 'validation_failed', /cursor/);
  });
});

describe('metering', () => {
  const usageOf = async (tenantId: string) =>
    ownerDb().execute<{ type: string; count: number; bytes: number }>(sql`
      select event_type as type, count(*)::int as count, coalesce(sum(quantity), 0)::bigint::float8 as bytes
      from usage_events where tenant_id = ${tenantId} group by event_type order by event_type`);

  it('meters an upload and a completed processing in their own transactions, once each, and a refusal not at all', async () => {
    const t = await filesTenant();
    const bytes = pdfBytes();
    const { id } = (await upload(t, 'metered.pdf', bytes)).body.file;
    expectError(await upload(t, 'refused.exe', bytes), 415, 'unsupported_media_type', /./);
    const patch = (status: string) =>
      callRoute(fileRoute.PATCH, { method: 'PATCH', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${id}`, params: { id }, body: { status } });
    for (const status of ['processing', 'completed']) expect((await patch(status)).status).toBe(200);
    expect(await usageOf(t.id)).toEqual([
      { type: 'file_processed', count: 1, bytes: 1 },
      { type: 'file_upload', count: 1, bytes: bytes.length },
    ]);
    const [daily] = await ownerDb().execute<{ count: number }>(
      sql`select sum(count)::int as count from usage_daily where tenant_id = ${t.id} and event_type = 'file_upload'`,
    );
    expect(daily.count).toBe(1);
  });
});

describe('status changes', () => {
  const patch = (t: TFilesTenant, id: string, status: string) =>
    callRoute(fileRoute.PATCH, { method: 'PATCH', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${id}`, params: { id }, body: { status } });

  it('moves uploaded → processing → failed → processing → completed and refuses illegal moves with 409', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'p.pdf', pdfBytes())).body.file;
    expectError(await patch(t, id, 'completed'), 409, 'conflict', /uploaded cannot move to completed \(allowed: processing\)/);
    for (const status of ['processing', 'failed', 'processing', 'completed']) {
      const result = await patch(t, id, status);
      expect(result.status, result.text).toBe(200);
      expect(result.body.file.status).toBe(status);
    }
    expectError(await patch(t, id, 'processing'), 409, 'conflict', /completed cannot move/);
    expectError(await patch(t, id, 'uploaded'), 400, 'validation_failed', /status/);
    expect((await fileRow(id))!.status).toBe('completed');
  });
});

describe('deletion', () => {
  it('deletes the row at once and the object later by the sweep when S3 fails right after the commit', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'd.pdf', pdfBytes())).body.file;
    const client = s3();
    const send = client.send.bind(client);
    const spy = vi.spyOn(client, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof DeleteObjectCommand) return Promise.reject(new Error('S3 is down'));
      return send(command as never);
    }) as typeof client.send);

    const deleted = await callRoute(fileRoute.DELETE, { method: 'DELETE', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${id}`, params: { id } });
    expect(deleted.status).toBe(204);
    expect(await fileRow(id)).toBeNull();
    await vi.waitFor(
      async () => {
        const [pending] = await ownerDb().select().from(storageDeletions).where(eq(storageDeletions.tenantId, t.id));
        expect(pending.lastError).toMatch(/S3 is down/);
      },
      { timeout: 5_000 },
    );
    expect(await storedKeys(t.id)).toHaveLength(1);

    spy.mockRestore();
    // A failed deletion is retried with backoff: not at once, but once the row is old enough.
    await ownerDb().update(storageDeletions).set({ createdAt: new Date() }).where(eq(storageDeletions.tenantId, t.id));
    await processStorageDeletions();
    expect(await storedKeys(t.id)).toHaveLength(1);
    await ownerDb()
      .update(storageDeletions)
      .set({ createdAt: new Date(Date.now() - 3600_000) })
      .where(eq(storageDeletions.tenantId, t.id));
    await processStorageDeletions();
    expect(await storedKeys(t.id)).toEqual([]);
    const [done] = await ownerDb().select().from(storageDeletions).where(eq(storageDeletions.tenantId, t.id));
    expect(done.deletedAt).not.toBeNull();
  });

  it('deletes the archive copy of an archived file too', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'old.pdf', pdfBytes())).body.file;
    const archiveKey = `archive/${t.id}/${id}/old.pdf`;
    await s3().send(new PutObjectCommand({ Bucket: bucketNames().archive, Key: archiveKey, Body: 'cold' }));
    await ownerDb().update(files).set({ storageTier: 'archived', archiveKey }).where(eq(files.id, id));
    const deleted = await callRoute(fileRoute.DELETE, { method: 'DELETE', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${id}`, params: { id } });
    expect(deleted.status).toBe(204);
    await processStorageDeletions();
    const rows = await ownerDb().select().from(storageDeletions).where(eq(storageDeletions.tenantId, t.id));
    expect(rows.map((r) => [r.bucket, r.objectKey, r.deletedAt !== null]).sort()).toEqual(
      [
        [bucketNames().archive, archiveKey, true],
        [bucketNames().files, `tenants/${t.id}/files/${id}/old.pdf`, true],
      ].sort(),
    );
  });
});

describe('archived files', () => {
  it('answers a download with 409 that says how to restore', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'cold.pdf', pdfBytes())).body.file;
    await ownerDb().update(files).set({ storageTier: 'archived' }).where(eq(files.id, id));
    const result = await get(t, downloadRoute.GET, `/api/v1/files/${id}/download`, { id });
    expectError(result, 409, 'conflict', new RegExp(`is archived.*POST /api/v1/files/${id}/restore \\{"days": n\\}`));
    const usage = await get(t, usageRoute.GET, '/api/v1/files/usage');
    expect(usage.body.usage).toMatchObject({ hotBytes: 0, archivedBytes: 2048, totalBytes: 2048 });
  });
});

describe('a stored object that changed after it was stored', () => {
  const integrityEvents = (tenantId: string, fileId: string) =>
    ownerDb().execute<{ event_type: string; outcome: string; actor_type: string; request_id: string | null; metadata: Record<string, unknown> }>(sql`
      select event_type, outcome, actor_type, request_id, metadata from audit_logs
      where tenant_id = ${tenantId} and action = 'file.integrity_mismatch' and target_id = ${fileId}`);

  it('fails a 5-byte presigned upload overwritten in S3 after completion: the download answers 409, once audited', async () => {
    const t = await filesTenant();
    const started = await start(t, { name: 'five.pdf', size: 5 });
    await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(pdfBytes(5)) });
    const { id } = (await complete(t, started.body.file.id)).body.file;
    const row = await fileRow(id);
    await overwrite(row!.storageKey, pdfBytes(300_000));

    const refused = await download(t, id);
    expectError(refused, 409, 'conflict', /no longer matches what was uploaded \(the stored object has 300000 bytes, the file 5\).*marked failed/);
    const after = await fileRow(id);
    expect(after).toMatchObject({ status: 'failed', sizeBytes: 5, sha256: row!.sha256, etag: row!.etag });
    expect(after!.failureReason).toMatch(/^Integrity check failed: the stored object has 300000 bytes, the file 5$/);
    expect((await get(t, fileRoute.GET, `/api/v1/files/${id}`, { id })).body.file).toMatchObject({ status: 'failed', failureReason: after!.failureReason });
    const events = await integrityEvents(t.id, id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'security_event',
      outcome: 'failure',
      actor_type: 'system',
      request_id: refused.headers.get('x-request-id'),
      metadata: { reader: 'download', recorded: { sizeBytes: 5, etag: row!.etag }, found: { sizeBytes: 300_000 } },
    });

    // Failed for good: later downloads answer the same without asking S3 again, and processing cannot resume.
    expectError(await download(t, id), 409, 'conflict', /Integrity check failed/);
    expect(await integrityEvents(t.id, id)).toHaveLength(1);
    const patch = await callRoute(fileRoute.PATCH, { method: 'PATCH', host: t.host, apiKey: t.apiKey, path: `/api/v1/files/${id}`, params: { id }, body: { status: 'processing' } });
    expectError(patch, 409, 'conflict', /failed for good/);
  });

  it('catches an overwrite of the same size by its ETag', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'same-size.pdf', pdfBytes(2048))).body.file;
    const row = await fileRow(id);
    expect(row!.etag).toBe((await headOf(row!.storageKey))!.etag);
    await overwrite(row!.storageKey, pdfBytes(2048));
    expectError(await download(t, id), 409, 'conflict', /ETag .* differs from .* recorded when it was stored/);
    expect((await fileRow(id))!.status).toBe('failed');
  });

  it('records the ETag of a file stored before ETags were kept on its first download, and checks it from then on', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'legacy.pdf', pdfBytes(2048))).body.file;
    const { storageKey, etag } = (await fileRow(id))!;
    await ownerDb().update(files).set({ etag: null }).where(eq(files.id, id));
    expect((await download(t, id)).status).toBe(200);
    expect((await fileRow(id))!.etag).toBe(etag);
    await overwrite(storageKey, pdfBytes(2048));
    expectError(await download(t, id), 409, 'conflict', /ETag/);
  });

  it('accepts a restored copy with a new ETag when its bytes still hash to the file, and records the new ETag', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'restored.pdf', pdfBytes(2048))).body.file;
    const { etag } = (await fileRow(id))!;
    // A copy back from the archive can get another ETag on S3 (e.g. when the original was a multipart upload).
    await ownerDb().update(files).set({ storageTier: 'restored', etag: '"from-before-the-archive"' }).where(eq(files.id, id));
    expect((await download(t, id)).status).toBe(200);
    expect(await fileRow(id)).toMatchObject({ status: 'uploaded', etag });
  });

  it('fails a restored copy whose bytes no longer hash to the file', async () => {
    const t = await filesTenant();
    const { id } = (await upload(t, 'restored-bad.pdf', pdfBytes(2048))).body.file;
    const { storageKey } = (await fileRow(id))!;
    await ownerDb().update(files).set({ storageTier: 'restored' }).where(eq(files.id, id));
    await overwrite(storageKey, pdfBytes(2048));
    expectError(await download(t, id), 409, 'conflict', /SHA-256 .* differs from the file's/);
    expect((await fileRow(id))!.status).toBe('failed');
  });
});
