import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { auditLogs } from '@/db/schema/audit';
import { costEstimates } from '@/db/schema/estimates';
import * as importRoute from '../app/api/v1/estimates/import/route';
import * as estimatesRoute from '../app/api/v1/estimates/route';
import { filesTenant, keyFor, type TFilesTenant } from './support/files';
import { browserOriginOf, callRoute, expectError, sessionCookie, type TCallResult, type TDemoMember } from './support/http';

/**
 * POST /api/v1/estimates/import as the issue specifies it: CSV, JSON arrays and JSON lines, streamed; every
 * rejected estimate reported with its line and reason; all_or_nothing stores nothing when one is invalid,
 * skip_invalid stores the rest, in one transaction; limits answered with 413; memory flat in the body size.
 */

interface TImportOptions {
  contentType?: string | null;
  query?: Record<string, string>;
  apiKey?: string;
  cookieFor?: TDemoMember;
  headers?: Record<string, string>;
}

async function callImport(t: TFilesTenant, body: string | ReadableStream<Uint8Array>, options: TImportOptions = {}): Promise<TCallResult> {
  const params = new URLSearchParams(options.query ?? {});
  const url = `http://${t.host}/api/v1/estimates/import${params.size ? `?${params}` : ''}`;
  const headers = new Headers({ host: t.host, ...options.headers });
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType) headers.set('content-type', contentType);
  if (options.cookieFor) {
    headers.set('cookie', await sessionCookie(options.cookieFor));
    if (!headers.has('origin')) headers.set('origin', browserOriginOf(t.host));
  } else headers.set('authorization', `Bearer ${options.apiKey ?? t.apiKey}`);
  const request = new Request(url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
  const response = await importRoute.POST(request, { params: Promise.resolve({}) });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, body: isJson && text ? JSON.parse(text) : null, text, headers: response.headers };
}

/** A text body sent in chunks of `sizeBytes`, as a slow client would (delimiters and the BOM split across chunks). */
function chunked(text: string, sizeBytes: number): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + sizeBytes)));
      offset += sizeBytes;
    },
  });
}

async function storedCount(tenantId: string): Promise<number> {
  const [row] = await ownerDb().select({ n: count() }).from(costEstimates).where(eq(costEstimates.tenantId, tenantId));
  return row.n;
}

async function storedEstimates(tenantId: string) {
  return ownerDb().select().from(costEstimates).where(eq(costEstimates.tenantId, tenantId)).orderBy(costEstimates.name);
}

async function importAudits(tenantId: string) {
  return ownerDb()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.tenantId, tenantId), eq(auditLogs.action, 'estimate.import')))
    .orderBy(auditLogs.seq);
}

const estimate = (name: string, overrides: Record<string, unknown> = {}) => ({
  project: 'Tower A',
  name,
  location: { country: 'DE', region: 'Bavaria', city: 'Munich' },
  materials: [
    { name: 'Ready-mix concrete C30/37', category: 'concrete', quantity: 120.5, unit: 'm³', unitCostCents: 14_500 },
    { name: 'Rebar B500B', category: 'steel', quantity: 9.2, unit: 't', unitCostCents: 98_000 },
  ],
  laborRateCents: 4_800,
  laborHours: 320,
  equipmentRateCents: 9_000,
  equipmentHours: 40,
  currency: 'EUR',
  ...overrides,
});

/** A JSON array with each element on its own line(s); `pretty` elements span several lines. Returns where each starts. */
function jsonArray(items: unknown[], pretty: number[] = []): { body: string; lines: number[] } {
  let body = '[\n';
  let line = 2;
  const lines: number[] = [];
  items.forEach((item, i) => {
    const text = pretty.includes(i) ? JSON.stringify(item, null, 2) : JSON.stringify(item);
    lines.push(line);
    body += `${text}${i < items.length - 1 ? ',' : ''}\n`;
    line += text.split('\n').length;
  });
  return { body: `${body}]\n`, lines };
}

const valid = estimate;
const negativeQuantity = (name: string) =>
  estimate(name, { materials: [{ name: 'Gravel', category: 'aggregate', quantity: -3, unit: 't', unitCostCents: 1_000 }] });
const unknownUnit = (name: string) =>
  estimate(name, {
    materials: [
      { name: 'Sand', category: 'aggregate', quantity: 3, unit: 't', unitCostCents: 1_000 },
      { name: 'Tiles', category: 'finishes', quantity: 3, unit: 'm4', unitCostCents: 1_000 },
    ],
  });
const lineMismatch = (name: string) =>
  estimate(name, {
    materials: [
      { name: 'Sand', category: 'aggregate', quantity: 3, unit: 't', unitCostCents: 1_000, lineCostCents: 3_000 },
      { name: 'Cement', category: 'binder', quantity: 2, unit: 't', unitCostCents: 12_000, lineCostCents: 25_000 },
    ],
  });
const missingCurrency = (name: string) => {
  const { currency: _currency, ...rest } = estimate(name);
  return rest;
};

/** Five good estimates around four bad ones, the first pretty-printed over many lines. */
const mixedBody = () =>
  jsonArray(
    [
      valid('Good 1'),
      negativeQuantity('Bad quantity'),
      valid('Good 2'),
      unknownUnit('Bad unit'),
      lineMismatch('Bad line total'),
      valid('Good 3'),
      missingCurrency('No currency'),
      valid('Good 4'),
      valid('Good 5'),
    ],
    [0, 3],
  );

describe('JSON arrays', () => {
  it('stores every estimate of a valid array, lists them, and answers 201 with their ids', async () => {
    const t = await filesTenant();
    const { body } = jsonArray([valid('Foundations'), valid('Frame'), valid('Roof')], [1]);
    const result = await callImport(t, body);
    expect(result.status, result.text).toBe(201);
    expect(result.body.import).toMatchObject({ mode: 'all_or_nothing', format: 'json', rows: 3, accepted: 3, rejected: [], committed: true });
    expect(result.body.import.estimateIds).toHaveLength(3);
    expect(await storedCount(t.id)).toBe(3);

    const listed = await callRoute(estimatesRoute.GET, { host: t.host, apiKey: t.apiKey, path: '/api/v1/estimates?sort=name' });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.estimates.map((e: { name: string }) => e.name)).toEqual(['Foundations', 'Frame', 'Roof']);
    expect(listed.body.estimates.map((e: { id: string }) => e.id).sort()).toEqual([...result.body.import.estimateIds].sort());
    // 120.5 m³ × 145.00 + 9.2 t × 980.00 + 320 h × 48.00 + 40 h × 90.00
    expect(listed.body.estimates[0].totalCostCents).toBe(1_747_250 + 901_600 + 1_536_000 + 360_000);
  });

  it('in all_or_nothing refuses the whole import with 422, stores nothing, and reports every bad estimate with its line and reason', async () => {
    const t = await filesTenant();
    const { body, lines } = mixedBody();
    const result = await callImport(t, body);
    expectError(result, 422, 'unprocessable', /4 of 9 estimates were rejected .*nothing was stored/);
    const report = result.body.error.details.import;
    expect(report).toMatchObject({ mode: 'all_or_nothing', format: 'json', rows: 9, accepted: 5, committed: false });
    expect(report.estimateIds).toBeUndefined();
    expect(report.rejected).toEqual([
      { line: lines[1], estimate: 2, reason: 'materials.0.quantity: must not be negative' },
      { line: lines[3], estimate: 4, reason: expect.stringMatching(/^materials\.1\.unit: unknown unit "m4" \(known: each, m, m², m³/) },
      { line: lines[4], estimate: 5, reason: 'materials.1.lineCostCents: row 2 (Cement): 2 t × 12000 cents = 24000 cents, not 25000' },
      { line: lines[6], estimate: 7, reason: 'currency: is required' },
    ]);
    // The first element is pretty-printed: the next one starts many lines later.
    expect(lines[1]).toBeGreaterThan(lines[0] + 10);
    expect(await storedCount(t.id)).toBe(0);
  });

  it('in skip_invalid stores the valid estimates and reports the rejected lines', async () => {
    const t = await filesTenant();
    const { body, lines } = mixedBody();
    const result = await callImport(t, body, { query: { mode: 'skip_invalid' } });
    expect(result.status, result.text).toBe(201);
    expect(result.body.import).toMatchObject({ mode: 'skip_invalid', rows: 9, accepted: 5, committed: true });
    expect(result.body.import.rejected.map((r: { line: number }) => r.line)).toEqual([lines[1], lines[3], lines[4], lines[6]]);
    expect((await storedEstimates(t.id)).map((e) => e.name)).toEqual(['Good 1', 'Good 2', 'Good 3', 'Good 4', 'Good 5']);
  });

  it('in skip_invalid with nothing valid answers 200, committed false', async () => {
    const t = await filesTenant();
    const result = await callImport(t, jsonArray([negativeQuantity('Only bad')]).body, { query: { mode: 'skip_invalid' } });
    expect(result.status, result.text).toBe(200);
    expect(result.body.import).toMatchObject({ rows: 1, accepted: 0, committed: false });
    expect(await storedCount(t.id)).toBe(0);
  });

  it('rejects a source file that is not one of the tenant\'s like any invalid field', async () => {
    const t = await filesTenant();
    const foreignFileId = '00000000-0000-4000-8000-000000000001';
    const { body, lines } = jsonArray([valid('Mine'), valid('Foreign file', { sourceFileId: foreignFileId })]);
    const refused = await callImport(t, body);
    expectError(refused, 422, 'unprocessable');
    expect(refused.body.error.details.import.rejected).toEqual([{ line: lines[1], estimate: 2, reason: `sourceFileId: no file ${foreignFileId} in this organisation` }]);
    expect(await storedCount(t.id)).toBe(0);
    const skipped = await callImport(t, body, { query: { mode: 'skip_invalid' } });
    expect(skipped.body.import).toMatchObject({ accepted: 1, committed: true });
    expect((await storedEstimates(t.id)).map((e) => e.name)).toEqual(['Mine']);
  });

  it('fails the import with 400 naming the line when the array is not valid JSON', async () => {
    const t = await filesTenant();
    const body = `[\n${JSON.stringify(valid('Fine'))},\n{"project": "Broken",, "name": "x"},\n${JSON.stringify(valid('Never read'))}\n]`;
    expectError(await callImport(t, body), 400, 'validation_failed', /^Line 3: malformed JSON: the estimate starting here is not valid JSON/);
    expectError(await callImport(t, `${JSON.stringify(valid('Lines, not an array'))}\n`), 400, 'validation_failed', /Line 1: .*expected a JSON array.*x-ndjson/);
    expectError(await callImport(t, `[${JSON.stringify(valid('Unclosed'))},\n`), 400, 'validation_failed', /Line 2: .*before the array is closed/);
    expect(await storedCount(t.id)).toBe(0);
  });
});

describe('JSON lines', () => {
  it('rejects a malformed line on its own and reads on', async () => {
    const t = await filesTenant();
    const body = [
      JSON.stringify(valid('Line one')),
      `${JSON.stringify(valid('Line two, CRLF'))}\r`,
      '',
      '{"project": "Half a line", "name": ',
      JSON.stringify(valid('Line five')),
    ].join('\n');
    const skipped = await callImport(t, body, { contentType: 'application/x-ndjson', query: { mode: 'skip_invalid' } });
    expect(skipped.status, skipped.text).toBe(201);
    expect(skipped.body.import).toMatchObject({ format: 'jsonl', rows: 4, accepted: 3, committed: true });
    expect(skipped.body.import.rejected).toEqual([{ line: 4, estimate: 3, reason: expect.stringMatching(/^not valid JSON: /) }]);
    expect(await storedCount(t.id)).toBe(3);

    // ?format= wins over a Content-Type that names no format.
    const refused = await callImport(t, body, { contentType: 'text/plain', query: { format: 'jsonl' } });
    expectError(refused, 422, 'unprocessable');
    expect(refused.body.error.details.import.rejected.map((r: { line: number }) => r.line)).toEqual([4]);
    expect(await storedCount(t.id)).toBe(3);
  });
});

const CSV_HEADER =
  'estimate,project,name,country,region,city,currency,labor_rate_cents,labor_hours,material_name,material_category,quantity,unit,unit_cost_cents,line_cost_cents';

/** Quoted commas, doubled quotes and a line break inside a field; a BOM; CRLF line ends. */
const CSV_BODY = `\uFEFF${[
  CSV_HEADER,
  'E-1,"Tower ""A"", phase 2",Foundations,de,Bavaria,Munich,eur,4800,320,"Concrete, C30/37",concrete,10,m3,14500,145000',
  'E-1,,,,,,,,,"Rebar ""B500B""\r\nbundled",steel,2.5,t,98000,',
  'E-2,Depot,Paving,DE,,,EUR,,,Asphalt,asphalt,100,m²,2500,',
  'E-3,Depot,Bad rows,DE,,,EUR,,,Gravel,aggregate,-1,t,1000,',
  'E-3,Depot,Bad rows,DE,,,EUR,,,Sand,aggregate,2,m4,1000,',
  'E-4,Depot,Conflict,DE,,,EUR,,,Sand,aggregate,1,t,1000,',
  'E-4,Yard,Conflict,DE,,,EUR,,,Sand,aggregate,1,t,1000,',
  'E-5,Depot,Typo,DE,,,EUR,,,Sand,aggregate,"1,5",t,1000,',
  'E-2,Depot,Paving again,DE,,,EUR,,,Asphalt,asphalt,1,m²,2500,',
].join('\r\n')}\r\n`;

describe('CSV', () => {
  it('groups rows by estimate, honours RFC 4180 quoting, a BOM and CRLF, and names the line of each rejected row', async () => {
    const t = await filesTenant();
    const result = await callImport(t, CSV_BODY, { contentType: 'text/csv; charset=utf-8', query: { mode: 'skip_invalid' } });
    expect(result.status, result.text).toBe(201);
    expect(result.body.import).toMatchObject({ format: 'csv', rows: 6, accepted: 2, committed: true });
    expect(result.body.import.rejected).toEqual([
      {
        line: 6,
        estimate: 'E-3',
        reason: expect.stringMatching(/^materials\.0\.quantity: must not be negative; materials\.1\.unit: unknown unit "m4" .* \(line 7\)$/),
      },
      { line: 9, estimate: 'E-4', reason: 'line 9: project "Yard" differs from "Depot" on line 8, the estimate\'s first row' },
      { line: 10, estimate: 'E-5', reason: expect.stringMatching(/^line 10: quantity "1,5" is not a number/) },
      { line: 11, estimate: 'E-2', reason: 'estimate "E-2" already appeared on line 5: the rows of one estimate must be consecutive' },
    ]);

    const [tower, depot] = await storedEstimates(t.id);
    expect(tower).toMatchObject({ project: 'Tower "A", phase 2', name: 'Foundations', country: 'DE', region: 'Bavaria', city: 'Munich', currency: 'EUR' });
    expect(tower.materials).toEqual([
      { name: 'Concrete, C30/37', category: 'concrete', quantity: 10, unit: 'm³', unitCostCents: 14_500 },
      { name: 'Rebar "B500B"\r\nbundled', category: 'steel', quantity: 2.5, unit: 't', unitCostCents: 98_000 },
    ]);
    expect(tower.totalCostCents).toBe(145_000 + 245_000 + 1_536_000);
    expect(depot).toMatchObject({ project: 'Depot', name: 'Paving', laborRateCents: 0, totalCostCents: 250_000 });
  });

  it('reads the same estimates when the body arrives a few bytes at a time', async () => {
    const t = await filesTenant();
    const result = await callImport(t, chunked(CSV_BODY, 3), { contentType: 'text/csv', query: { mode: 'skip_invalid' } });
    expect(result.status, result.text).toBe(201);
    expect(result.body.import.rejected.map((r: { line: number }) => r.line)).toEqual([6, 9, 10, 11]);
    expect((await storedEstimates(t.id)).map((e) => [e.name, e.materials.length])).toEqual([
      ['Foundations', 2],
      ['Paving', 1],
    ]);
  });

  it('refuses an unknown or missing header column with 400 before reading any row', async () => {
    const t = await filesTenant();
    const body = `${CSV_HEADER},colour\nE-1,Depot,Paving,DE,,,EUR,,,Asphalt,asphalt,100,m²,2500,,red\n`;
    expectError(await callImport(t, body, { contentType: 'text/csv' }), 400, 'validation_failed', /Line 1: the CSV header has unknown column "colour"/);
    const noUnit = 'estimate,project,name,country,currency,material_name,material_category,quantity,unit_cost_cents\n';
    expectError(await callImport(t, noUnit, { contentType: 'text/csv' }), 400, 'validation_failed', /missing column unit/);
    expect(await storedCount(t.id)).toBe(0);
  });

  it('fails with 400 naming the line when a quoted field is never closed', async () => {
    const t = await filesTenant();
    const body = `${CSV_HEADER}\nE-1,Depot,Paving,DE,,,EUR,,,"Asphalt,asphalt,100,m²,2500,\nE-2,Depot,Kerbs,DE,,,EUR,,,Kerb,stone,1,m,900,\n`;
    expectError(await callImport(t, body, { contentType: 'text/csv' }), 400, 'validation_failed', /^Line 2: malformed CSV: a quoted field opened on this line is never closed/);
    expect(await storedCount(t.id)).toBe(0);
  });
});

describe('refusals', () => {
  it('refuses a body that is not CSV or JSON with 415', async () => {
    const t = await filesTenant();
    expectError(await callImport(t, 'hello', { contentType: 'text/plain' }), 415, 'unsupported_media_type', /text\/plain is not an import format.*text\/csv/);
    // A stream: a string body would get text/plain from the Request constructor.
    expectError(await callImport(t, chunked('hello', 5), { contentType: null }), 415, 'unsupported_media_type', /no Content-Type/);
  });

  it('answers 400, not 500, when the client goes away mid-body, and stores nothing', async () => {
    const t = await filesTenant();
    const { body } = jsonArray([valid('Cut off'), valid('Cut off')]);
    let sent = false;
    const aborted = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('socket hang up'));
        sent = true;
        controller.enqueue(new Uint8Array(Buffer.from(body.slice(0, 40))));
      },
    });
    expectError(await callImport(t, aborted), 400, 'bad_request', /ended before it was complete/);
    expect(await storedCount(t.id)).toBe(0);
  });

  it('refuses a viewer (no estimates:write) with 403 and stores nothing', async () => {
    const t = await filesTenant();
    const { body } = jsonArray([valid('Not allowed')]);
    expectError(await callImport(t, body, { cookieFor: t.members.viewer }), 403, 'forbidden');
    expectError(await callImport(t, body, { apiKey: await keyFor(t, ['estimates:read']) }), 403, 'forbidden');
    const editor = await callImport(t, body, { cookieFor: t.members.editor });
    expect(editor.status, editor.text).toBe(201);
    expect(await storedCount(t.id)).toBe(1);
  });

  it('refuses the 50,001st estimate with 413 naming the limit, and stores nothing', async () => {
    const t = await filesTenant();
    const line = `${JSON.stringify({ project: 'Bulk', name: 'Bulk row', location: { country: 'DE' }, materials: [], currency: 'EUR' })}\n`;
    const total = 50_001;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const rows = Math.min(1_000, total - sent);
        controller.enqueue(new Uint8Array(Buffer.from(line.repeat(rows))));
        sent += rows;
      },
    });
    const result = await callImport(t, body, { contentType: 'application/x-ndjson', query: { mode: 'skip_invalid' } });
    expectError(result, 413, 'payload_too_large', /^Line 50001: an import holds at most 50,000 estimates/);
    expect(await storedCount(t.id)).toBe(0);
  });

  it('refuses a body declared larger than 200 MiB with 413 before reading it', async () => {
    const t = await filesTenant();
    const declared = String(200 * 1024 * 1024 + 1);
    const result = await callImport(t, chunked('[]', 2), { headers: { 'content-length': declared } });
    expectError(result, 413, 'payload_too_large', /limited to 200 MiB/);
  });

  it('refuses a JSON line longer than 1 MiB with 400 naming the line', async () => {
    const t = await filesTenant();
    const body = `${JSON.stringify(valid('Fine'))}\n{"project": "${'x'.repeat(1_100_000)}"}\n`;
    expectError(await callImport(t, body, { contentType: 'application/jsonl' }), 400, 'validation_failed', /^Line 2: a record longer than 1048576 bytes/);
    expect(await storedCount(t.id)).toBe(0);
  });
});

describe('audit', () => {
  it('records the import with its counts, and a refused one as a failure', async () => {
    const t = await filesTenant();
    const stored = await callImport(t, jsonArray([valid('Audited')]).body);
    expect(stored.status, stored.text).toBe(201);
    const refused = await callImport(t, mixedBody().body);
    expect(refused.status).toBe(422);
    const rows = await importAudits(t.id);
    expect(rows.map((r) => [r.outcome, r.eventType, r.targetType, r.actorType])).toEqual([
      ['success', 'data_modify', 'estimate_import', 'api_key'],
      ['failure', 'data_modify', 'estimate_import', 'api_key'],
    ]);
    expect(rows[0].metadata).toMatchObject({ mode: 'all_or_nothing', format: 'json', rows: 1, accepted: 1, rejected: 0, committed: true });
    expect(rows[1].metadata).toMatchObject({ rows: 9, accepted: 5, rejected: 4, committed: false, status: 422, code: 'unprocessable' });
  });
});

/** global.gc without restarting the worker with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const PADDING = 'with shared site facilities, temporary works, crane hire, scaffolding and the full M&E package';

/**
 * A CSV of `estimates` estimates × 4 material rows, generated as it is read (the test holds none of it). As a
 * spreadsheet export would, every row repeats the estimate's long project, name, region and city, so the body is
 * about twice what the validated estimates hold; m² makes the text non-Latin-1 (two bytes a character as a JS string).
 */
function bulkCsv(estimates: number): { stream: ReadableStream<Uint8Array>; sent: { bytes: number } } {
  const sent = { bytes: 0 };
  let next = 0;
  const header = `${CSV_HEADER},equipment_rate_cents,equipment_hours\n`;
  const rowsOf = (e: number) => {
    const project = `Riverside mixed-use development ${e % 97}, phase ${e % 5}, ${PADDING}`.slice(0, 190);
    const name = `Estimate ${e} for the podium, cores and slabs, ${PADDING}`.slice(0, 190);
    const region = `Upper Bavaria district ${e % 13} ${PADDING}`.slice(0, 95);
    const city = `Munich ${e % 31} ${PADDING}`.slice(0, 95);
    const fixed = `E-${e},"${project}","${name}",DE,"${region}","${city}",EUR,4800,${100 + (e % 50)}`;
    return (
      `${fixed},Ready-mix concrete C30/37,concrete,${10 + (e % 7)},m³,14500,,9000,12\n` +
      `${fixed},Rebar B500B,steel,2.5,t,98000,,9000,12\n` +
      `${fixed},Formwork panels,formwork,${40 + (e % 11)},m²,2300,,9000,12\n` +
      `${fixed},Waterproofing membrane,waterproofing,${30 + (e % 3)},m²,1800,,9000,12\n`
    );
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Chunks arrive as from a socket, one event-loop turn each, so the memory sampler runs while the body is read.
      await new Promise((resolve) => setImmediate(resolve));
      if (next >= estimates) return controller.close();
      let text = next === 0 ? header : '';
      for (const end = Math.min(next + 50, estimates); next < end; next += 1) text += rowsOf(next);
      const bytes = Buffer.from(text);
      sent.bytes += bytes.length;
      controller.enqueue(new Uint8Array(bytes));
    },
  });
  return { stream, sent };
}

describe('flat memory', () => {
  it('imports 50,000 estimates holding the validated estimates only, never the body', async () => {
    const t = await filesTenant();
    const gc = exposeGc();
    const live = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const run = async (estimates: number) => {
      gc();
      const before = live();
      const maxRssBefore = process.resourceUsage().maxRSS * 1024;
      let peak = before;
      // Collecting before each sample measures what the import holds, not garbage not yet collected.
      const sampler = setInterval(() => {
        gc();
        peak = Math.max(peak, live());
      }, 400);
      const { stream, sent } = bulkCsv(estimates);
      const started = performance.now();
      const result = await callImport(t, stream, { contentType: 'text/csv', query: { mode: 'skip_invalid' } });
      clearInterval(sampler);
      expect(result.status, result.text).toBe(201);
      expect(result.body.import).toMatchObject({ rows: estimates, accepted: estimates, rejected: [], committed: true });
      // Over MAX_REPORTED_ESTIMATE_IDS: a bulk import's ids are found by listing, not in the answer.
      expect(result.body.import.estimateIds).toBeUndefined();
      return {
        estimates,
        bodyBytes: sent.bytes,
        peakGrowthBytes: peak - before,
        maxRssGrowthBytes: process.resourceUsage().maxRSS * 1024 - maxRssBefore,
        seconds: (performance.now() - started) / 1000,
      };
    };
    const small = await run(10_000);
    const large = await run(50_000);
    console.info('estimates import memory', JSON.stringify({ small, large }));
    expect(await storedCount(t.id)).toBe(60_000);
    const perEstimate = (r: typeof small) => r.peakGrowthBytes / r.estimates;
    // What is held grows with the validated estimates only: linear (5× the rows, about 5× the memory; measured
    // about 1.7 KB an estimate, 0.75× the body at 50,000) and below the body's size.
    expect(perEstimate(large), JSON.stringify({ small, large })).toBeLessThan(perEstimate(small) * 1.5);
    expect(large.peakGrowthBytes, JSON.stringify(large)).toBeLessThan(large.bodyBytes);
    // The sampler cannot run inside a synchronous parse, so the process's peak RSS is the check that catches a body
    // read whole: request.text() holds it as a two-byte string (m²), 2× the body on top of the estimates (measured:
    // 570 MB of peak RSS growth that way, 60 MB streamed).
    expect(large.maxRssGrowthBytes, JSON.stringify(large)).toBeLessThan(large.bodyBytes);
  }, 120_000);
});
