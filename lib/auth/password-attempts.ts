import 'server-only';
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '@/lib/app-error';
import { clientNetworkOf, UNKNOWN_CLIENT_ADDRESS } from '@/lib/client-address';
import { config } from '@/lib/config';
import { platformDb } from '@/lib/tenancy';

/**
 * Every check of a password someone could be guessing (signing in, accepting an invitation with an existing
 * account) is admitted here first, and counted before the password is verified: of N attempts sent at once, only
 * those the counts allow reach argon2.
 *
 * - Per client network (an IPv4 address, an IPv6 /64; never a header the client chose): at most
 *   SIGNIN_CLIENT_MAX_ATTEMPTS attempts per SIGNIN_WINDOW_SECONDS. Refused attempts count too; a right password
 *   gives its attempt back, so an office signing in together is not refused.
 * - Per account: SIGNIN_MAX_ATTEMPTS wrong passwords, then a wait before each next attempt, 30 s doubling with every
 *   further failure up to SIGNIN_BACKOFF_MAX_SECONDS. Attempts refused while waiting are not counted, so however
 *   hard an account is hammered its wait never exceeds that cap; nothing locks it for good. A right password clears
 *   the count; failures are forgotten a day after the last one.
 * - A network the account signed in from in the last 30 days has a count of its own, so an attacker elsewhere,
 *   spending one guess whenever the wait ends, cannot keep the owner out of their usual network.
 *
 * Counts live in PostgreSQL (rate_limits), shared by every process. Each is one atomic upsert whose WHERE refuses
 * when the count is spent: concurrent attempts take turns on the row, and each sees the others' counts.
 */
const FIRST_WAIT_MS = 30_000;
const FAILURES_KEPT_MS = 24 * 60 * 60_000;
const KNOWN_NETWORK_KEPT_MS = 30 * 24 * 60 * 60_000;

export interface TPasswordAttempt {
  /** The password was right: clears the count the attempt was admitted under and gives the client its attempt back. */
  succeeded(): Promise<void>;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function refusal(reason: string, retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    'rate_limited',
    `${reason} Try again in ${waitText(retryAfterMs)}.`,
    { retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** The wait owed after `failures` counted failures, in milliseconds (SQL over the counter's row). */
function waitMsOf(failures: SQL): SQL {
  const { SIGNIN_MAX_ATTEMPTS: free, SIGNIN_BACKOFF_MAX_SECONDS: maxSeconds } = config();
  return sql`(case when ${failures} < ${free}::int then 0::float8
    else least(${maxSeconds * 1000}::float8, ${FIRST_WAIT_MS}::float8 * power(2::float8, least(${failures} - ${free}::int, 30))) end)`;
}

type TCounted = { admitted: boolean; retry_ms: number };

/** One attempt of a client network in its fixed window; also tells whether the account knows the network. */
async function countClientAttempt(clientKey: string, knownKey: string, nowMs: number): Promise<TCounted & { known: boolean }> {
  const { SIGNIN_CLIENT_MAX_ATTEMPTS: limit, SIGNIN_WINDOW_SECONDS: windowSeconds } = config();
  const windowEndMs = nowMs + windowSeconds * 1000;
  const [row] = await platformDb().execute<TCounted & { known: boolean }>(sql`
    with attempt as (
      insert into rate_limits as r (key, points, expire) values (${clientKey}, 1, ${windowEndMs}::bigint)
      on conflict (key) do update set
        points = case when r.expire <= ${nowMs}::bigint then 1 else r.points + 1 end,
        expire = case when r.expire <= ${nowMs}::bigint then ${windowEndMs}::bigint else r.expire end
      where r.expire <= ${nowMs}::bigint or r.points < ${limit}::int
      returning 1
    )
    select exists (select 1 from attempt) as admitted,
      coalesce((select (expire - ${nowMs}::bigint)::float8 from rate_limits where key = ${clientKey}), 0) as retry_ms,
      exists (select 1 from rate_limits where key = ${knownKey} and expire > ${nowMs}::bigint) as known`);
  return row;
}

/** One attempt on an account's back-off counter: admitted once the wait owed for its failures so far is over. */
async function countAccountAttempt(accountKey: string, nowMs: number): Promise<TCounted> {
  // expire = the last counted attempt + FAILURES_KEPT_MS, so the last attempt's time is expire - FAILURES_KEPT_MS.
  const keptUntilMs = nowMs + FAILURES_KEPT_MS;
  const [row] = await platformDb().execute<TCounted>(sql`
    with attempt as (
      insert into rate_limits as r (key, points, expire) values (${accountKey}, 1, ${keptUntilMs}::bigint)
      on conflict (key) do update set
        points = case when r.expire <= ${nowMs}::bigint then 1 else r.points + 1 end,
        expire = ${keptUntilMs}::bigint
      where r.expire <= ${nowMs}::bigint
        or r.expire - ${FAILURES_KEPT_MS}::bigint + ${waitMsOf(sql`r.points`)} <= ${nowMs}::bigint
      returning 1
    )
    select exists (select 1 from attempt) as admitted,
      coalesce((select r.expire - ${FAILURES_KEPT_MS}::bigint + ${waitMsOf(sql`r.points`)} - ${nowMs}::bigint
        from rate_limits r where r.key = ${accountKey}), 0)::float8 as retry_ms`);
  return row;
}

/**
 * Admits one password check for `account` (an email) from `clientAddress`, counting it before the password is
 * verified. Throws 429 rate_limited with Retry-After and a message saying when to try again.
 */
export async function admitPasswordAttempt(account: string, clientAddress: string): Promise<TPasswordAttempt> {
  const nowMs = Date.now();
  const accountId = digest(account.trim().toLowerCase());
  const network = clientNetworkOf(clientAddress);
  const clientKey = `password_client:${network}`;
  const knownKey = `password_known:${accountId}:${digest(network)}`;

  const client = await countClientAttempt(clientKey, knownKey, nowMs);
  if (!client.admitted) throw refusal('Too many password attempts from your network.', client.retry_ms);
  const isKnownNetwork = client.known && network !== UNKNOWN_CLIENT_ADDRESS;
  const accountKey = isKnownNetwork ? `password_account:${accountId}:${digest(network)}` : `password_account:${accountId}`;
  const attempt = await countAccountAttempt(accountKey, nowMs);
  if (!attempt.admitted) throw refusal('Too many wrong passwords for this account.', attempt.retry_ms);

  return {
    async succeeded() {
      const now = Date.now();
      const remember =
        network === UNKNOWN_CLIENT_ADDRESS
          ? sql`select 1`
          : sql`insert into rate_limits (key, points, expire) values (${knownKey}, 0, ${now + KNOWN_NETWORK_KEPT_MS}::bigint)
              on conflict (key) do update set expire = excluded.expire`;
      await platformDb().execute(sql`
        with forgotten as (delete from rate_limits where key = ${accountKey}),
          given_back as (update rate_limits set points = greatest(points - 1, 0) where key = ${clientKey} and expire > ${now}::bigint)
        ${remember}`);
    },
  };
}

/** Deletes counters whose time is over (hourly job): an expired one counts as nothing anyway. */
export async function prunePasswordAttempts(): Promise<{ deleted: number }> {
  const rows = await platformDb().execute<{ key: string }>(sql`delete from rate_limits where expire <= ${Date.now()}::bigint returning key`);
  return { deleted: rows.length };
}
