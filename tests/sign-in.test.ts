import { verify } from '@node-rs/argon2';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { DEMO_PASSWORD, seedDemoData } from '@/db/seed';
import { authorizeCredentials, createHandoffToken, findUserById, prunePasswordAttempts } from '@/lib/auth';
import { JOB_DEFINITIONS, PASSWORD_ATTEMPTS_RETENTION_JOB } from '@/lib/jobs';
import { demoUsers, type TDemo } from './support/http';
import { addMember } from './support/state';

// The real argon2, watched: how many password checks a burst of attempts gets through to.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...actual, verify: vi.fn(actual.verify) };
});

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

afterEach(() => {
  vi.useRealTimers();
});

const on = (host: string, address = '203.0.113.7', extra: Record<string, string> = {}) => ({ host, 'x-sitework-client-address': address, ...extra });
let addressesUsed = 0;
/** A client address no other attempt of this file came from. */
const freshAddress = () => {
  addressesUsed += 1;
  return `10.77.${Math.floor(addressesUsed / 250)}.${(addressesUsed % 250) + 1}`;
};
const signIn = (email: string, password: string, address: string, host = 'localhost:3000') =>
  authorizeCredentials({ email, password }, on(host, address)).then(
    (user) => ({ ok: true as const, user, message: '' }),
    (error: Error) => ({ ok: false as const, user: null, message: error.message }),
  );
const waitOf = (message: string): number => {
  const match = /Try again in (\d+) (second|minute)s?\./.exec(message);
  if (!match) throw new Error(`no wait in "${message}"`);
  return Number(match[1]) * (match[2] === 'minute' ? 60 : 1);
};

async function newAccount(label: string) {
  const password = `${label}-password-1`;
  const member = await addMember(demo.acme.id, 'viewer', { password });
  return { ...member, password };
}

describe('credentials sign-in', () => {
  it('signs a member in on the apex and on their tenant portal, and records the sign-in', async () => {
    const apex = await authorizeCredentials({ email: 'owner@acme.test', password: DEMO_PASSWORD }, on('localhost:3000'));
    expect(apex.id).toBe(demo.acme.owner.id);
    const portal = await authorizeCredentials({ email: 'OWNER@acme.test ', password: DEMO_PASSWORD }, on('acme.localhost:3000'));
    expect(portal.id).toBe(demo.acme.owner.id);
    const [row] = await ownerDb().execute<{ last: Date | null }>(sql`select last_sign_in_at as last from users where id = ${apex.id}`);
    expect(row.last).not.toBeNull();
  });

  it('refuses a wrong password with a message that does not say whether the account exists', async () => {
    await expect(
      authorizeCredentials({ email: 'admin@acme.test', password: 'not-the-password' }, on('localhost:3000', '198.51.100.1')),
    ).rejects.toThrow('Wrong email or password.');
    await expect(
      authorizeCredentials({ email: 'nobody@acme.test', password: 'not-the-password' }, on('localhost:3000', '198.51.100.1')),
    ).rejects.toThrow('Wrong email or password.');
  });

  it('refuses a member of another tenant on this tenant portal', async () => {
    await expect(
      authorizeCredentials({ email: 'owner@acme.test', password: DEMO_PASSWORD }, on('globex.localhost:3000')),
    ).rejects.toThrow('This account is not a member of Globex Engineering.');
  });

  it('accepts a handoff token only on the tenant it was made for and only while fresh', async () => {
    const user = (await findUserById(demo.acme.admin.id))!;
    const token = createHandoffToken(user.id, 'acme');
    await expect(authorizeCredentials({ handoff: token }, on('globex.localhost:3000'))).rejects.toThrow(/expired/);
    await expect(authorizeCredentials({ handoff: token }, on('acme.localhost:3000'))).resolves.toMatchObject({ id: user.id });
    await expect(authorizeCredentials({ handoff: `${token}x` }, on('acme.localhost:3000'))).rejects.toThrow(/expired/);
    await expect(authorizeCredentials({ handoff: token }, on('localhost:3000'))).rejects.toThrow(/expired/);

    vi.useFakeTimers({ now: Date.now() - 61_000, toFake: ['Date'] });
    const stale = createHandoffToken(user.id, 'acme');
    vi.useRealTimers();
    await expect(authorizeCredentials({ handoff: stale }, on('acme.localhost:3000'))).rejects.toThrow(/expired/);
  });

  it('accepts a handoff token once: a replay of the same token is refused, also when two uses race', async () => {
    const user = (await findUserById(demo.acme.editor.id))!;
    const token = createHandoffToken(user.id, 'acme');
    await expect(authorizeCredentials({ handoff: token }, on('acme.localhost:3000'))).resolves.toMatchObject({ id: user.id });
    await expect(authorizeCredentials({ handoff: token }, on('acme.localhost:3000'))).rejects.toThrow(/already used/);

    const raced = createHandoffToken(user.id, 'acme');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => authorizeCredentials({ handoff: raced }, on('acme.localhost:3000'))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('forgets the ids of used handoff tokens once they would have expired anyway', async () => {
    await ownerDb().execute(sql`insert into handoff_redemptions (jti, expires_at) values ('long-expired', now() - interval '1 minute')`);
    await authorizeCredentials({ handoff: createHandoffToken(demo.acme.viewer.id, 'acme') }, on('acme.localhost:3000'));
    expect(await ownerDb().execute(sql`select 1 from handoff_redemptions where jti = 'long-expired'`)).toHaveLength(0);
  });

});

describe('password guessing, per account', () => {
  it('makes an account wait 30 seconds after five wrong passwords, whatever the address, and says so', async () => {
    const account = await newAccount('five');
    for (let i = 0; i < 5; i += 1) {
      expect((await signIn(account.email, `wrong-${i}`, freshAddress())).message).toBe('Wrong email or password.');
    }
    // Even the right password waits now, from a fresh address.
    const refused = await signIn(account.email, account.password, freshAddress());
    expect(refused.message).toMatch(/^Too many wrong passwords for this account\. Try again in (29|30) seconds\.$/);
  });

  it('lets at most five of 20 wrong passwords sent at once reach the password check', async () => {
    const account = await newAccount('burst');
    const [{ hash }] = await ownerDb().execute<{ hash: string }>(sql`select password_hash as hash from users where id = ${account.id}`);
    vi.mocked(verify).mockClear();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(account.email, `wrong-${i}`, freshAddress())));
    const checks = vi.mocked(verify).mock.calls.filter(([checked]) => checked === hash).length;
    expect(checks).toBe(5);
    expect(outcomes.filter((o) => o.message === 'Wrong email or password.')).toHaveLength(5);
    expect(outcomes.filter((o) => o.message.startsWith('Too many wrong passwords for this account.'))).toHaveLength(15);
  });

  it('doubles the wait with every further wrong password up to 15 minutes, and lets the owner in once it is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const account = await newAccount('doubling');
    for (let i = 0; i < 5; i += 1) await signIn(account.email, `wrong-${i}`, freshAddress());
    const waits: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const wait = waitOf((await signIn(account.email, 'still-wrong', freshAddress())).message);
      waits.push(wait);
      vi.setSystemTime(Date.now() + wait * 1000 + 1000);
      // The wait is over: this attempt is checked (and wrong), and sets the next, longer wait.
      expect((await signIn(account.email, `wrong-again-${i}`, freshAddress())).message).toBe('Wrong email or password.');
    }
    expect(waits.map((seconds) => Math.round(seconds / 30) * 30)).toEqual([30, 60, 120, 240, 480, 900, 900]);
    vi.setSystemTime(Date.now() + 15 * 60_000 + 1000);
    expect((await signIn(account.email, account.password, freshAddress())).ok).toBe(true);
    // A right password clears the count: the next wrong one is checked at once.
    expect((await signIn(account.email, 'wrong-after', freshAddress())).message).toBe('Wrong email or password.');
  });

  it('never keeps an account waiting longer than 15 minutes, however often an attacker tries', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const account = await newAccount('hammered');
    let longestSeconds = 0;
    let checked = 0;
    // Two hours of one attempt every 30 seconds, each from a new address.
    for (let elapsed = 0; elapsed < 2 * 3600; elapsed += 30) {
      const outcome = await signIn(account.email, 'a-guess-of-the-password', freshAddress());
      if (outcome.message === 'Wrong email or password.') checked += 1;
      else longestSeconds = Math.max(longestSeconds, waitOf(outcome.message));
      vi.setSystemTime(Date.now() + 30_000);
    }
    expect(longestSeconds).toBeLessThanOrEqual(15 * 60);
    // Five free, then about one an interval: the guesses an attacker gets in two hours.
    expect(checked).toBeLessThan(20);
    vi.setSystemTime(Date.now() + 15 * 60_000);
    expect((await signIn(account.email, account.password, freshAddress())).ok).toBe(true);
  });

  it('keeps the owner signing in from a network they used before while an attacker elsewhere makes the account wait', async () => {
    const account = await newAccount('known-network');
    const home = '198.51.100.200';
    expect((await signIn(account.email, account.password, home)).ok).toBe(true);
    for (let i = 0; i < 8; i += 1) await signIn(account.email, `attacker-${i}`, freshAddress());
    expect((await signIn(account.email, account.password, freshAddress())).message).toMatch(/^Too many wrong passwords for this account\./);
    expect((await signIn(account.email, account.password, home)).ok).toBe(true);
  });
});

describe('password guessing, per client', () => {
  it('limits one address to 20 attempts in 15 minutes across accounts, and says when to come back', async () => {
    const address = '198.51.100.99';
    for (let i = 0; i < 20; i += 1) {
      expect((await signIn(`guess${i}@example.com`, 'x-wrong-password', address)).message).toBe('Wrong email or password.');
    }
    const refused = await signIn('viewer@acme.test', DEMO_PASSWORD, address);
    expect(refused.message).toMatch(/^Too many password attempts from your network\. Try again in 15 minutes\.$/);
    expect((await signIn('viewer@acme.test', DEMO_PASSWORD, '198.51.100.98')).ok).toBe(true);
  });

  it('gives no new attempts for a forged X-Forwarded-For: only the address our server saw counts', async () => {
    const address = '198.51.100.120';
    for (let i = 0; i < 20; i += 1) {
      const forged = on('localhost:3000', address, { 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-real-ip': `203.0.113.${i + 100}` });
      await authorizeCredentials({ email: `forged${i}@example.com`, password: 'x-wrong-password' }, forged).catch(() => null);
    }
    const forged = on('localhost:3000', address, { 'x-forwarded-for': '192.0.2.250' });
    await expect(authorizeCredentials({ email: 'viewer@acme.test', password: DEMO_PASSWORD }, forged)).rejects.toThrow(
      /Too many password attempts from your network/,
    );
  });

  it('counts an IPv6 /64 as one network', async () => {
    for (let i = 0; i < 20; i += 1) await signIn(`v6-${i}@example.com`, 'x-wrong-password', `2001:db8:77:1::${(i + 1).toString(16)}`);
    expect((await signIn('viewer@acme.test', DEMO_PASSWORD, '2001:db8:77:1:ffff::1')).message).toMatch(/from your network/);
    expect((await signIn('viewer@acme.test', DEMO_PASSWORD, '2001:db8:77:2::1')).ok).toBe(true);
  });

  it('gives a right password its attempt back, so an office signing in together is not refused', async () => {
    const office = '198.51.100.150';
    for (let i = 0; i < 25; i += 1) {
      expect((await signIn(demo.globex.editor.email, DEMO_PASSWORD, office)).ok).toBe(true);
    }
  });
});

describe('password attempt counters', () => {
  it('are deleted by an hourly job once their time is over, while those still counting stay', async () => {
    expect(JOB_DEFINITIONS.find((definition) => definition.name === PASSWORD_ATTEMPTS_RETENTION_JOB)).toMatchObject({ cron: '47 * * * *' });
    const account = await newAccount('pruned');
    await signIn(account.email, 'wrong-today', freshAddress());
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 25 * 3600_000);
    await signIn(account.email, 'wrong-tomorrow', freshAddress());

    const { deleted } = await prunePasswordAttempts();
    expect(deleted).toBeGreaterThanOrEqual(2);
    const [counters] = await ownerDb().execute<{ expired: number; live: number }>(sql`
      select count(*) filter (where expire <= ${Date.now()}::bigint)::int as expired,
        count(*) filter (where expire > ${Date.now()}::bigint)::int as live
      from rate_limits`);
    expect(counters).toEqual({ expired: 0, live: expect.any(Number) });
    expect(counters.live).toBeGreaterThanOrEqual(2);
  });
});
