import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { stripeEvents } from '@/db/schema/billing';
import { usageEvents } from '@/db/schema/usage';

/**
 * Request bodies read whole (JSON through route(), browser error reports, Stripe's webhook) are capped while they
 * stream, whatever Content-Length says, and JSON must be declared JSON. Bodies are sent as real streams without
 * Content-Length (chunked), counting what the server pulls from them.
 */
const WEBHOOK_SECRET = 'whsec_request_bodies_0123456789';
process.env.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET;

const { seedDemoData } = await import('@/db/seed');
const { V1_ENDPOINTS } = await import('@/lib/api');
const { PERMISSIONS } = await import('@/lib/auth');
const { bufferedErrorCount } = await import('@/lib/errors');
const { MAX_JSON_BODY_BYTES } = await import('@/lib/request-body');
const { APEX_HOST, browserOriginOf, callRoute, createKey, demoUsers, expectError, hostOf } = await import('./support/http');
const { v1RouteFiles } = await import('./support/routes');
const { settingsRow } = await import('./support/state');
const { callUpload, fileRows, filesTenant, generatedStream } = await import('./support/files');
const { houseEstimate } = await import('./support/estimates');
const { ensureBuckets } = await import('@/lib/storage');
const usageRoute = await import('../app/api/v1/usage/events/route');
const settingsRoute = await import('../app/api/v1/tenant/settings/route');
const clientErrorRoute = await import('../app/api/v1/errors/client/route');
const webhookRoute = await import('../app/api/webhooks/stripe/route');
const filesRoute = await import('../app/api/v1/files/route');
const importRoute = await import('../app/api/v1/estimates/import/route');

type TDemo = Awaited<ReturnType<typeof demoUsers>>;
let demo: TDemo;
let writerKey: string;

beforeAll(async () => {
  await Promise.all([seedDemoData(), ensureBuckets()]);
  demo = await demoUsers();
  writerKey = await createKey('acme', 'owner', ['files:write', 'settings:manage']);
});

const KIB = 1024;
const MIB = 1024 * KIB;

/** A body stream of `text` in chunks of `chunkBytes`, recording how many bytes were pulled and whether it was cancelled. */
function countedStream(text: string, chunkBytes = 16 * KIB) {
  const bytes = Buffer.from(text, 'utf8');
  const stats = { pulledBytes: 0, isCancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (stats.pulledBytes >= bytes.length) return controller.close();
        const chunk = bytes.subarray(stats.pulledBytes, stats.pulledBytes + chunkBytes);
        stats.pulledBytes += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
      cancel() {
        stats.isCancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats, sizeBytes: bytes.length };
}

/** A valid usage batch of `count` events whose metadata note is `note`: what the server would store if it read it. */
function usageBatch(count: number, note: string) {
  const ids = Array.from({ length: count }, () => randomUUID());
  const occurredAt = new Date().toISOString();
  const body = JSON.stringify({ events: ids.map((id) => ({ id, type: 'file_processed', quantity: 1, occurredAt, metadata: { note } })) });
  return { ids, body };
}

const storedUsage = async (ids: string[]) =>
  (await ownerDb().select({ id: usageEvents.id }).from(usageEvents).where(eq(usageEvents.tenantId, demo.acme.id))).filter((row) => ids.includes(row.id));

const postUsage = (body: string | ReadableStream<Uint8Array>, options: { headers?: Record<string, string>; contentType?: string | null } = {}) =>
  callRoute(usageRoute.POST, { method: 'POST', path: '/api/v1/usage/events', host: hostOf('acme'), apiKey: writerKey, body, ...options });

describe('JSON bodies are capped at 1 MiB while they stream', () => {
  it('refuses a chunked body over 1 MiB without Content-Length with 413, stops reading at the cap, cancels the stream and stores nothing', async () => {
    const { ids, body } = usageBatch(1000, 'x'.repeat(1500));
    const sent = countedStream(body);
    expect(sent.sizeBytes).toBeGreaterThan(1.5 * MIB);
    const result = await postUsage(sent.stream);
    expectError(result, 413, 'payload_too_large', /limited to 1048576 bytes/);
    expect(sent.stats.isCancelled).toBe(true);
    expect(sent.stats.pulledBytes).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 16 * KIB);
    expect(await storedUsage(ids)).toEqual([]);
  });

  it('refuses a body whose Content-Length understates it with 413 at the cap, and stores nothing', async () => {
    const { ids, body } = usageBatch(1000, 'y'.repeat(1500));
    const sent = countedStream(body);
    const result = await postUsage(sent.stream, { headers: { 'content-length': '200' } });
    expectError(result, 413, 'payload_too_large');
    expect(sent.stats.isCancelled).toBe(true);
    expect(sent.stats.pulledBytes).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 16 * KIB);
    expect(await storedUsage(ids)).toEqual([]);
  });

  it('refuses a body declared over 1 MiB before reading it', async () => {
    const { ids, body } = usageBatch(1000, 'z'.repeat(1500));
    const sent = countedStream(body);
    const result = await postUsage(sent.stream, { headers: { 'content-length': String(sent.sizeBytes) } });
    expectError(result, 413, 'payload_too_large');
    expect(sent.stats.pulledBytes).toBe(0);
    expect(sent.stats.isCancelled).toBe(true);
    expect(await storedUsage(ids)).toEqual([]);
  });

  it('counts bytes, not characters: 1.2 MB of three-byte characters in fewer than a million characters is 413', async () => {
    const { ids, body } = usageBatch(1000, '€'.repeat(400));
    expect(body.length).toBeLessThan(MAX_JSON_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_JSON_BODY_BYTES);
    expectError(await postUsage(countedStream(body).stream), 413, 'payload_too_large');
    expect(await storedUsage(ids)).toEqual([]);
  });

  it('accepts a streamed body just under 1 MiB', async () => {
    const { ids, body } = usageBatch(1000, 'w'.repeat(900));
    expect(Buffer.byteLength(body)).toBeGreaterThan(0.9 * MIB);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES);
    const result = await postUsage(countedStream(body).stream);
    expect(result.status, result.text).toBe(200);
    expect(await storedUsage(ids)).toHaveLength(1000);
  });
});

describe('bodies streamed under their own limits', () => {
  it('leaves uploads and imports out of the JSON cap: a 3 MiB file and a 2 MiB JSON import from a signed-in browser are accepted', async () => {
    const t = await filesTenant();
    const upload = await callUpload(filesRoute.POST, { host: t.host, cookieFor: t.members.admin, filename: 'large.pdf', body: generatedStream(3 * MIB) });
    expect(upload.status, upload.text).toBe(201);
    expect(await fileRows(t.id)).toEqual([expect.objectContaining({ sizeBytes: 3 * MIB })]);

    // Whitespace between the estimates makes the body large without making the import slow.
    const body = `[${JSON.stringify(houseEstimate())},${' '.repeat(2 * MIB)}${JSON.stringify(houseEstimate({ name: 'Second house' }))}]`;
    const imported = await callRoute(importRoute.POST, {
      method: 'POST',
      path: '/api/v1/estimates/import',
      host: t.host,
      cookieFor: t.members.admin,
      body: countedStream(body, 256 * KIB).stream,
    });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.import).toMatchObject({ rows: 2, accepted: 2, committed: true });
  });
});

describe('JSON bodies must be declared application/json', () => {
  const patchSettings = (options: { contentType?: string | null; body?: unknown; session?: boolean }) =>
    callRoute(settingsRoute.PATCH, {
      method: 'PATCH',
      path: '/api/v1/tenant/settings',
      host: hostOf('acme'),
      ...(options.session ? { cookieFor: demo.acme.owner } : { apiKey: writerKey }),
      body: options.body ?? { brandingDisplayName: 'Changed by a form' },
      contentType: options.contentType,
    });

  it.each(['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp'])(
    'refuses a JSON body sent as %s with 415 before reading it, from a key or a session, and changes nothing',
    async (contentType) => {
      const before = await settingsRow(demo.acme.id);
      for (const session of [false, true]) {
        const result = await patchSettings({ contentType, session });
        expectError(result, 415, 'unsupported_media_type', /Content-Type: application\/json/);
        expect(result.body.error.details).toEqual({ contentType });
      }
      expect(await settingsRow(demo.acme.id)).toEqual(before);
    },
  );

  it('refuses a JSON body sent without a Content-Type with 415 and changes nothing', async () => {
    const before = await settingsRow(demo.acme.id);
    expectError(await patchSettings({ contentType: null }), 415, 'unsupported_media_type', /got none/);
    expect(await settingsRow(demo.acme.id)).toEqual(before);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json'])('accepts %s', async (contentType) => {
    const name = `Acme ${contentType.length}`;
    const result = await patchSettings({ contentType, body: { brandingDisplayName: name } });
    expect(result.status, result.text).toBe(200);
    expect((await settingsRow(demo.acme.id)).brandingDisplayName).toBe(name);
  });

  it('refuses a text/plain body with 415 on every endpoint that takes a JSON body, for keys and operators alike', async () => {
    const ownerKey = await createKey('acme', 'owner', [...PERMISSIONS]);
    const files = new Map(v1RouteFiles().map((file) => [file.path, file.file]));
    const withBody = V1_ENDPOINTS.filter((endpoint) => endpoint.body);
    expect(withBody.length).toBeGreaterThanOrEqual(20);
    for (const endpoint of withBody) {
      const routeModule = (await import(files.get(endpoint.path)!)) as Record<string, Parameters<typeof callRoute>[0]>;
      // Path parameters are checked first: a uuid, or a plan id.
      const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      const params = [randomUUID(), 'starter']
        .map((value) => Object.fromEntries(names.map((name) => [name, value])))
        .find((candidate) => !endpoint.params || endpoint.params.safeParse(candidate).success)!;
      const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]);
      const caller =
        endpoint.access === 'platform'
          ? { host: APEX_HOST, cookieFor: demo.operator, origin: browserOriginOf(APEX_HOST) }
          : { host: hostOf('acme'), apiKey: ownerKey };
      const result = await callRoute(routeModule[endpoint.method], {
        method: endpoint.method,
        path,
        params,
        ...caller,
        body: '{}',
        contentType: 'text/plain',
      });
      expect({ endpoint: `${endpoint.method} ${endpoint.path}`, status: result.status, code: result.body?.error?.code }).toEqual({
        endpoint: `${endpoint.method} ${endpoint.path}`,
        status: 415,
        code: 'unsupported_media_type',
      });
    }
  });
});

describe('browser error reports are capped at 16 KiB while they stream', () => {
  it('refuses a chunked report over 16 KiB with 413, reading no more than the cap, and keeps nothing', async () => {
    const before = bufferedErrorCount();
    const sent = countedStream(JSON.stringify({ message: 'x'.repeat(4 * MIB) }), 4 * KIB);
    const result = await callRoute(clientErrorRoute.POST, { method: 'POST', path: '/api/v1/errors/client', host: hostOf('acme'), body: sent.stream });
    expectError(result, 413, 'payload_too_large', /Error reports are limited to 16384 bytes/);
    expect(sent.stats.isCancelled).toBe(true);
    expect(sent.stats.pulledBytes).toBeLessThanOrEqual(16 * KIB + 4 * KIB);
    expect(bufferedErrorCount()).toBe(before);
  });

  it('refuses a report sent as text/plain with 415 and keeps nothing', async () => {
    const before = bufferedErrorCount();
    const result = await callRoute(clientErrorRoute.POST, {
      method: 'POST',
      path: '/api/v1/errors/client',
      host: hostOf('acme'),
      body: { message: 'sent by a form' },
      contentType: 'text/plain',
    });
    expectError(result, 415, 'unsupported_media_type');
    expect(bufferedErrorCount()).toBe(before);
  });
});

describe("Stripe's webhook is capped at 256 KiB while it streams", () => {
  /** A correctly signed event padded to about `sizeBytes`: one Stripe would accept if it were small enough. */
  function signedEvent(sizeBytes: number) {
    const id = `evt_${randomUUID().replace(/-/g, '')}`;
    const event = { id, object: 'event', type: 'customer.updated', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_x', object: 'customer', metadata: { padding: '' } } } };
    event.data.object.metadata.padding = 'p'.repeat(sizeBytes - JSON.stringify(event).length);
    const payload = JSON.stringify(event);
    return { id, payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) };
  }
  const deliver = (payload: string | ReadableStream<Uint8Array>, signature: string) =>
    callRoute(webhookRoute.POST, { method: 'POST', path: '/api/webhooks/stripe', body: payload, headers: { 'stripe-signature': signature } });
  const handled = (id: string) => ownerDb().select().from(stripeEvents).where(eq(stripeEvents.id, id));

  it('refuses a signed chunked event over 256 KiB with 413, reading no more than the cap, and records nothing', async () => {
    const { id, payload, signature } = signedEvent(300 * KIB);
    const sent = countedStream(payload);
    expectError(await deliver(sent.stream, signature), 413, 'payload_too_large', /limited to 262144 bytes/);
    expect(sent.stats.isCancelled).toBe(true);
    expect(sent.stats.pulledBytes).toBeLessThanOrEqual(256 * KIB + 16 * KIB);
    expect(await handled(id)).toEqual([]);
  });

  it('accepts a signed chunked event just under 256 KiB', async () => {
    const { id, payload, signature } = signedEvent(250 * KIB);
    const result = await deliver(countedStream(payload).stream, signature);
    expect(result.status, result.text).toBe(200);
    expect(await handled(id)).toHaveLength(1);
  });
});
