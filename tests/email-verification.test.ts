import { createHash, randomBytes } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { signUpRequests, users } from '@/db/schema/auth';
import { emailOutbox } from '@/db/schema/mail';
import { tenants } from '@/db/schema/tenancy';
import { seedDemoData } from '@/db/seed';
import { authorizeCredentials, previewConfirmation, previewInvitation, redeemHandoffToken, requestSignUp, resendConfirmation } from '@/lib/auth';
// Server actions are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import { signUpAction } from '../app/(site)/sign-up/actions';
import { confirmEmailAction, resendConfirmationAction } from '../app/(site)/verify-email/actions';
import { callRoute, demoUsers, expectError, type TDemo } from './support/http';
import { routes } from './support/routes';
import { createTestTenant, invite, membershipOf, uniqueEmail, userByEmail } from './support/state';

/**
 * Server actions read the request from next/headers, which exists only inside a Next request: here it is what our
 * server would pass for a browser on the apex, with a client address of the test's choosing.
 */
const request = vi.hoisted(() => ({ clientAddress: '203.0.113.1' }));
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ host: 'localhost:3000', origin: 'http://localhost:3000', 'x-sitework-client-address': request.clientAddress }),
}));

let demo: TDemo;
let clientCounter = 0;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

// Each test comes from its own client address, so the per-client limit of one test does not reach the next.
beforeEach(() => {
  clientCounter += 1;
  request.clientAddress = `198.51.100.${clientCounter}`;
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const slugOf = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;
const PASSWORD = 'my-own-long-password';

const mailsTo = (address: string) =>
  ownerDb().select().from(emailOutbox).where(eq(emailOutbox.toAddress, address)).orderBy(asc(emailOutbox.createdAt));

async function lastMailTo(address: string) {
  const mails = await mailsTo(address);
  return mails[mails.length - 1];
}

/** The token of the confirmation link in a mail's text. */
function tokenIn(text: string): string {
  const match = /http:\/\/localhost:3000\/verify-email\?token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!match) throw new Error(`no confirmation link in: ${text}`);
  return decodeURIComponent(match[1]);
}

function signUpInput(overrides: Partial<{ email: string; slug: string; password: string }> = {}) {
  return {
    name: 'Sam Signer',
    email: overrides.email ?? uniqueEmail('signer'),
    password: overrides.password ?? PASSWORD,
    organisationName: 'Signer Builders',
    slug: overrides.slug ?? slugOf('signer'),
  };
}

/** A sign-up through the page's action; returns its input and the token mailed for it. */
async function signUp(overrides: Parameters<typeof signUpInput>[0] = {}) {
  const input = signUpInput(overrides);
  expect(await signUpAction(input)).toEqual({ ok: true, data: { email: input.email } });
  return { input, token: tokenIn((await lastMailTo(input.email)).bodyText) };
}

const tenantBySlug = async (slug: string) => (await ownerDb().select().from(tenants).where(eq(tenants.slug, slug)))[0] ?? null;
const requestOf = async (email: string) => (await ownerDb().select().from(signUpRequests).where(eq(signUpRequests.email, email)))[0] ?? null;
const verifiedAtOf = async (email: string) =>
  (await ownerDb().select({ at: users.emailVerifiedAt }).from(users).where(eq(users.email, email)))[0]?.at ?? null;

function accept(body: { token: string; name?: string; password: string }) {
  return callRoute(routes.acceptInvitation.POST, { method: 'POST', path: '/api/v1/invitations/accept', body });
}

describe('signing up', () => {
  it('creates nothing but a request, mails a link to the address, and stores the password and the token only as hashes', async () => {
    const input = signUpInput();
    expect(await signUpAction(input)).toEqual({ ok: true, data: { email: input.email } });

    expect(await userByEmail(input.email)).toBeNull();
    expect(await tenantBySlug(input.slug)).toBeNull();
    const [mail] = await mailsTo(input.email);
    expect(mail).toMatchObject({ tenantId: null, subject: 'Confirm your Sitework sign-up', sentAt: null });
    expect(mail.bodyText).toContain(`${input.slug}.localhost:3000`);
    const token = tokenIn(mail.bodyText);

    const stored = (await requestOf(input.email))!;
    expect(stored).toMatchObject({ name: input.name, organisationName: input.organisationName, slug: input.slug, tokenHash: sha256(token) });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    expect(JSON.stringify(stored)).not.toContain(token);
    const hoursLeft = (stored.expiresAt.getTime() - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23.9);
    expect(hoursLeft).toBeLessThanOrEqual(24);
  });

  it('answers an address that already has an account exactly as any other, mails it a note to sign in instead, and creates nothing', async () => {
    const input = signUpInput({ email: demo.acme.viewer.email });
    const answer = await signUpAction(input);
    expect(answer).toEqual({ ok: true, data: { email: demo.acme.viewer.email } });

    const mail = await lastMailTo(demo.acme.viewer.email);
    expect(mail.subject).toBe('You already have a Sitework account');
    expect(mail.bodyText).toContain('http://localhost:3000/sign-in');
    expect(mail.bodyText).not.toContain('/verify-email');
    expect(await requestOf(demo.acme.viewer.email)).toBeNull();
    expect(await tenantBySlug(input.slug)).toBeNull();
  });

  it('refuses a taken slug at once with 409 naming slug, and mails nothing', async () => {
    const input = signUpInput({ slug: 'globex' });
    expect(await signUpAction(input)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: 'The slug "globex" is already taken', fields: [{ field: 'slug' }] },
    });
    expect(await mailsTo(input.email)).toEqual([]);
    expect(await requestOf(input.email)).toBeNull();
  });

  it('replaces an earlier sign-up of the same address: only the newest link works', async () => {
    const email = uniqueEmail('twice');
    const first = await signUp({ email });
    const second = await signUp({ email });
    expect(await previewConfirmation(first.token)).toBeNull();
    expect(await previewConfirmation(second.token)).toEqual({
      kind: 'sign_up',
      email,
      organisationName: 'Signer Builders',
      slug: second.input.slug,
    });
    expect(await confirmEmailAction({ token: first.token, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('limits the mails one address can be sent to 5 an hour, counted alike whether or not it has an account (429, Retry-After)', async () => {
    for (const email of [uniqueEmail('flooded'), demo.globex.viewer.email]) {
      for (let i = 0; i < 5; i += 1) await requestSignUp(signUpInput({ email }), { clientAddress: `192.0.2.${i + 1}` });
      await expect(requestSignUp(signUpInput({ email }), { clientAddress: '192.0.2.99' })).rejects.toMatchObject({
        code: 'rate_limited',
        message: expect.stringMatching(/Too many confirmation mails asked for\. Try again in 60 minutes\./),
        headers: { 'Retry-After': expect.stringMatching(/^3[0-9]{3}$/) },
      });
      await expect(resendConfirmation(email, { clientAddress: '192.0.2.98' })).rejects.toMatchObject({ code: 'rate_limited' });
      expect(await mailsTo(email)).toHaveLength(5);
    }
  });

  it('limits one client address to 30 such requests an hour across addresses', async () => {
    const clientAddress = '192.0.2.200';
    for (let i = 0; i < 30; i += 1) await resendConfirmation(uniqueEmail(`spray${i}`), { clientAddress });
    await expect(resendConfirmation(uniqueEmail('spray-last'), { clientAddress })).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(resendConfirmation(uniqueEmail('elsewhere'), { clientAddress: '192.0.2.201' })).resolves.toBeUndefined();
  });
});

describe('confirming a sign-up', () => {
  it('creates the verified account, the organisation and its owner, answers a sign-in link to the portal, and the link then stops working', async () => {
    const { input, token } = await signUp();
    const confirmed = await confirmEmailAction({ token, password: PASSWORD });
    expect(confirmed).toMatchObject({ ok: true, data: { email: input.email } });
    if (!confirmed.ok) return;

    const user = (await userByEmail(input.email))!;
    expect(user).toMatchObject({ name: input.name, isPlatformAdmin: false });
    expect(await verifiedAtOf(input.email)).toBeInstanceOf(Date);
    const tenant = (await tenantBySlug(input.slug))!;
    expect(tenant).toMatchObject({ name: input.organisationName, plan: 'free', isActive: true });
    expect(await membershipOf(tenant.id, user.id)).toBe('owner');
    expect(await requestOf(input.email)).toBeNull();

    const signIn = new URL(confirmed.data.url);
    expect(signIn.host).toBe(`${input.slug}.localhost:3000`);
    expect(await redeemHandoffToken(signIn.searchParams.get('handoff')!, input.slug)).toBe(user.id);
    await expect(
      authorizeCredentials({ email: input.email, password: PASSWORD }, { host: 'localhost:3000', 'x-forwarded-for': '198.51.100.250' }),
    ).resolves.toMatchObject({ id: user.id });

    expect(await confirmEmailAction({ token, password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const [{ count }] = await ownerDb().execute<{ count: number }>(sql`select count(*)::int as count from users where email = ${input.email}`);
    expect(count).toBe(1);
  });

  it('creates one account and one organisation when the same link is confirmed twice at once', async () => {
    const { input, token } = await signUp();
    const outcomes = await Promise.all([confirmEmailAction({ token, password: PASSWORD }), confirmEmailAction({ token, password: PASSWORD })]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const [{ count }] = await ownerDb().execute<{ count: number }>(sql`select count(*)::int as count from users where email = ${input.email}`);
    expect(count).toBe(1);
    expect(await tenantBySlug(input.slug)).not.toBeNull();
  });

  it('refuses a wrong password with 401 naming password and creating nothing; a link takes 5 tries in its lifetime, then 429', async () => {
    const { input, token } = await signUp();
    for (let i = 0; i < 5; i += 1) {
      expect(await confirmEmailAction({ token, password: `not-the-password-${i}` })).toMatchObject({
        ok: false,
        error: { code: 'unauthorized', fields: [{ field: 'password' }] },
      });
    }
    // The account's own back-off (as for signing in) answers first...
    expect(await confirmEmailAction({ token, password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', message: expect.stringMatching(/Too many wrong passwords for this account/) },
    });
    // ...and once its wait is over, the link itself has no tries left.
    vi.useFakeTimers({ now: Date.now() + 5 * 60_000, toFake: ['Date'] });
    try {
      expect(await confirmEmailAction({ token, password: PASSWORD })).toMatchObject({
        ok: false,
        error: { code: 'rate_limited', message: expect.stringMatching(/Too many passwords tried with this link/) },
      });
    } finally {
      vi.useRealTimers();
    }
    expect(await userByEmail(input.email)).toBeNull();
    expect(await tenantBySlug(input.slug)).toBeNull();
  });

  it('refuses an expired link with 410 and creates nothing; the page shows it as not valid', async () => {
    const { input, token } = await signUp();
    await ownerDb().update(signUpRequests).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(signUpRequests.email, input.email));
    expect(await previewConfirmation(token)).toBeNull();
    expect(await confirmEmailAction({ token, password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'gone', message: expect.stringMatching(/expired\. Sign up again/) },
    });
    expect(await userByEmail(input.email)).toBeNull();
  });

  it('refuses with 409 naming slug when the slug was taken since the sign-up, creating no account and keeping the request', async () => {
    const { input, token } = await signUp();
    const other = await createTestTenant('other');
    await ownerDb().update(tenants).set({ slug: input.slug }).where(eq(tenants.id, other.id));
    expect(await confirmEmailAction({ token, password: PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/was taken since you signed up/), fields: [{ field: 'slug' }] },
    });
    expect(await userByEmail(input.email)).toBeNull();
    expect(await requestOf(input.email)).not.toBeNull();
  });

  it('answers 404 for a token that names nothing', async () => {
    expect(await confirmEmailAction({ token: 'x'.repeat(43), password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('accounts made by accepting an invitation', () => {
  it('are unverified and mailed a confirmation link; they cannot accept another invitation until confirmed with their password', async () => {
    const email = uniqueEmail('invitee');
    const first = await invite(demo.acme, email, 'editor');
    expect((await accept({ token: first.token, name: 'Ivy Invitee', password: PASSWORD })).status).toBe(200);
    const user = (await userByEmail(email))!;
    expect(await verifiedAtOf(email)).toBeNull();
    const mail = await lastMailTo(email);
    expect(mail.subject).toBe('Confirm your email address for Sitework');
    const token = tokenIn(mail.bodyText);
    expect(await previewConfirmation(token)).toEqual({ kind: 'account', email });

    const second = await invite(demo.globex, email, 'viewer');
    const refused = await accept({ token: second.token, password: PASSWORD });
    expectError(refused, 403, 'forbidden', /Confirm .* first/);
    expect(refused.body.error.details).toEqual({ reason: 'email_unverified' });
    expect(await membershipOf(demo.globex.id, user.id)).toBeNull();

    expect(await confirmEmailAction({ token, password: 'someone-elses-guess' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await verifiedAtOf(email)).toBeNull();
    expect(await confirmEmailAction({ token, password: PASSWORD })).toEqual({ ok: true, data: { email, url: '/orgs' } });
    expect(await verifiedAtOf(email)).toBeInstanceOf(Date);
    expect(await previewConfirmation(token)).toBeNull();

    expect((await accept({ token: second.token, password: PASSWORD })).status).toBe(200);
    expect(await membershipOf(demo.globex.id, user.id)).toBe('viewer');
  });

  it('invitation previews do not say whether the email has an account', async () => {
    const forNewcomer = await previewInvitation((await invite(demo.acme, uniqueEmail('newcomer'), 'viewer')).token);
    const forMember = await previewInvitation((await invite(demo.acme, demo.globex.admin.email, 'viewer')).token);
    expect(Object.keys(forNewcomer!).sort()).toEqual(['email', 'role', 'status', 'tenantName', 'tenantSlug']);
    expect(Object.keys(forMember!).sort()).toEqual(Object.keys(forNewcomer!).sort());
  });
});

describe('asking for a new link', () => {
  it('answers alike for a pending sign-up, an unconfirmed account, a confirmed account and an unknown address, and mails only where something waits', async () => {
    const pending = await signUp();
    const unconfirmed = uniqueEmail('unconfirmed');
    await accept({ token: (await invite(demo.acme, unconfirmed, 'viewer')).token, name: 'Una Confirmed', password: PASSWORD });
    const unconfirmedToken = tokenIn((await lastMailTo(unconfirmed)).bodyText);
    const unknown = uniqueEmail('unknown');

    for (const email of [pending.input.email, unconfirmed, demo.acme.admin.email, unknown]) {
      expect(await resendConfirmationAction({ email })).toEqual({ ok: true, data: { email } });
    }

    const newSignUpToken = tokenIn((await lastMailTo(pending.input.email)).bodyText);
    expect(newSignUpToken).not.toBe(pending.token);
    expect(await previewConfirmation(pending.token)).toBeNull();
    expect(await previewConfirmation(newSignUpToken)).toMatchObject({ kind: 'sign_up', email: pending.input.email });

    const newAccountToken = tokenIn((await lastMailTo(unconfirmed)).bodyText);
    expect(await previewConfirmation(unconfirmedToken)).toBeNull();
    expect(await previewConfirmation(newAccountToken)).toEqual({ kind: 'account', email: unconfirmed });

    expect((await lastMailTo(demo.acme.admin.email)).subject).toBe('You already have a Sitework account');
    expect(await mailsTo(unknown)).toEqual([]);
  });

  it('refuses an invalid address with 400 naming email', async () => {
    expect(await resendConfirmationAction({ email: 'not-an-address' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', fields: [{ field: 'email' }] },
    });
  });
});

it('signs in an unconfirmed account as usual (it is a member of what it joined)', async () => {
  const email = uniqueEmail('member');
  await accept({ token: (await invite(demo.acme, email, 'viewer')).token, name: 'Mo Member', password: PASSWORD });
  await expect(
    authorizeCredentials({ email, password: PASSWORD }, { host: 'acme.localhost:3000', 'x-forwarded-for': '198.51.100.251' }),
  ).resolves.toMatchObject({ email });
});
