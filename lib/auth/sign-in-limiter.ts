import 'server-only';
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { closeWithDb } from '@/db/client';
import { config } from '@/lib/config';
import { logger } from '@/lib/telemetry';
import { AppError } from '@/lib/app-error';

/**
 * Sign-in attempts are limited per account and per IP, counted in Postgres so every app process shares the
 * count. A successful sign-in clears the account's counter.
 */
let limiters: { byAccount: RateLimiterPostgres; byIp: RateLimiterPostgres } | undefined;

function getLimiters() {
  if (limiters) return limiters;
  const { DATABASE_URL, SIGNIN_MAX_ATTEMPTS, SIGNIN_WINDOW_SECONDS } = config();
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err }, 'sign-in limiter connection lost'));
  closeWithDb(async () => {
    limiters = undefined;
    await pool.end();
  });
  const common = { storeClient: pool, storeType: 'pg', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
  limiters = {
    byAccount: new RateLimiterPostgres({ ...common, keyPrefix: 'signin_account', points: SIGNIN_MAX_ATTEMPTS, duration: SIGNIN_WINDOW_SECONDS }),
    // An IP gets more room than one account: offices share an address.
    byIp: new RateLimiterPostgres({ ...common, keyPrefix: 'signin_ip', points: SIGNIN_MAX_ATTEMPTS * 4, duration: SIGNIN_WINDOW_SECONDS }),
  };
  return limiters;
}

function tooMany(res: RateLimiterRes): AppError {
  const minutes = Math.max(1, Math.ceil(res.msBeforeNext / 60_000));
  return new AppError(
    'rate_limited',
    `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    undefined,
    { 'Retry-After': String(Math.ceil(res.msBeforeNext / 1000)) },
  );
}

/** Throws rate_limited when the account or the IP has used up its attempts in the window. */
export async function assertSignInAllowed(email: string, ip: string): Promise<void> {
  const { byAccount, byIp } = getLimiters();
  const [account, address] = await Promise.all([byAccount.get(email.toLowerCase()), byIp.get(ip)]);
  for (const [res, limiter] of [[account, byAccount], [address, byIp]] as const) {
    if (res && res.consumedPoints >= limiter.points) throw tooMany(res);
  }
}

export async function recordFailedSignIn(email: string, ip: string): Promise<void> {
  const { byAccount, byIp } = getLimiters();
  await Promise.all([
    byAccount.consume(email.toLowerCase()).catch((r) => r),
    byIp.consume(ip).catch((r) => r),
  ]);
}

export async function clearSignInFailures(email: string): Promise<void> {
  await getLimiters().byAccount.delete(email.toLowerCase());
}
