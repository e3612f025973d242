import 'server-only';
import { processWide } from '@/lib/runtime';
import { randomUUID } from 'node:crypto';
import { logger } from '@/lib/telemetry';
import { withTenant } from '@/lib/tenancy';
import { recordUsageEvents, type TUsageEvent } from './record';

export interface TApiCall {
  tenantId: string;
  /** The route template, e.g. /api/v1/files/{id}. */
  route: string;
  method: string;
  status: number;
  occurredAt: Date;
}

export interface TFlushResult {
  written: number;
  /** Events whose write failed, kept for the next flush. */
  kept: number;
  /**
   * Events given up on: the oldest beyond the buffer's bound, and those a constraint refuses (a deleted
   * tenant), which no retry could write.
   */
  dropped: number;
}

interface TBufferedCall extends TUsageEvent {
  tenantId: string;
}

const FLUSH_INTERVAL_MS = 1000;
const FLUSH_AT_EVENTS = 1000;
/** While the database is unreachable the buffer keeps at most this many events, dropping the oldest. */
const MAX_BUFFERED_EVENTS = 100_000;
const MAX_EVENTS_PER_STATEMENT = 1000;

interface TMeterState {
  buffer: TBufferedCall[];
  droppedSinceFlush: number;
  flushing: Promise<TFlushResult> | null;
  flushTimer: NodeJS.Timeout | undefined;
}

// One state per process, not per module instance: Next bundles instrumentation (which starts the flusher and
// flushes on stop signals) and the route handlers (which meter) separately, each with its own copy of this module.
const meter: TMeterState = processWide('usage-meter', () => ({ buffer: [], droppedSinceFlush: 0, flushing: null, flushTimer: undefined }));

function buffer(event: TBufferedCall): void {
  if (meter.buffer.length >= MAX_BUFFERED_EVENTS) {
    meter.buffer.shift();
    meter.droppedSinceFlush += 1;
  }
  meter.buffer.push(event);
  if (meter.buffer.length >= FLUSH_AT_EVENTS && !meter.flushing) void flushUsage();
}

/**
 * Counts one API call: an in-memory push, no database round trip on the request path. The event gets its id
 * here, so a flush retried after an unknown outcome cannot count it twice.
 */
export function meterApiCall(call: TApiCall): void {
  buffer({
    id: randomUUID(),
    tenantId: call.tenantId,
    type: 'api_call',
    quantity: 1,
    route: call.route,
    method: call.method,
    status: call.status,
    occurredAt: call.occurredAt,
  });
}

/** Counts a product event (a cost-estimate search…) the same way: buffered, flushed with the API calls. */
export function meterUsageEvent(event: { tenantId: string; type: Exclude<TUsageEvent['type'], 'api_call'>; quantity: number; metadata?: Record<string, unknown> }): void {
  buffer({ id: randomUUID(), occurredAt: new Date(), ...event });
}

/** PostgreSQL class 23 (integrity constraint violation), possibly wrapped by drizzle. */
function isIntegrityViolation(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('23')) return true;
  return e?.cause ? isIntegrityViolation(e.cause) : false;
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

async function flushOnce(): Promise<TFlushResult> {
  const taken = meter.buffer;
  meter.buffer = [];
  let dropped = meter.droppedSinceFlush;
  meter.droppedSinceFlush = 0;
  if (dropped > 0) logger.warn({ dropped }, 'usage buffer full: dropped the oldest api_call events');

  const byTenant = new Map<string, TBufferedCall[]>();
  for (const event of taken) {
    const events = byTenant.get(event.tenantId) ?? [];
    events.push(event);
    byTenant.set(event.tenantId, events);
  }
  let written = 0;
  const failed: TBufferedCall[] = [];
  for (const [tenantId, events] of byTenant) {
    for (const chunk of chunksOf(events, MAX_EVENTS_PER_STATEMENT)) {
      try {
        // Through withTenant like any request: row-level security checks every row.
        await withTenant(tenantId, (tx) => recordUsageEvents(tx, tenantId, chunk));
        written += chunk.length;
      } catch (err) {
        if (isIntegrityViolation(err)) {
          // E.g. the tenant was deleted meanwhile: retrying cannot succeed, and would block the buffer forever.
          logger.error({ err, tenantId, dropped: chunk.length }, 'usage flush refused by a constraint: dropping the events');
          dropped += chunk.length;
          continue;
        }
        logger.warn({ err, tenantId, events: chunk.length }, 'usage flush failed: keeping the events for the next flush');
        failed.push(...chunk);
      }
    }
  }
  let kept = failed.length;
  if (failed.length > 0) {
    // The failed events are older than anything buffered meanwhile: they go first, and the oldest go if full.
    meter.buffer = [...failed, ...meter.buffer];
    const excess = meter.buffer.length - MAX_BUFFERED_EVENTS;
    if (excess > 0) {
      meter.buffer.splice(0, excess);
      dropped += excess;
      kept = Math.max(0, kept - excess);
      logger.warn({ dropped: excess }, 'usage buffer full: dropped the oldest api_call events');
    }
  }
  return { written, kept, dropped };
}

/**
 * Writes the buffered API calls, grouped by tenant. One flush at a time: a call while another runs waits
 * for it and then flushes what arrived meanwhile. Never throws; failed events stay buffered.
 */
export function flushUsage(): Promise<TFlushResult> {
  const next = (meter.flushing ?? Promise.resolve()).then(flushOnce, flushOnce);
  meter.flushing = next;
  void next.finally(() => {
    if (meter.flushing === next) meter.flushing = null;
  });
  return next;
}

/**
 * Flushes every second (server processes). When the process stops, lib/server-start flushes what is left once the
 * last request has finished.
 */
export function startUsageFlusher(): void {
  if (meter.flushTimer) return;
  meter.flushTimer = setInterval(() => {
    if (meter.buffer.length > 0 && !meter.flushing) void flushUsage();
  }, FLUSH_INTERVAL_MS);
  meter.flushTimer.unref();
}

/** How many API calls wait in this process's buffer. */
export function bufferedUsageCount(): number {
  return meter.buffer.length;
}
