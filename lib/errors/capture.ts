import 'server-only';
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { inArray } from 'drizzle-orm';
import { tenants } from '@/db/schema/tenancy';
import type { TErrorSource } from '@/db/schema/errors';
import { processWide } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';
import { config } from '@/lib/config';
import { platformDb, tenantSlugFromHost, withPlatform, withTenant } from '@/lib/tenancy';
import { fingerprintError, type TErrorShape } from './fingerprint';
import { currentRelease } from './release';
import { storeErrorEvents, type TErrorEventRow } from './store';

export interface TErrorCapture {
  source: TErrorSource;
  /** What was thrown: an Error, or anything else. */
  error?: unknown;
  /** An error already described elsewhere (a browser's report); used instead of `error`. */
  reported?: TErrorShape;
  tenantId?: string | null;
  /** The tenant a Host named, when its id is not known: resolved at flush time, off the request path. */
  tenantSlug?: string | null;
  /** The request's Host, read for a tenant slug when neither tenantId nor tenantSlug is given. */
  host?: string | null;
  /** Route template, page path, action or job name. */
  route?: string | null;
  method?: string | null;
  status?: number | null;
  requestId?: string | null;
  traceId?: string | null;
  userAgent?: string | null;
  /** `user:<id>` or `key:<id>` of the caller, when known (users affected, concentration by caller). */
  userKey?: string | null;
  metadata?: Record<string, unknown>;
  occurredAt?: Date;
}

interface TBufferedError {
  id: string;
  tenantId: string | null;
  tenantSlug: string | null;
  occurredAt: Date;
  source: TErrorSource;
  shape: TErrorShape;
  route: string | null;
  method: string | null;
  status: number | null;
  requestId: string | null;
  traceId: string | null;
  userAgent: string | null;
  userKey: string | null;
  metadata: Record<string, unknown>;
}

export interface TErrorFlushResult {
  written: number;
  /** Events whose write failed, kept for the next flush. */
  kept: number;
  /** The oldest beyond the buffer's bound, and those a constraint refuses (a tenant deleted meanwhile). */
  dropped: number;
}

const FLUSH_INTERVAL_MS = 1000;
const FLUSH_AT_EVENTS = 200;
/** While the database is unreachable the buffer keeps at most this many errors, dropping the oldest. */
const MAX_BUFFERED_ERRORS = 10_000;
const MAX_EVENTS_PER_STATEMENT = 500;
const MAX_MESSAGE_CHARS = 4000;
const MAX_STACK_CHARS = 16_000;
const MAX_FIELD_CHARS = 512;
const NO_TRACE = /^0+$/;

interface TCaptureState {
  buffer: TBufferedError[];
  droppedSinceFlush: number;
  flushing: Promise<TErrorFlushResult> | null;
  flushTimer: NodeJS.Timeout | undefined;
}

// One buffer per process, shared by every route bundle and by instrumentation (see lib/runtime).
const state: TCaptureState = processWide('error-capture', () => ({ buffer: [], droppedSinceFlush: 0, flushing: null, flushTimer: undefined }));

// PostgreSQL text and jsonb cannot hold NUL: one such message would fail its whole batch on every retry.
const clip = (text: string | null | undefined, maxChars: number): string | null =>
  text === null || text === undefined ? null : String(text).slice(0, maxChars).replace(/\u0000/g, '');

/** Metadata as plain JSON (no cycles, no NUL), or nothing. */
function plainMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  try {
    return JSON.parse(JSON.stringify(metadata).replace(/\\u0000/g, '')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Type, message and stack of anything thrown. */
export function describeThrown(thrown: unknown): TErrorShape {
  if (thrown instanceof Error) {
    const constructorName = thrown.constructor?.name;
    const type =
      thrown.name && thrown.name !== 'Error'
        ? thrown.name
        : constructorName && constructorName !== 'Error' && constructorName !== 'Object'
          ? constructorName
          : 'Error';
    return { type, message: String(thrown.message ?? ''), stack: thrown.stack ?? null };
  }
  if (typeof thrown === 'object' && thrown !== null && typeof (thrown as { message?: unknown }).message === 'string') {
    const like = thrown as { name?: unknown; message: string; stack?: unknown };
    return { type: typeof like.name === 'string' && like.name ? like.name : 'Error', message: like.message, stack: typeof like.stack === 'string' ? like.stack : null };
  }
  let message: string;
  try {
    message = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown));
  } catch {
    message = String(thrown);
  }
  return { type: 'NonError', message, stack: null };
}

/**
 * Records an error: an in-memory push (no database round trip on the failing request's path), written in batches
 * by the flusher every second or when FLUSH_AT_EVENTS wait. Never throws into its caller.
 */
export function captureError(input: TErrorCapture): void {
  try {
    const shape = input.reported ?? describeThrown(input.error);
    const traceId = input.traceId ?? trace.getActiveSpan()?.spanContext().traceId ?? null;
    if (state.buffer.length >= MAX_BUFFERED_ERRORS) {
      state.buffer.shift();
      state.droppedSinceFlush += 1;
    }
    state.buffer.push({
      id: randomUUID(),
      tenantId: input.tenantId ?? null,
      tenantSlug: input.tenantId ? null : (input.tenantSlug ?? tenantSlugFromHost(input.host, config().APP_DOMAIN)),
      occurredAt: input.occurredAt ?? new Date(),
      source: input.source,
      shape: {
        type: clip(shape.type, MAX_FIELD_CHARS) || 'Error',
        message: clip(shape.message, MAX_MESSAGE_CHARS) ?? '',
        stack: clip(shape.stack, MAX_STACK_CHARS),
      },
      route: clip(input.route, MAX_FIELD_CHARS),
      method: clip(input.method, 16),
      status: input.status ?? null,
      requestId: clip(input.requestId, 128),
      traceId: traceId && !NO_TRACE.test(traceId) ? traceId : null,
      userAgent: clip(input.userAgent, MAX_FIELD_CHARS),
      userKey: clip(input.userKey, 128),
      metadata: plainMetadata(input.metadata),
    });
    if (state.buffer.length >= FLUSH_AT_EVENTS && !state.flushing) void flushErrors();
  } catch (err) {
    // Error capture is best effort: it must never turn one failure into another.
    logger.warn({ err }, 'error capture failed');
  }
}

/**
 * PostgreSQL class 22 (data exception: a value the column cannot hold) or 23 (integrity constraint violation, e.g.
 * a tenant deleted meanwhile), possibly wrapped by drizzle: no retry could write these.
 */
function isUnwritable(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: unknown } | null;
  if (typeof e?.code === 'string' && (e.code.startsWith('22') || e.code.startsWith('23'))) return true;
  return e?.cause ? isUnwritable(e.cause) : false;
}

/** Slugs named by Hosts → tenant ids, in one platform query per flush. Unknown slugs stay the platform's. */
async function resolveSlugs(taken: TBufferedError[]): Promise<void> {
  const slugs = [...new Set(taken.filter((e) => !e.tenantId && e.tenantSlug).map((e) => e.tenantSlug!))];
  if (slugs.length === 0) return;
  const rows = await platformDb().select({ id: tenants.id, slug: tenants.slug }).from(tenants).where(inArray(tenants.slug, slugs));
  const idOf = new Map(rows.map((row) => [row.slug, row.id]));
  for (const event of taken) {
    if (event.tenantId || !event.tenantSlug) continue;
    event.tenantId = idOf.get(event.tenantSlug) ?? null;
    if (!event.tenantId) event.metadata = { ...event.metadata, tenantSlug: event.tenantSlug };
    event.tenantSlug = null;
  }
}

function toRow(event: TBufferedError, release: string | null, projectRoot: string): TErrorEventRow {
  const { fingerprint, title, culprit } = fingerprintError(event.shape, projectRoot);
  return {
    id: event.id,
    fingerprint,
    title,
    culprit,
    errorType: event.shape.type,
    occurredAt: event.occurredAt,
    source: event.source,
    route: event.route,
    method: event.method,
    status: event.status,
    message: event.shape.message,
    stack: event.shape.stack ?? null,
    requestId: event.requestId,
    traceId: event.traceId,
    release,
    userAgent: event.userAgent,
    userKey: event.userKey,
    metadata: event.metadata,
  };
}

async function flushOnce(): Promise<TErrorFlushResult> {
  const taken = state.buffer;
  state.buffer = [];
  let dropped = state.droppedSinceFlush;
  state.droppedSinceFlush = 0;
  if (dropped > 0) logger.warn({ dropped }, 'error buffer full: dropped the oldest errors');
  if (taken.length === 0) return { written: 0, kept: 0, dropped };

  const failed: TBufferedError[] = [];
  let written = 0;
  try {
    await resolveSlugs(taken);
  } catch (err) {
    logger.warn({ err, events: taken.length }, 'error flush could not resolve tenants: keeping the errors for the next flush');
    state.buffer = [...taken, ...state.buffer];
    return { written: 0, kept: taken.length, dropped };
  }
  const release = currentRelease();
  const projectRoot = process.cwd();
  const byTenant = new Map<string | null, TBufferedError[]>();
  for (const event of taken) {
    const events = byTenant.get(event.tenantId) ?? [];
    events.push(event);
    byTenant.set(event.tenantId, events);
  }
  for (const [tenantId, events] of byTenant) {
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_STATEMENT) {
      const chunk = events.slice(i, i + MAX_EVENTS_PER_STATEMENT);
      try {
        const rows = chunk.map((event) => toRow(event, release, projectRoot));
        // A tenant's errors go through withTenant like any request (row-level security checks every row); the
        // platform's (no tenant) through the owning role.
        const result = tenantId
          ? await withTenant(tenantId, (tx) => storeErrorEvents(tx, tenantId, rows))
          : await withPlatform((tx) => storeErrorEvents(tx, null, rows));
        written += chunk.length;
        if (result.regressions > 0) logger.warn({ tenantId, regressions: result.regressions }, 'resolved errors occurred again');
      } catch (err) {
        if (isUnwritable(err)) {
          logger.error({ err, tenantId, dropped: chunk.length }, 'error flush refused by the database (data or constraint): dropping the errors');
          dropped += chunk.length;
          continue;
        }
        logger.warn({ err, tenantId, events: chunk.length }, 'error flush failed: keeping the errors for the next flush');
        failed.push(...chunk);
      }
    }
  }
  let kept = failed.length;
  if (failed.length > 0) {
    state.buffer = [...failed, ...state.buffer];
    const excess = state.buffer.length - MAX_BUFFERED_ERRORS;
    if (excess > 0) {
      state.buffer.splice(0, excess);
      dropped += excess;
      kept = Math.max(0, kept - excess);
      logger.warn({ dropped: excess }, 'error buffer full: dropped the oldest errors');
    }
  }
  return { written, kept, dropped };
}

/**
 * Writes the buffered errors, per tenant. One flush at a time: a call while another runs waits for it and then
 * flushes what arrived meanwhile. Never throws; failed writes stay buffered.
 */
export function flushErrors(): Promise<TErrorFlushResult> {
  const safeFlush = () =>
    flushOnce().catch((err: unknown) => {
      logger.warn({ err }, 'error flush failed');
      return { written: 0, kept: state.buffer.length, dropped: 0 };
    });
  const next = (state.flushing ?? Promise.resolve()).then(safeFlush, safeFlush);
  state.flushing = next;
  void next.finally(() => {
    if (state.flushing === next) state.flushing = null;
  });
  return next;
}

/** Flushes every second (server processes); keeps running on a stop signal, like the usage flusher. */
export function startErrorFlusher(): void {
  if (state.flushTimer) return;
  state.flushTimer = setInterval(() => {
    if (state.buffer.length > 0 && !state.flushing) void flushErrors();
  }, FLUSH_INTERVAL_MS);
  state.flushTimer.unref();
}

/** How many errors wait in this process's buffer. */
export function bufferedErrorCount(): number {
  return state.buffer.length;
}
