import 'server-only';
import { clientNetworkOf, UNKNOWN_CLIENT_ADDRESS } from '@/lib/client-address';
import { processWide } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';
import { withPlatform } from '@/lib/tenancy';
import { recordAudit, type TAuditEvent } from './record';

/**
 * Failures anyone can cause without credentials (wrong passwords, forged webhook signatures) are recorded so that
 * nobody can fill a chain with them. Per chain, action and client network, the first failure of a minute is
 * recorded at once, as it happened; the rest of that minute become one row carrying their count, written when the
 * minute is over. At most MAX_NETWORKS_PER_MINUTE networks per chain and action get rows of their own in a minute;
 * failures from any further networks share one counted row.
 *
 * Counted in process memory: each process writes its own rows (so at most twice MAX_NETWORKS_PER_MINUTE + 1 rows
 * per chain, action, minute and process). A process killed without a chance to flush loses the counts of its open
 * minutes; the first failure of each is already recorded.
 */
const WINDOW_MS = 60_000;
const MAX_NETWORKS_PER_MINUTE = 20;
const MAX_ACTORS_NAMED = 10;
const FLUSH_INTERVAL_MS = 10_000;
const OTHER_NETWORKS = '*';

interface TFailureWindow {
  startedAtMs: number;
  /** The first failure: what the count row repeats (type, action, actor type, target). */
  first: TAuditEvent;
  /** null: the window of networks beyond MAX_NETWORKS_PER_MINUTE. */
  ip: string | null;
  repeated: number;
  lastAtMs: number;
  isSameTarget: boolean;
  reasons: Record<string, number>;
  actors: Set<string>;
  networks: Set<string>;
}

interface TFailureState {
  windows: Map<string, TFailureWindow>;
  /** Per chain and action: the minute's start and how many networks got a window of their own in it. */
  minutes: Map<string, { startedAtMs: number; networks: number }>;
  flushTimer: NodeJS.Timeout | undefined;
}

// One count per process, shared by every route bundle (lib/runtime).
const state = processWide<TFailureState>('audit-repeated-failures', () => ({ windows: new Map(), minutes: new Map(), flushTimer: undefined }));

async function write(event: TAuditEvent): Promise<void> {
  try {
    await withPlatform((tx) => recordAudit(tx, event));
  } catch (error) {
    logger.error({ err: error, action: event.action }, 'could not record a failure in the audit log');
  }
}

function countRowOf(window: TFailureWindow): TAuditEvent {
  const { first } = window;
  return {
    tenantId: first.tenantId,
    type: first.type,
    action: first.action,
    outcome: 'failure',
    actor: { type: first.actor.type, id: null, name: window.ip === null ? `${window.repeated} from other addresses` : `${window.repeated} more from this address` },
    target: window.isSameTarget ? first.target : null,
    ip: window.ip,
    occurredAt: new Date(window.lastAtMs),
    metadata: {
      repeated: window.repeated,
      windowStart: new Date(window.startedAtMs).toISOString(),
      windowEnd: new Date(window.startedAtMs + WINDOW_MS).toISOString(),
      reasons: window.reasons,
      actors: [...window.actors],
      ...(window.ip === null && { networks: window.networks.size }),
    },
  };
}

function count(window: TFailureWindow, event: TAuditEvent, network: string, nowMs: number): void {
  window.repeated += 1;
  window.lastAtMs = nowMs;
  if ((event.target?.id ?? null) !== (window.first.target?.id ?? null)) window.isSameTarget = false;
  const reason = typeof event.metadata?.reason === 'string' ? event.metadata.reason : 'unspecified';
  window.reasons[reason] = (window.reasons[reason] ?? 0) + 1;
  if (window.actors.size < MAX_ACTORS_NAMED) window.actors.add(event.actor.name);
  if (window.ip === null && window.networks.size < 10_000) window.networks.add(network);
}

/** A window still open at `nowMs`; an ended one is taken out, its count row added to `rows` to write. */
function openWindow(key: string, nowMs: number, rows: TAuditEvent[]): TFailureWindow | undefined {
  const window = state.windows.get(key);
  if (!window || nowMs - window.startedAtMs < WINDOW_MS) return window;
  state.windows.delete(key);
  if (window.repeated > 0) rows.push(countRowOf(window));
  return undefined;
}

/**
 * Records a failure (in the chain of `event.tenantId`, null for the platform's), or counts it when one like it from
 * the same client network was recorded in this minute. Decides synchronously, so failures arriving together are
 * counted, not each recorded. Never throws.
 */
export async function recordRepeatedFailure(event: TAuditEvent): Promise<void> {
  const nowMs = Date.now();
  const rows: TAuditEvent[] = [];
  const chain = `${event.tenantId ?? 'platform'}|${event.action}`;
  const network = clientNetworkOf(event.ip ?? UNKNOWN_CLIENT_ADDRESS);
  const ownKey = `${chain}|${network}`;
  const own = openWindow(ownKey, nowMs, rows);
  if (own) {
    count(own, event, network, nowMs);
  } else {
    let minute = state.minutes.get(chain);
    if (!minute || nowMs - minute.startedAtMs >= WINDOW_MS) {
      minute = { startedAtMs: nowMs, networks: 0 };
      state.minutes.set(chain, minute);
    }
    const fresh = { startedAtMs: nowMs, first: event, repeated: 0, lastAtMs: nowMs, isSameTarget: true, reasons: {}, actors: new Set<string>(), networks: new Set<string>() };
    if (minute.networks < MAX_NETWORKS_PER_MINUTE) {
      minute.networks += 1;
      state.windows.set(ownKey, { ...fresh, ip: event.ip ?? null });
      rows.push(event);
    } else {
      const othersKey = `${chain}|${OTHER_NETWORKS}`;
      let others = openWindow(othersKey, nowMs, rows);
      if (!others) {
        others = { ...fresh, ip: null };
        state.windows.set(othersKey, others);
      }
      count(others, event, network, nowMs);
    }
  }
  for (const row of rows) await write(row);
}

/** Writes the count rows of the minutes that are over (all of them with `all`, on shutdown). */
export async function flushRepeatedFailures(options: { all?: boolean; nowMs?: number } = {}): Promise<{ written: number }> {
  const nowMs = options.nowMs ?? Date.now();
  const ended: TFailureWindow[] = [];
  for (const [key, window] of state.windows) {
    if (!options.all && nowMs - window.startedAtMs < WINDOW_MS) continue;
    state.windows.delete(key);
    if (window.repeated > 0) ended.push(window);
  }
  for (const [chain, minute] of state.minutes) {
    if (options.all || nowMs - minute.startedAtMs >= WINDOW_MS) state.minutes.delete(chain);
  }
  for (const window of ended) await write(countRowOf(window));
  return { written: ended.length };
}

export function startRepeatedFailureFlusher(): void {
  if (state.flushTimer) return;
  state.flushTimer = setInterval(() => {
    if (state.windows.size > 0) void flushRepeatedFailures();
  }, FLUSH_INTERVAL_MS);
  state.flushTimer.unref();
}
