import { createHash, randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { eq } from 'drizzle-orm';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { files } from '@/db/schema/files';
import { tenantSettings, tenants } from '@/db/schema/tenancy';
import { createApiKey, permissionsOf, type TPermission } from '@/lib/auth';
import { bucketNames, s3 } from '@/lib/storage';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
import { browserOriginOf, hostOf, sessionCookie, type TCallResult, type TDemoMember, type TRouteHandler } from './http';
import { addMember } from './state';

/** A PDF-looking body of `sizeBytes` (the signature, then random bytes). */
export function pdfBytes(sizeBytes = 2048): Buffer {
  const head = Buffer.from('%PDF-1.7\n');
  return Buffer.concat([head, randomBytes(Math.max(0, sizeBytes - head.length))]).subarray(0, sizeBytes);
}

export function ifcBytes(sizeBytes = 1024): Buffer {
  const head = Buffer.from('ISO-10303-21;\nHEADER;\n');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, sizeBytes - head.length), 'x')]).subarray(0, sizeBytes);
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export interface TFilesTenant {
  id: string;
  slug: string;
  host: string;
  members: Record<TRole, TDemoMember>;
  /** An API key of the owner with every scope. */
  apiKey: string;
}

/** A fresh tenant with one member per role and an all-scopes key, so limits can be changed freely. */
export async function filesTenant(plan: 'free' | 'professional' = 'professional'): Promise<TFilesTenant> {
  const slug = `files-${randomBytes(4).toString('hex')}`;
  const { id } = await withPlatform((tx) => createTenant(tx, { name: `Files ${slug}`, slug, plan }));
  const roles: TRole[] = ['owner', 'admin', 'editor', 'viewer'];
  const members = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await addMember(id, r)] as const))) as Record<
    TRole,
    TDemoMember
  >;
  const apiKey = await keyFor({ id, members } as TFilesTenant, permissionsOf('owner'));
  return { id, slug, host: hostOf(slug), members, apiKey };
}

export async function keyFor(tenant: Pick<TFilesTenant, 'id' | 'members'>, scopes: TPermission[], role: TRole = 'owner'): Promise<string> {
  const creator = tenant.members[role];
  const key = await withTenant(tenant.id, (tx) =>
    createApiKey(tx, tenant.id, { userId: creator.id, role }, { name: `key ${randomBytes(3).toString('hex')}`, scopes }),
  );
  return key.secret;
}

export async function setLimits(
  tenantId: string,
  limits: { maxFileSizeBytes?: number; allowedFileTypes?: string[]; storageQuotaBytes?: number },
): Promise<void> {
  const { storageQuotaBytes, ...settings } = limits;
  if (storageQuotaBytes !== undefined) await ownerDb().update(tenants).set({ storageQuotaBytes }).where(eq(tenants.id, tenantId));
  if (Object.keys(settings).length > 0) await ownerDb().update(tenantSettings).set(settings).where(eq(tenantSettings.tenantId, tenantId));
}

/** Every object key under a tenant's prefix in the hot bucket. */
export async function storedKeys(tenantId: string, bucket = bucketNames().files): Promise<string[]> {
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${tenantId}/` }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

export async function fileRows(tenantId: string) {
  return ownerDb().select().from(files).where(eq(files.tenantId, tenantId));
}

export async function fileRow(fileId: string) {
  const [row] = await ownerDb().select().from(files).where(eq(files.id, fileId));
  return row ?? null;
}

export interface TUploadOptions {
  host: string;
  filename?: string;
  query?: Record<string, string>;
  body: Buffer | ReadableStream<Uint8Array> | FormData;
  apiKey?: string;
  cookieFor?: TDemoMember;
  headers?: Record<string, string>;
}

/** POST /api/v1/files as an HTTP client would send it (a raw body, a stream, or a multipart form). */
export async function callUpload(handler: TRouteHandler, options: TUploadOptions): Promise<TCallResult> {
  const params = new URLSearchParams(options.query ?? {});
  if (options.filename !== undefined) params.set('filename', options.filename);
  const url = `http://${options.host}/api/v1/files${params.size ? `?${params}` : ''}`;
  const headers = new Headers({ host: options.host, ...options.headers });
  if (options.apiKey) headers.set('authorization', `Bearer ${options.apiKey}`);
  if (options.cookieFor) {
    headers.set('cookie', await sessionCookie(options.cookieFor));
    if (!headers.has('origin')) headers.set('origin', browserOriginOf(options.host));
  }
  let body: BodyInit | ReadableStream<Uint8Array> = options.body as BodyInit;
  if (Buffer.isBuffer(options.body)) {
    headers.set('content-length', String(options.body.length));
    body = new Uint8Array(options.body);
  }
  const request = new Request(url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
  const response = await handler(request, { params: Promise.resolve({}) });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, body: isJson && text ? JSON.parse(text) : null, text, headers: response.headers };
}

/** A body stream of `sizeBytes` generated in 1 MiB chunks (a PDF signature first), optionally failing midway. */
export function generatedStream(sizeBytes: number, options: { failAfterBytes?: number } = {}): ReadableStream<Uint8Array> {
  const chunk = randomBytes(1024 * 1024);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (options.failAfterBytes !== undefined && sent >= options.failAfterBytes) {
        controller.error(new Error('client went away'));
        return;
      }
      if (sent >= sizeBytes) {
        controller.close();
        return;
      }
      const size = Math.min(chunk.length, sizeBytes - sent);
      const piece = Buffer.from(chunk.subarray(0, size));
      if (sent === 0) piece.write('%PDF-1.7\n', 0, 'latin1');
      sent += size;
      controller.enqueue(piece);
    },
  });
}
