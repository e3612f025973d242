import 'server-only';
import { inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { TTx } from '@/db/client';
import { files } from '@/db/schema/files';
import { AppError } from '@/lib/app-error';
import { CsvRecordParser, type TCsvRecord } from './csv';
import { estimateCapExceeded, lockEstimateAllowance, writeEstimates, type TEstimateAllowance, type TEstimateAuthor } from './estimates';
import { MAX_MATERIALS_PER_ESTIMATE, ZEstimateInput, type TEstimateInput, type TImportMode } from './input';

/*
 * POST /api/v1/estimates/import: estimates read from a streamed body, each validated as soon as it is complete.
 * Only the validated inputs and the rejections are kept (the raw text never is), then the accepted ones are
 * written in one transaction: all of them or none. The plan's cap on estimates (max_estimates) is checked in that
 * transaction: all_or_nothing refuses an import that would pass it (429, nothing stored); skip_invalid stores the
 * first estimates up to it and reports the others as rejected rows.
 *
 * Formats
 * - json: an array of estimate objects, each exactly the body of POST /api/v1/estimates.
 * - jsonl: one estimate object per line; blank lines are skipped; a line that is not JSON is rejected on its own.
 * - csv: a header row, then one row per material line. Consecutive rows with the same `estimate` key form one
 *   estimate. Columns (any order, names case-insensitive):
 *     estimate, project, name, country, currency, material_name, material_category, quantity, unit,
 *     unit_cost_cents (required); region, city, labor_rate_cents, labor_hours, equipment_rate_cents,
 *     equipment_hours, line_cost_cents, total_cost_cents, source_file_id (optional).
 *   Estimate-level columns come from the group's first row; later rows may leave them empty or repeat them, and a
 *   different value rejects the estimate naming that row. A row whose material columns are all empty adds no
 *   material line (an estimate without materials is one such row). Numbers are plain decimals (1234.5); an empty
 *   cell is a missing value (defaults apply). RFC 4180 quoting, CRLF or LF, a UTF-8 byte order mark is skipped.
 *
 * Lines are 1-based lines of the body: where a JSON element or JSON line starts, a CSV estimate's first row, or
 * the row of a material line when the problem is in that line.
 */

export const MAX_IMPORT_ROWS = 50_000;
export const MAX_IMPORT_BODY_BYTES = 200 * 1024 * 1024;
/** One JSON element, JSON line or CSV record: generous for an estimate of 500 material lines. */
export const MAX_IMPORT_RECORD_BYTES = 1024 * 1024;
/** Up to this many stored estimates the answer lists their ids; a bulk import's are found by listing instead. */
export const MAX_REPORTED_ESTIMATE_IDS = 1_000;
const MAX_REASON_CHARS = 2_000;
const WRITE_SLICE_ROWS = 1_000;

export const IMPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type TImportFormat = (typeof IMPORT_FORMATS)[number];

export interface TImportRejection {
  line: number;
  /** The CSV estimate key, or the estimate's 1-based position in a JSON body. */
  estimate?: string | number;
  reason: string;
}

export interface TImportReport {
  mode: TImportMode;
  format: TImportFormat;
  /** Estimates read from the body. */
  rows: number;
  /** Estimates that passed validation (stored when committed). */
  accepted: number;
  rejected: TImportRejection[];
  committed: boolean;
  /** The stored estimates' ids, when at most MAX_REPORTED_ESTIMATE_IDS were stored. */
  estimateIds?: string[];
}

const FORMAT_BY_MEDIA_TYPE: Record<string, TImportFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

/** The format: ?format= if given, else the Content-Type; anything else is a 415. */
export function importFormatOf(contentType: string | null, format: TImportFormat | undefined): TImportFormat {
  if (format) return format;
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() || null;
  const found = mediaType ? FORMAT_BY_MEDIA_TYPE[mediaType] : undefined;
  if (found) return found;
  throw new AppError(
    'unsupported_media_type',
    `${mediaType ? `Content-Type ${mediaType} is not an import format` : 'The request has no Content-Type'}: send text/csv, ` +
      'application/json (an array of estimates) or application/x-ndjson (one estimate per line), or pass ?format=csv|json|jsonl',
  );
}

const tooLarge = () =>
  new AppError('payload_too_large', `Import bodies are limited to ${MAX_IMPORT_BODY_BYTES / 1024 / 1024} MiB; split the file`, {
    limitBytes: MAX_IMPORT_BODY_BYTES,
  });

/** The request body as byte chunks as they arrive, refused with 413 past MAX_IMPORT_BODY_BYTES (declared or counted). */
export function importBodyOf(request: Request): AsyncIterable<Uint8Array> {
  const body = request.body;
  if (!body) throw new AppError('validation_failed', 'Send the estimates as the request body');
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_IMPORT_BODY_BYTES) throw tooLarge();
  return (async function* () {
    const reader = body.getReader();
    let isDone = false;
    let receivedBytes = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read().catch(() => {
          // The client went away mid-upload: its fault, not ours (and nothing was written yet).
          throw new AppError('bad_request', 'The request body ended before it was complete; nothing was imported');
        });
        if (done) {
          isDone = true;
          return;
        }
        receivedBytes += value.byteLength;
        if (receivedBytes > MAX_IMPORT_BODY_BYTES) throw tooLarge();
        yield value;
      }
    } finally {
      // Refused midway (a limit, a syntax error): the rest of the body is not read.
      if (!isDone) await reader.cancel().catch(() => undefined);
    }
  })();
}

type TIssue = z.ZodError['issues'][number];

function describeIssue(issue: TIssue): string {
  const at = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  else if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) message = 'is required';
  return at ? `${at}: ${message}` : message;
}

const clip = (reason: string) => (reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason);

/** What reading the body keeps: validated inputs and rejections, nothing of the text. */
class ImportCollector {
  rows = 0;
  readonly inputs: TEstimateInput[] = [];
  /** Where each accepted input came from, to report it when the write refuses it (a foreign file, the plan's cap). */
  readonly inputRefs: { line: number; estimate: string | number }[] = [];
  /** Accepted inputs that name a source file: the file check may still reject them. */
  readonly sourceFileIndexes: number[] = [];
  readonly rejected: TImportRejection[] = [];

  /** A new estimate starts at `line`; the limit counts every estimate, valid or not. */
  startEstimate(line: number): number {
    this.rows += 1;
    if (this.rows > MAX_IMPORT_ROWS) {
      throw new AppError('payload_too_large', `Line ${line}: an import holds at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} estimates; split the file`, {
        limit: MAX_IMPORT_ROWS,
        line,
      });
    }
    return this.rows;
  }

  reject(line: number, estimate: string | number, reason: string): void {
    this.rejected.push({ line, estimate, reason: clip(reason) });
  }

  /** `lineOfIssue` names a material row's own line (CSV); otherwise every issue is at the estimate's line. */
  validate(value: unknown, line: number, estimate: string | number, lineOfIssue?: (issue: TIssue) => number): void {
    const result = ZEstimateInput.safeParse(value);
    if (result.success) {
      if (result.data.sourceFileId) this.sourceFileIndexes.push(this.inputs.length);
      this.inputRefs.push({ line, estimate });
      this.inputs.push(result.data);
      return;
    }
    const issues = result.error.issues;
    const lines = issues.map((issue) => lineOfIssue?.(issue) ?? line);
    const reasons = issues.map((issue, i) => (i > 0 && lines[i] !== lines[0] ? `${describeIssue(issue)} (line ${lines[i]})` : describeIssue(issue)));
    this.reject(lines[0], estimate, reasons.join('; '));
  }
}

interface TRecordParser {
  write(chunk: Uint8Array): void;
  end(): void;
}

const recordTooLong = (line: number) =>
  new AppError('validation_failed', `Line ${line}: a record longer than ${MAX_IMPORT_RECORD_BYTES} bytes`, { line });

/** Decodes collected byte pieces to a fresh string (no slice of a chunk survives in what is kept). */
function decodePieces(pieces: Uint8Array[]): string {
  return pieces.length === 1 ? Buffer.from(pieces[0].buffer, pieces[0].byteOffset, pieces[0].byteLength).toString('utf8') : Buffer.concat(pieces).toString('utf8');
}

const isJsonSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * A JSON array of estimates, element by element: the scanner tracks strings and nesting only to find where each
 * element ends, then JSON.parse reads that element alone. A syntax error fails the import naming the line: past
 * it, where the next element starts cannot be known.
 */
class JsonArrayParser implements TRecordParser {
  private state: 'before_array' | 'before_element' | 'element' | 'after_array' = 'before_array';
  private depth = 0;
  private isInString = false;
  private isEscaped = false;
  private hasComma = false;
  private pieces: Uint8Array[] = [];
  private pieceBytes = 0;
  private line = 1;
  private elementLine = 1;

  constructor(private readonly collector: ImportCollector) {}

  write(chunk: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i];
      if (this.state === 'element') {
        if (this.isInString) {
          if (this.isEscaped) this.isEscaped = false;
          else if (byte === 0x5c) this.isEscaped = true;
          else if (byte === 0x22) this.isInString = false;
          else if (byte === 0x0a) this.line += 1;
          continue;
        }
        if (this.depth === 0 && (byte === 0x2c || byte === 0x5d)) {
          this.pieces.push(chunk.subarray(start, i));
          this.endElement();
          this.hasComma = byte === 0x2c;
          this.state = byte === 0x2c ? 'before_element' : 'after_array';
          continue;
        }
        if (byte === 0x22) this.isInString = true;
        else if (byte === 0x7b || byte === 0x5b) this.depth += 1;
        else if (byte === 0x7d || byte === 0x5d) this.depth -= 1;
        else if (byte === 0x0a) this.line += 1;
        if (this.depth < 0) throw this.syntaxError(this.line, `a ${String.fromCharCode(byte)} that closes nothing`);
        if (i - start + this.pieceBytes > MAX_IMPORT_RECORD_BYTES) throw recordTooLong(this.elementLine);
        continue;
      }
      if (isJsonSpace(byte)) {
        if (byte === 0x0a) this.line += 1;
        continue;
      }
      switch (this.state) {
        case 'before_array':
          if (byte !== 0x5b) {
            throw this.syntaxError(
              this.line,
              'expected a JSON array of estimates ([{…}, {…}]); for one estimate per line send Content-Type application/x-ndjson or ?format=jsonl',
            );
          }
          this.state = 'before_element';
          break;
        case 'before_element':
          if (byte === 0x5d && !this.hasComma) {
            this.state = 'after_array';
            break;
          }
          if (byte === 0x5d || byte === 0x2c) throw this.syntaxError(this.line, `an unexpected ${String.fromCharCode(byte)}`);
          this.state = 'element';
          this.elementLine = this.line;
          this.depth = 0;
          start = i;
          i -= 1;
          break;
        case 'after_array':
          throw this.syntaxError(this.line, 'text after the closing ] of the array');
        default:
          break;
      }
    }
    if (this.state === 'element' && start < chunk.length) {
      this.pieces.push(chunk.subarray(start));
      this.pieceBytes += chunk.length - start;
    }
  }

  end(): void {
    if (this.state === 'before_array') throw this.syntaxError(this.line, 'the body is empty; expected a JSON array of estimates');
    if (this.state !== 'after_array') throw this.syntaxError(this.line, 'the body ends before the array is closed with ]');
  }

  private endElement(): void {
    const line = this.elementLine;
    const text = decodePieces(this.pieces);
    this.pieces = [];
    this.pieceBytes = 0;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.syntaxError(line, `the estimate starting here is not valid JSON (${(error as Error).message})`);
    }
    const index = this.collector.startEstimate(line);
    this.collector.validate(value, line, index);
  }

  private syntaxError(line: number, problem: string): AppError {
    return new AppError('validation_failed', `Line ${line}: malformed JSON: ${problem}`, { line });
  }
}

/** One estimate per line; a line that is not JSON is rejected on its own and the import goes on. */
class JsonLinesParser implements TRecordParser {
  private pieces: Uint8Array[] = [];
  private pieceBytes = 0;
  private line = 1;

  constructor(private readonly collector: ImportCollector) {}

  write(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (end - start + this.pieceBytes > MAX_IMPORT_RECORD_BYTES) throw recordTooLong(this.line);
      if (newline === -1) {
        if (start < chunk.length) {
          this.pieces.push(chunk.subarray(start));
          this.pieceBytes += chunk.length - start;
        }
        return;
      }
      this.pieces.push(chunk.subarray(start, newline));
      this.endLine();
      start = newline + 1;
    }
  }

  end(): void {
    if (this.pieceBytes > 0) this.endLine();
  }

  private endLine(): void {
    const line = this.line;
    const text = decodePieces(this.pieces).trim();
    this.pieces = [];
    this.pieceBytes = 0;
    this.line += 1;
    if (text === '') return;
    const index = this.collector.startEstimate(line);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.collector.reject(line, index, `not valid JSON: ${(error as Error).message}`);
      return;
    }
    this.collector.validate(value, line, index);
  }
}

const CSV_ESTIMATE_COLUMNS = [
  'project',
  'name',
  'country',
  'region',
  'city',
  'currency',
  'labor_rate_cents',
  'labor_hours',
  'equipment_rate_cents',
  'equipment_hours',
  'total_cost_cents',
  'source_file_id',
] as const;
const CSV_MATERIAL_COLUMNS = ['material_name', 'material_category', 'quantity', 'unit', 'unit_cost_cents', 'line_cost_cents'] as const;
const CSV_COLUMNS: readonly string[] = ['estimate', ...CSV_ESTIMATE_COLUMNS, ...CSV_MATERIAL_COLUMNS];
const CSV_REQUIRED_COLUMNS = ['estimate', 'project', 'name', 'country', 'currency', 'material_name', 'material_category', 'quantity', 'unit', 'unit_cost_cents'];
const PLAIN_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

type TCsvColumn = (typeof CSV_ESTIMATE_COLUMNS)[number] | (typeof CSV_MATERIAL_COLUMNS)[number] | 'estimate';

/** Plain decimals of the given cells (an empty cell: undefined), or the first cell that is not one. */
function readNumbers<C extends TCsvColumn>(
  columns: C[],
  valueOf: (column: C) => string,
): { values: Record<C, number | undefined> } | { problem: string } {
  const values = {} as Record<C, number | undefined>;
  for (const column of columns) {
    const text = valueOf(column);
    if (text !== '' && !PLAIN_DECIMAL.test(text)) {
      return { problem: `${column} "${text}" is not a number (write plain decimals such as 1234.5: no thousands separators, units or currency signs)` };
    }
    values[column] = text === '' ? undefined : Number(text);
  }
  return { values };
}

interface TCsvGroup {
  key: string;
  line: number;
  index: number;
  /** The first row's estimate-level values. */
  first: Map<TCsvColumn, string>;
  materials: Record<string, unknown>[];
  materialLines: number[];
  /** The first problem found outside zod's reach (a row's shape, a number, a conflicting value). */
  problem?: { line: number; reason: string };
}

/** CSV rows grouped into estimates by their `estimate` key. */
class CsvEstimateGrouper {
  private columns: Map<TCsvColumn, number> | null = null;
  private headerWidth = 0;
  private group: TCsvGroup | null = null;
  /** Keys seen, with their first line: a key coming back after another estimate is a mistake worth naming. */
  private readonly seenKeys = new Map<string, number>();

  constructor(private readonly collector: ImportCollector) {}

  onRecord(record: TCsvRecord): void {
    if (!this.columns) {
      this.readHeader(record);
      return;
    }
    if (record.fields.every((field) => field.trim() === '')) return;
    const value = (column: TCsvColumn) => {
      const index = this.columns!.get(column);
      return index === undefined ? '' : (record.fields[index] ?? '').trim();
    };
    const key = value('estimate');
    if (!this.group || key !== this.group.key) {
      this.finishGroup();
      this.group = this.startGroup(key, record.line, value);
    }
    const group = this.group;
    if (group.problem) return;
    if (record.fields.length !== this.headerWidth) {
      return this.fail(record.line, `the row has ${record.fields.length} fields, the header has ${this.headerWidth}`);
    }
    if (record.line !== group.line) {
      for (const column of CSV_ESTIMATE_COLUMNS) {
        const given = value(column);
        const first = group.first.get(column) ?? '';
        if (given !== '' && given !== first) {
          return this.fail(record.line, `${column} "${given}" differs from "${first}" on line ${group.line}, the estimate's first row`);
        }
      }
    }
    if (CSV_MATERIAL_COLUMNS.every((column) => value(column) === '')) return;
    if (group.materials.length >= MAX_MATERIALS_PER_ESTIMATE) {
      return this.fail(record.line, `more than ${MAX_MATERIALS_PER_ESTIMATE} material rows in one estimate`);
    }
    const numbers = readNumbers(['quantity', 'unit_cost_cents', 'line_cost_cents'], value);
    if ('problem' in numbers) return this.fail(record.line, numbers.problem);
    group.materials.push({
      name: value('material_name'),
      category: value('material_category'),
      quantity: numbers.values.quantity,
      unit: value('unit'),
      unitCostCents: numbers.values.unit_cost_cents,
      lineCostCents: numbers.values.line_cost_cents,
    });
    group.materialLines.push(record.line);
  }

  end(): void {
    if (!this.columns) throw new AppError('validation_failed', 'The CSV is empty: the first line must be the header row');
    this.finishGroup();
  }

  private readHeader(record: TCsvRecord): void {
    const names = record.fields.map((field) => field.trim().toLowerCase());
    const unknown = names.filter((name) => !CSV_COLUMNS.includes(name));
    const missing = CSV_REQUIRED_COLUMNS.filter((name) => !names.includes(name));
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    const problems = [
      unknown.length > 0 && `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`,
      missing.length > 0 && `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      repeated.length > 0 && `repeated column${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')}`,
    ].filter(Boolean);
    if (problems.length > 0) {
      throw new AppError('validation_failed', `Line ${record.line}: the CSV header has ${problems.join('; ')}. Known columns: ${CSV_COLUMNS.join(', ')}`, {
        line: record.line,
        unknownColumns: unknown,
        missingColumns: missing,
      });
    }
    this.columns = new Map(names.map((name, i) => [name as TCsvColumn, i]));
    this.headerWidth = names.length;
  }

  private startGroup(key: string, line: number, value: (column: TCsvColumn) => string): TCsvGroup {
    const index = this.collector.startEstimate(line);
    const group: TCsvGroup = { key, line, index, first: new Map(CSV_ESTIMATE_COLUMNS.map((c) => [c, value(c)])), materials: [], materialLines: [] };
    const seenAt = this.seenKeys.get(key);
    if (key === '') group.problem = { line, reason: 'the estimate column is empty: every row names the estimate it belongs to' };
    else if (seenAt !== undefined) {
      group.problem = { line, reason: `estimate "${key}" already appeared on line ${seenAt}: the rows of one estimate must be consecutive` };
    } else this.seenKeys.set(key, line);
    return group;
  }

  private fail(line: number, reason: string): void {
    const group = this.group!;
    group.problem = { line, reason: `line ${line}: ${reason}` };
    group.materials = [];
    group.materialLines = [];
  }

  private finishGroup(): void {
    const group = this.group;
    this.group = null;
    if (!group) return;
    const estimate = group.key === '' ? group.index : group.key;
    if (group.problem) return this.collector.reject(group.problem.line, estimate, group.problem.reason);
    const first = (column: TCsvColumn) => group.first.get(column) ?? '';
    const parsed = readNumbers(['labor_rate_cents', 'labor_hours', 'equipment_rate_cents', 'equipment_hours', 'total_cost_cents'], first);
    if ('problem' in parsed) return this.collector.reject(group.line, estimate, `line ${group.line}: ${parsed.problem}`);
    const numbers = parsed.values;
    const input = {
      project: first('project'),
      name: first('name'),
      location: { country: first('country'), region: first('region'), city: first('city') },
      materials: group.materials,
      laborRateCents: numbers.labor_rate_cents,
      laborHours: numbers.labor_hours,
      equipmentRateCents: numbers.equipment_rate_cents,
      equipmentHours: numbers.equipment_hours,
      currency: first('currency'),
      sourceFileId: first('source_file_id') || undefined,
      totalCostCents: numbers.total_cost_cents,
    };
    this.collector.validate(input, group.line, estimate, (issue) =>
      issue.path[0] === 'materials' && typeof issue.path[1] === 'number' ? (group.materialLines[issue.path[1]] ?? group.line) : group.line,
    );
  }
}

/** Skips a UTF-8 byte order mark at the start of the body, even one split across chunks. */
async function* withoutBom(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const BOM = [0xef, 0xbb, 0xbf];
  let head: Uint8Array | null = new Uint8Array(0);
  for await (const chunk of chunks) {
    if (!head) {
      yield chunk;
      continue;
    }
    const joined: Uint8Array = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const isPrefix = joined.subarray(0, 3).every((byte, i) => byte === BOM[i]);
    if (isPrefix && joined.length < 3) {
      head = joined;
      continue;
    }
    head = null;
    yield isPrefix ? joined.subarray(3) : joined;
  }
  if (head && head.length > 0) yield head;
}

/** Reads and validates the whole body, keeping only the validated inputs and the rejections. */
async function readEstimateImport(body: AsyncIterable<Uint8Array>, format: TImportFormat): Promise<ImportCollector> {
  const collector = new ImportCollector();
  let parser: TRecordParser;
  if (format === 'csv') {
    const grouper = new CsvEstimateGrouper(collector);
    const csv = new CsvRecordParser((record) => grouper.onRecord(record), MAX_IMPORT_RECORD_BYTES);
    parser = {
      write: (chunk) => csv.write(chunk),
      end: () => {
        csv.end();
        grouper.end();
      },
    };
  } else {
    parser = format === 'json' ? new JsonArrayParser(collector) : new JsonLinesParser(collector);
  }
  for await (const chunk of withoutBom(body)) parser.write(chunk);
  parser.end();
  return collector;
}

/** Accepted inputs whose source file is not one of the tenant's (RLS): rejected like any invalid row. */
async function rejectForeignFiles(tx: TTx, collector: ImportCollector): Promise<Set<number>> {
  if (collector.sourceFileIndexes.length === 0) return new Set();
  const wanted = [...new Set(collector.sourceFileIndexes.map((i) => collector.inputs[i].sourceFileId!))];
  const own = new Set<string>();
  for (let i = 0; i < wanted.length; i += 5_000) {
    const rows = await tx.select({ id: files.id }).from(files).where(inArray(files.id, wanted.slice(i, i + 5_000)));
    for (const row of rows) own.add(row.id);
  }
  const foreign = new Set<number>();
  for (const index of collector.sourceFileIndexes) {
    const fileId = collector.inputs[index].sourceFileId!;
    if (own.has(fileId)) continue;
    foreign.add(index);
    const ref = collector.inputRefs[index];
    collector.reject(ref.line, ref.estimate, `sourceFileId: no file ${fileId} in this organisation`);
  }
  return foreign;
}

/** skip_invalid over the plan's cap: the storable inputs after the first `room` are rejected, naming the cap. */
function rejectBeyondCap(collector: ImportCollector, foreign: Set<number>, room: number, allowance: TEstimateAllowance): void {
  const n = (value: number) => value.toLocaleString('en-US');
  const reason =
    `over the plan's limit of ${n(allowance.limit)} estimates (${n(allowance.used)} were stored before this import, ` +
    `so only its first ${n(room)} valid estimates were stored)`;
  let kept = 0;
  for (let i = 0; i < collector.inputs.length; i++) {
    if (foreign.has(i)) continue;
    if (kept < room) kept++;
    else collector.reject(collector.inputRefs[i].line, collector.inputRefs[i].estimate, reason);
  }
}

/**
 * Reads, validates and (unless all_or_nothing found a rejection) stores the estimates of an import body. The
 * accepted ones are written in one transaction: a failure midway leaves nothing behind.
 */
/**
 * Hooks into the import's one write transaction, for Idempotency-Key (lib/api): `claim` runs first and may answer
 * an earlier import's report instead (nothing is written); `record` runs last with this import's report, so the
 * answer commits with the estimates. Imports that never open the transaction (every row invalid) claim nothing:
 * a retry is refused the same way anyway.
 */
export interface TImportWriteHooks {
  claim(tx: TTx): Promise<TImportReport | undefined>;
  record(tx: TTx, report: TImportReport): Promise<void>;
}

export async function importEstimates(
  inTenant: <T>(fn: (tx: TTx) => Promise<T>) => Promise<T>,
  author: TEstimateAuthor,
  body: AsyncIterable<Uint8Array>,
  options: { mode: TImportMode; format: TImportFormat; hooks?: TImportWriteHooks },
): Promise<TImportReport & { isReplay?: boolean }> {
  const collector = await readEstimateImport(body, options.format);
  const canWrite = collector.inputs.length > 0 && (options.mode === 'skip_invalid' || collector.rejected.length === 0);
  // Counted now: the write takes the inputs out of the collector as it goes.
  const validCount = collector.inputs.length;
  const reportOf = (estimateIds: string[] | null, refusedCount: number): TImportReport => ({
    mode: options.mode,
    format: options.format,
    rows: collector.rows,
    accepted: estimateIds ? estimateIds.length : validCount - refusedCount,
    // Sorted when reported: the write transaction may add rows refused for another tenant's file or the plan's cap.
    rejected: collector.rejected.sort((a, b) => a.line - b.line),
    committed: estimateIds !== null,
    ...(estimateIds && estimateIds.length <= MAX_REPORTED_ESTIMATE_IDS && { estimateIds }),
  });
  if (!canWrite) return reportOf(null, 0);
  return inTenant(async (tx) => {
    const replayed = await options.hooks?.claim(tx);
    if (replayed) return { ...replayed, isReplay: true };
    const foreign = await rejectForeignFiles(tx, collector);
    const pending = foreign.size > 0 ? collector.inputs.filter((_, i) => !foreign.has(i)) : collector.inputs;
    let refusedCount = foreign.size;
    const isRefused = foreign.size > 0 && options.mode === 'all_or_nothing';
    if (!isRefused && pending.length > 0) {
      // The plan's cap: all_or_nothing stores none (429, the claimed key rolls back with it); skip_invalid stores
      // the first estimates up to the cap and reports the others as rejected.
      const allowance = await lockEstimateAllowance(tx, author.tenantId);
      const room = allowance ? Math.max(0, allowance.limit - allowance.used) : pending.length;
      if (allowance && pending.length > room) {
        if (options.mode === 'all_or_nothing') throw estimateCapExceeded(allowance, pending.length);
        rejectBeyondCap(collector, foreign, room, allowance);
        refusedCount += pending.length - room;
        pending.length = room;
      }
    }
    if (isRefused || pending.length === 0) {
      // Nothing written, but the key was claimed: its answer is this report (a retry gets the same refusal).
      const refused = reportOf(null, refusedCount);
      await options.hooks?.record(tx, refused);
      return refused;
    }
    // Slices of one transaction: each slice's inputs (and the rows writeEstimates returns) are let go once
    // written, so the peak is the validated inputs alone, not those plus 50,000 stored rows.
    const ids: string[] = [];
    while (pending.length > 0) {
      const written = await writeEstimates(tx, author, pending.splice(0, WRITE_SLICE_ROWS));
      for (const estimate of written) ids.push(estimate.id);
    }
    const report = reportOf(ids, refusedCount);
    await options.hooks?.record(tx, report);
    return report;
  });
}
