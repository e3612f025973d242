import 'server-only';
import { Redis } from 'ioredis';
import { config } from '@/lib/config';
import { processWide } from '@/lib/runtime';
import { logger } from '@/lib/telemetry';

const ERROR_LOG_INTERVAL_MS = 60_000;

interface TRedisState {
  client?: Redis | null;
  lastErrorLoggedAtMs: number;
}

const state = processWide<TRedisState>('redis', () => ({ lastErrorLoggedAtMs: 0 }));

/**
 * This process's connection to REDIS_URL, or null when none is configured. Commands fail at once while the
 * connection is down (no offline queue), so a Redis outage never holds a request: callers fall back to counting
 * in process memory. ioredis reconnects by itself.
 */
export function sharedRedis(): Redis | null {
  if (state.client !== undefined) return state.client;
  const url = config().REDIS_URL;
  if (!url) return (state.client = null);
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 1_000 });
  client.on('error', (error: unknown) => {
    const nowMs = Date.now();
    if (nowMs - state.lastErrorLoggedAtMs < ERROR_LOG_INTERVAL_MS) return;
    state.lastErrorLoggedAtMs = nowMs;
    logger.warn({ err: error }, 'Redis unavailable: rate limits are counted per process until it is back');
  });
  return (state.client = client);
}

/**
 * Connects at start-up, so the first requests are counted in Redis too (until it is ready they would fall back to
 * this process's memory). An unreachable Redis does not stop the start: the process counts alone meanwhile.
 */
export async function connectSharedRedis(timeoutMs = 5_000): Promise<void> {
  const client = sharedRedis();
  if (!client || client.status === 'ready') return;
  const isReady = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!isReady) logger.warn({ timeoutMs }, 'Redis not reachable at start: rate limits are counted per process until it is');
}

export async function closeSharedRedis(): Promise<void> {
  const client = state.client;
  state.client = undefined;
  await client?.quit().catch(() => client.disconnect());
}
