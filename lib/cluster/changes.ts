import 'server-only';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { TTx } from '@/db/client';
import { closeWithDb } from '@/db/client';
import { config } from '@/lib/config';
import { processWide } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';

/**
 * Tells every process that something it may have cached changed: a plan, or a tenant's quota. The notice goes
 * over PostgreSQL's NOTIFY, in the transaction that makes the change: PostgreSQL delivers it only if that
 * transaction commits, and only after, so no process can re-read the old value after hearing of the new one, and
 * a rolled-back change tells nobody. It needs no server besides the database, so a second process on a laptop
 * hears it as well as a replica in a cluster. Each process keeps one connection listening; when that connection
 * is lost it may have missed notices, so on reconnecting every cache is dropped.
 */
/**
 * 'plans': a plan was edited (announced by the code that edits it). 'tenant': a tenant's row, one of its API keys or
 * one of its memberships changed, keyed by the tenant's id (announced by triggers, migration 0028, whoever changes them).
 */
export type TChangeTopic = 'plans' | 'tenant';

const CHANNEL = 'sitework_changes';
const RECONNECT_DELAY_MS = 1_000;

type TChangeHandler = (key: string | null) => void;

interface TListenerState {
  handlers: Map<TChangeTopic, Set<TChangeHandler>>;
  sql?: postgres.Sql;
  isListening: boolean;
  /** False from a lost connection until it listens again. */
  isConnected: boolean;
  isStopping: boolean;
  retryTimer?: NodeJS.Timeout;
}

const state = processWide<TListenerState>('change-listener', () => ({ handlers: new Map(), isListening: false, isConnected: false, isStopping: false }));

/**
 * Whether this process hears every change now. A cache that must never serve what changed elsewhere caches only
 * while this holds (lib/cluster/cache.ts): before the listener is up, and between a lost connection and the
 * reconnect, notices can be missed.
 */
export function isHearingChanges(): boolean {
  return state.isListening && state.isConnected;
}

/** Announces a change in `tx`: delivered to every process (this one included) when `tx` commits. */
export async function announceChange(tx: TTx, topic: TChangeTopic, key: string | null = null): Promise<void> {
  await tx.execute(sql`select pg_notify(${CHANNEL}, ${JSON.stringify({ topic, key })})`);
}

/** Calls `handler` whenever `topic` changes; `key` null means "anything under this topic" (also after a reconnect). */
export function onChange(topic: TChangeTopic, handler: TChangeHandler): void {
  const handlers = state.handlers.get(topic) ?? new Set();
  handlers.add(handler);
  state.handlers.set(topic, handlers);
}

function dispatch(topic: TChangeTopic, key: string | null): void {
  for (const handler of state.handlers.get(topic) ?? []) {
    try {
      handler(key);
    } catch (error) {
      logger.error({ err: error, topic, key }, 'a change handler failed');
    }
  }
}

function dispatchAll(): void {
  for (const topic of state.handlers.keys()) dispatch(topic, null);
}

function onNotify(channel: string, payload: string): void {
  if (channel !== CHANNEL) return;
  try {
    const { topic, key } = JSON.parse(payload) as { topic: TChangeTopic; key: string | null };
    dispatch(topic, key);
  } catch (error) {
    logger.warn({ err: error, payload }, 'ignored a malformed change notice');
  }
}

async function listen(): Promise<void> {
  if (state.isStopping || !state.sql) return;
  try {
    await state.sql`listen sitework_changes`;
    const isReconnect = state.isListening;
    state.isListening = true;
    // Notices sent while no connection listened are lost: forget what they could have been about.
    if (isReconnect) dispatchAll();
    state.isConnected = true;
  } catch (error) {
    logger.warn({ err: error }, 'could not listen for changes: retrying');
    scheduleListen();
  }
}

function scheduleListen(): void {
  if (state.isStopping || state.retryTimer) return;
  state.retryTimer = setTimeout(() => {
    state.retryTimer = undefined;
    void listen();
  }, RECONNECT_DELAY_MS);
  state.retryTimer.unref();
}

/** Opens this process's listening connection (once; later calls do nothing). */
export async function startChangeListener(): Promise<void> {
  if (state.sql) return;
  state.isStopping = false;
  // One connection that never idles out or retires (0 = no timer): each reconnect would drop every cache.
  const options = {
    max: 1,
    idle_timeout: 0,
    max_lifetime: 0,
    fetch_types: false,
    onnotice: () => {},
    onclose: () => {
      state.isConnected = false;
      if (!state.isStopping) scheduleListen();
    },
    // postgres.js's own listen() uses this option but re-listens only once after a lost connection: we retry until back.
    onnotify: onNotify,
  };
  state.sql = postgres(config().DATABASE_APP_URL, options);
  closeWithDb(stopChangeListener);
  await listen();
}

export async function stopChangeListener(): Promise<void> {
  state.isStopping = true;
  clearTimeout(state.retryTimer);
  state.retryTimer = undefined;
  const current = state.sql;
  state.sql = undefined;
  state.isListening = false;
  state.isConnected = false;
  await current?.end({ timeout: 1 });
}
