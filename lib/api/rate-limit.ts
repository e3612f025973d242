import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '@/lib/app-error';

/**
 * Per-caller request rate, counted in process memory so it costs no database round trip. Plan-specific
 * limits replace the default when billing lands; the headers follow the IETF RateLimit draft.
 */
export const DEFAULT_REQUESTS_PER_MINUTE = 1_200;

const limiter = new RateLimiterMemory({ points: DEFAULT_REQUESTS_PER_MINUTE, duration: 60 });

function headersOf(res: RateLimiterRes): Record<string, string> {
  return {
    'RateLimit-Limit': String(DEFAULT_REQUESTS_PER_MINUTE),
    'RateLimit-Remaining': String(Math.max(0, res.remainingPoints)),
    'RateLimit-Reset': String(Math.ceil(res.msBeforeNext / 1000)),
  };
}

/** Counts one request for `key`; returns the RateLimit headers, or throws 429 with Retry-After. */
export async function consumeRequest(key: string): Promise<Record<string, string>> {
  try {
    return headersOf(await limiter.consume(key));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.ceil(rejection.msBeforeNext / 1000);
    throw new AppError(
      'rate_limited',
      `Rate limit of ${DEFAULT_REQUESTS_PER_MINUTE} requests per minute reached; retry in ${retryAfterSeconds} s`,
      { limit: DEFAULT_REQUESTS_PER_MINUTE, retryAfterSeconds },
      { ...headersOf(rejection), 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
