import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '@/lib/app-error';
import { sharedRedis } from '@/lib/cluster';
import { processWide } from '@/lib/runtime';

/**
 * Per-caller request rate, never a database round trip: with REDIS_URL counted in Redis, shared by every process
 * (one atomic command per request), else in this process's memory. The limit is the tenant's plan's
 * requests_per_minute; this default applies when a caller has no plan. The headers follow the IETF RateLimit draft.
 */
export const DEFAULT_REQUESTS_PER_MINUTE = 1_200;

// rate-limiter-flexible fixes `points` per instance: one limiter per distinct limit (a handful of plans).
// Per process, not per route bundle (lib/runtime): otherwise every route would count its own minute.
const limiters = processWide('rate-limiters', () => new Map<number, RateLimiterAbstract>());

// In Redis every limit shares one key per caller: a plan's new limit applies to the minute already counted.
const REDIS_KEY_PREFIX = 'sitework:rate';

function limiterFor(requestsPerMinute: number): RateLimiterAbstract {
  let limiter = limiters.get(requestsPerMinute);
  if (!limiter) {
    const inMemory = new RateLimiterMemory({ points: requestsPerMinute, duration: 60 });
    const redis = sharedRedis();
    // While Redis is unreachable each process counts alone (the insurance limiter) rather than refusing everyone.
    limiter = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points: requestsPerMinute,
          duration: 60,
          keyPrefix: REDIS_KEY_PREFIX,
          rejectIfRedisNotReady: true,
          insuranceLimiter: inMemory,
        })
      : inMemory;
    limiters.set(requestsPerMinute, limiter);
  }
  return limiter;
}

function headersOf(res: RateLimiterRes, requestsPerMinute: number): Record<string, string> {
  return {
    'RateLimit-Limit': String(requestsPerMinute),
    'RateLimit-Remaining': String(Math.max(0, res.remainingPoints)),
    'RateLimit-Reset': String(Math.ceil(res.msBeforeNext / 1000)),
  };
}

/** Counts one request for `key`; returns the RateLimit headers, or throws 429 with Retry-After. */
export async function consumeRequest(
  key: string,
  requestsPerMinute: number = DEFAULT_REQUESTS_PER_MINUTE,
): Promise<Record<string, string>> {
  try {
    return headersOf(await limiterFor(requestsPerMinute).consume(key), requestsPerMinute);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.ceil(rejection.msBeforeNext / 1000);
    throw new AppError(
      'rate_limited',
      `Rate limit of ${requestsPerMinute} requests per minute reached; retry in ${retryAfterSeconds} s`,
      { limit: requestsPerMinute, retryAfterSeconds },
      { ...headersOf(rejection, requestsPerMinute), 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
