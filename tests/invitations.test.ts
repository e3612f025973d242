import { createHash } from 'node:crypto';
import { verify } from '@node-rs/argon2';
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerDb } from '@/db/client';
import { auditLogs } from '@/db/schema/audit';
import type { TRole } from '@/db/schema/auth';
import { emailOutbox } from '@/db/schema/mail';
import { DEMO_PASSWORD, seedDemoData } from '@/db/seed';
import { flushRepeatedFailures } from '@/lib/audit';
import { authorizeCredentials, previewInvitation, redeemHandoffToken } from '@/lib/auth';
import { deliverPendingEmails } from '@/lib/mail';
import * as adminPlanRoute from '../app/api/v1/admin/plans/[id]/route';
import { callRoute, demoUsers, expectError, hostOf, type TDemo, type TSessionSubject } from './support/http';
import { routes } from './support/routes';
import { addMember, createTestTenant, invitationRow, invitationsOf, invite, membershipOf, tokenOf, uniqueEmail, userByEmail } from './support/state';

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

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function createInvitation(as: TSessionSubject, body: unknown) {
  return callRoute(routes.invitations.POST, { method: 'POST', path: '/api/v1/invitations', host: hostOf('acme'), cookieFor: as, body });
}

function revoke(as: TSessionSubject, id: string) {
  return callRoute(routes.invitation.DELETE, {
    method: 'DELETE',
    path: `/api/v1/invitations/${id}`,
    params: { id },
    host: hostOf('acme'),
    cookieFor: as,
  });
}

let addressesUsed = 0;
/** A client address no other request of this file came from. */
const freshAddress = () => {
  addressesUsed += 1;
  return `10.88.${Math.floor(addressesUsed / 250)}.${(addressesUsed % 250) + 1}`;
};

function accept(body: { token: string; name?: string; password: string }, clientAddress = freshAddress()) {
  return callRoute(routes.acceptInvitation.POST, {
    method: 'POST',
    path: '/api/v1/invitations/accept',
    headers: { 'x-sitework-client-address': clientAddress },
    body,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

const emailsTo = (address: string) => ownerDb().select().from(emailOutbox).where(eq(emailOutbox.toAddress, address));

async function expire(invitationId: string) {
  await ownerDb().execute(sql`update invitations set expires_at = now() - interval '1 minute' where id = ${invitationId}`);
}

describe('creating an invitation', () => {
  it('answers 201 with the link once and stores only the hash of its token', async () => {
    const email = uniqueEmail('new');
    const result = await createInvitation(demo.acme.admin, { email, role: 'editor' });
    expect(result.status).toBe(201);
    const { invitation } = result.body;
    expect(invitation).toMatchObject({ email, role: 'editor', status: 'pending', acceptedAt: null, revokedAt: null });
    expect(invitation.acceptUrl).toMatch(/^http:\/\/localhost:3000\/invitations\/[A-Za-z0-9_-]{43}$/);
    const sevenDaysMs = 7 * 86_400_000;
    expect(Math.abs(new Date(invitation.expiresAt).getTime() - Date.now() - sevenDaysMs)).toBeLessThan(60_000);

    const token = tokenOf(invitation.acceptUrl);
    const row = await invitationRow(invitation.id);
    expect(row).toMatchObject({ tenantId: demo.acme.id, email, role: 'editor', tokenHash: sha256(token), invitedBy: demo.acme.admin.id });
    expect(JSON.stringify(row)).not.toContain(token);

    const list = await callRoute(routes.invitations.GET, { path: '/api/v1/invitations', host: hostOf('acme'), cookieFor: demo.acme.admin });
    expect(list.body.invitations.find((i: { id: string }) => i.id === invitation.id)).toMatchObject({ status: 'pending' });
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain('acceptUrl');
  });

  it('stores the email in lower case', async () => {
    const email = uniqueEmail('Mixed.Case').toUpperCase();
    const result = await createInvitation(demo.acme.owner, { email, role: 'viewer' });
    expect(result.status).toBe(201);
    expect((await invitationRow(result.body.invitation.id))!.email).toBe(email.toLowerCase());
  });

  it('queues an email with the link in the same transaction, which deliverPendingEmails marks sent', async () => {
    const email = uniqueEmail('mailed');
    const result = await createInvitation(demo.acme.owner, { email, role: 'viewer' });
    const [queued] = await emailsTo(email);
    expect(queued).toMatchObject({ tenantId: demo.acme.id, sentAt: null, attempts: 0, subject: expect.stringContaining('Acme Construction') });
    expect(queued.bodyText).toContain(result.body.invitation.acceptUrl);

    expect(await deliverPendingEmails()).toBeGreaterThanOrEqual(1);
    const [sent] = await emailsTo(email);
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(sent.attempts).toBe(1);
    expect(await deliverPendingEmails()).toBe(0);
  });

  it('replaces a pending invitation for the same email: the old link stops working', async () => {
    const email = uniqueEmail('twice');
    const first = await invite(demo.acme, email, 'viewer');
    const second = await createInvitation(demo.acme.owner, { email, role: 'editor' });
    expect(second.status).toBe(201);
    expect((await invitationRow(first.id))!.revokedAt).not.toBeNull();
    expectError(await accept({ token: first.token, name: 'Old Link', password: 'long-enough-password' }), 410, 'gone', /revoked/);
    expect(await userByEmail(email)).toBeNull();
  });

  it('refuses to invite an existing member with 409 naming the email, and queues nothing', async () => {
    const email = demo.acme.editor.email;
    const before = (await invitationsOf(demo.acme.id)).length;
    const result = await createInvitation(demo.acme.owner, { email, role: 'admin' });
    expectError(result, 409, 'conflict', /already a member/);
    expect(result.body.error.details).toEqual({ field: 'email' });
    expect(await invitationsOf(demo.acme.id)).toHaveLength(before);
    expect(await emailsTo(email)).toEqual([]);
  });

  it('refuses an admin who invites an owner with 403, and creates nothing; an owner may', async () => {
    const email = uniqueEmail('future-owner');
    expectError(await createInvitation(demo.acme.admin, { email, role: 'owner' }), 403, 'forbidden', /owner/);
    expect((await invitationsOf(demo.acme.id)).filter((i) => i.email === email)).toEqual([]);
    expect(await emailsTo(email)).toEqual([]);

    const byOwner = await createInvitation(demo.acme.owner, { email, role: 'owner' });
    expect(byOwner.status).toBe(201);
  });

  it("refuses an admin who changes a pending invitation's role to owner, or revokes an owner invitation, with 403", async () => {
    const viewerInvite = await invite(demo.acme, uniqueEmail('to-owner'), 'viewer');
    const patch = await callRoute(routes.invitation.PATCH, {
      method: 'PATCH',
      path: `/api/v1/invitations/${viewerInvite.id}`,
      params: { id: viewerInvite.id },
      host: hostOf('acme'),
      cookieFor: demo.acme.admin,
      body: { role: 'owner' },
    });
    expectError(patch, 403, 'forbidden');
    expect((await invitationRow(viewerInvite.id))!.role).toBe('viewer');

    const ownerInvite = await invite(demo.acme, uniqueEmail('owner'), 'owner');
    expectError(await revoke(demo.acme.admin, ownerInvite.id), 403, 'forbidden');
    expect((await invitationRow(ownerInvite.id))!.revokedAt).toBeNull();
  });
});

describe('accepting an invitation', () => {
  it('creates the account with the invited role, and a session for it then works with that role', async () => {
    const email = uniqueEmail('joiner');
    const { id, token } = await invite(demo.acme, email, 'editor');
    const result = await accept({ token, name: 'Jo Joiner', password: 'a-new-password' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ tenantSlug: 'acme', role: 'editor' });

    const user = await userByEmail(email);
    expect(user).toMatchObject({ name: 'Jo Joiner', isPlatformAdmin: false });
    expect(await membershipOf(demo.acme.id, user!.id)).toBe('editor');
    expect(await invitationRow(id)).toMatchObject({ acceptedBy: user!.id, acceptedAt: expect.any(Date) });

    const signIn = new URL(result.body.signInUrl);
    expect(signIn.host).toBe('acme.localhost:3000');
    expect(await redeemHandoffToken(signIn.searchParams.get('handoff')!, 'acme')).toBe(user!.id);

    const tenant = await callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf('acme'), cookieFor: user! });
    expect(tenant.status).toBe(200);
    expect(tenant.body.caller).toMatchObject({ kind: 'user', role: 'editor' });
    const settings = await callRoute(routes.tenantSettings.PATCH, {
      method: 'PATCH',
      path: '/api/v1/tenant/settings',
      host: hostOf('acme'),
      cookieFor: user!,
      body: { brandingDisplayName: 'Editor was here' },
    });
    expectError(settings, 403, 'forbidden');
  });

  it('requires a name from someone without an account, and creates nothing without one', async () => {
    const email = uniqueEmail('nameless');
    const { id, token } = await invite(demo.acme, email, 'viewer');
    const result = await accept({ token, password: 'a-new-password' });
    expectError(result, 400, 'validation_failed', /name/i);
    expect(result.body.error.details.fields).toEqual([{ field: 'name', message: 'is required' }]);
    expect(await userByEmail(email)).toBeNull();
    expect((await invitationRow(id))!.acceptedAt).toBeNull();
  });

  it("joins an existing account only with that account's password: 401 on a wrong one", async () => {
    const existing = demo.globex.viewer;
    const { id, token } = await invite(demo.acme, existing.email, 'viewer');

    const wrong = await accept({ token, password: 'not-the-password' });
    expectError(wrong, 401, 'unauthorized', /Wrong password .* 4 attempts left before this invitation is locked/);
    expect(wrong.body.error.details).toEqual({ field: 'password', attemptsLeft: 4 });
    expect(await membershipOf(demo.acme.id, existing.id)).toBeNull();
    expect((await invitationRow(id))!.acceptedAt).toBeNull();

    const right = await accept({ token, name: 'Ignored Name', password: DEMO_PASSWORD });
    expect(right.status).toBe(200);
    // The right password is not a failure: only the wrong one stays counted.
    expect((await invitationRow(id))!.failedPasswordAttempts).toBe(1);
    expect(await membershipOf(demo.acme.id, existing.id)).toBe('viewer');
    expect(await membershipOf(demo.globex.id, existing.id)).toBe('viewer');
    expect((await userByEmail(existing.email))!.name).toBe(existing.name);
  });

  it('refuses a link that was already used with 410 saying so', async () => {
    const email = uniqueEmail('reuse');
    const { token } = await invite(demo.acme, email, 'viewer');
    expect((await accept({ token, name: 'Once', password: 'a-new-password' })).status).toBe(200);
    const again = await accept({ token, name: 'Twice', password: 'a-new-password' });
    expectError(again, 410, 'gone', /already been used/);
    expect(again.body.error.details).toEqual({ status: 'accepted' });
  });

  it('refuses an expired link with 410 expired, and creates no account', async () => {
    const email = uniqueEmail('late');
    const { id, token } = await invite(demo.acme, email, 'viewer');
    await expire(id);
    expectError(await accept({ token, name: 'Late Comer', password: 'a-new-password' }), 410, 'gone', /expired/);
    expect(await userByEmail(email)).toBeNull();
  });

  it('refuses a revoked link with 410 revoked', async () => {
    const email = uniqueEmail('revoked');
    const { id, token } = await invite(demo.acme, email, 'viewer');
    const revoked = await revoke(demo.acme.admin, id);
    expect(revoked.status).toBe(204);
    expect((await invitationRow(id))!.revokedAt).toBeInstanceOf(Date);
    expectError(await accept({ token, name: 'Too Late', password: 'a-new-password' }), 410, 'gone', /revoked/);
    expect(await userByEmail(email)).toBeNull();
  });

  it('answers 404 for a token that names no invitation', async () => {
    const result = await accept({ token: 'x'.repeat(43), name: 'Nobody', password: 'a-new-password' });
    expectError(result, 404, 'not_found', /not valid/);
  });
});

describe('revoking an invitation', () => {
  it('refuses to revoke twice with 409, keeping the first revocation time', async () => {
    const { id } = await invite(demo.acme, uniqueEmail('revoke-twice'), 'viewer');
    expect((await revoke(demo.acme.owner, id)).status).toBe(204);
    const revokedAt = (await invitationRow(id))!.revokedAt;
    expectError(await revoke(demo.acme.owner, id), 409, 'conflict', /already revoked/);
    expect((await invitationRow(id))!.revokedAt).toEqual(revokedAt);
  });

  it('refuses to revoke an accepted or expired invitation with 409', async () => {
    const used = await invite(demo.acme, uniqueEmail('used'), 'viewer');
    await accept({ token: used.token, name: 'Used', password: 'a-new-password' });
    expectError(await revoke(demo.acme.owner, used.id), 409, 'conflict', /already accepted/);

    const old = await invite(demo.acme, uniqueEmail('old'), 'viewer');
    await expire(old.id);
    expectError(await revoke(demo.acme.owner, old.id), 409, 'conflict', /already expired/);
    expect((await invitationRow(old.id))!.revokedAt).toBeNull();
  });

  it('lets an admin change the role of a pending invitation, and the acceptor gets that role', async () => {
    const email = uniqueEmail('rerole');
    const { id, token } = await invite(demo.acme, email, 'viewer');
    const patch = await callRoute(routes.invitation.PATCH, {
      method: 'PATCH',
      path: `/api/v1/invitations/${id}`,
      params: { id },
      host: hostOf('acme'),
      cookieFor: demo.acme.admin,
      body: { role: 'editor' satisfies TRole },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.invitation).toMatchObject({ id, role: 'editor', status: 'pending' });
    const accepted = await accept({ token, name: 'Re Role', password: 'a-new-password' });
    expect(accepted.body.role).toBe('editor');
    expect(await membershipOf(demo.acme.id, (await userByEmail(email))!.id)).toBe('editor');
  });
});

describe('guessing the password of an invited account', () => {
  const invitedAccount = async (label: string) => {
    const password = `${label}-own-password`;
    const account = await addMember(demo.globex.id, 'viewer', { password });
    const invitation = await invite(demo.acme, account.email, 'editor');
    return { account, password, ...invitation };
  };
  const auditRowsOf = (invitationId: string) =>
    ownerDb()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, demo.acme.id), eq(auditLogs.targetId, invitationId)))
      .orderBy(auditLogs.seq);

  it('locks an invitation at its 5th wrong password: the link then answers 410 locked, even with the right password, and the admin sees it locked', async () => {
    const { account, password, id, token } = await invitedAccount('locked');
    const attacker = '198.51.100.33';
    for (let i = 1; i <= 4; i += 1) {
      const wrong = await accept({ token, password: `guess-number-${i}` }, attacker);
      expectError(wrong, 401, 'unauthorized', new RegExp(`${5 - i} attempts? left`));
    }
    const last = await accept({ token, password: 'guess-number-5' }, attacker);
    expectError(last, 401, 'unauthorized', /locked after 5 wrong passwords/);
    expect(last.body.error.details).toEqual({ field: 'password', attemptsLeft: 0 });
    expect(await invitationRow(id)).toMatchObject({ failedPasswordAttempts: 5, revokedAt: expect.any(Date), acceptedAt: null });

    for (const attempt of [{ password: 'guess-number-6' }, { password }]) {
      const gone = await accept({ token, ...attempt }, freshAddress());
      expectError(gone, 410, 'gone', /locked after 5 wrong passwords\. Ask your administrator for a new one\./);
      expect(gone.body.error.details).toEqual({ status: 'locked' });
    }
    expect(await membershipOf(demo.acme.id, account.id)).toBeNull();
    expect((await invitationRow(id))!.failedPasswordAttempts).toBe(5);

    expect((await previewInvitation(token))!.status).toBe('locked');
    const list = await callRoute(routes.invitations.GET, { path: '/api/v1/invitations', host: hostOf('acme'), cookieFor: demo.acme.admin });
    expect(list.body.invitations.find((i: { id: string }) => i.id === id)).toMatchObject({ status: 'locked', failedPasswordAttempts: 5 });
  });

  it("records wrong passwords in the tenant's audit log: the first from a client at once, the rest of its minute as one counted row", async () => {
    const { account, id, token } = await invitedAccount('audited');
    const attacker = '198.51.100.34';
    for (let i = 1; i <= 5; i += 1) await accept({ token, password: `guess-number-${i}` }, attacker);
    const rows = await auditRowsOf(id);
    expect(rows.map((row) => [row.eventType, row.action])).toEqual([
      ['login_failed', 'invitation.accept'],
      ['security_event', 'invitation.lock'],
    ]);
    expect(rows[0]).toMatchObject({ outcome: 'failure', actorId: account.id, actorName: account.email, ip: attacker, targetType: 'invitation' });
    expect(rows[0].metadata).toMatchObject({ reason: 'wrong_password', failedPasswordAttempts: 1 });
    expect(rows[1]).toMatchObject({ actorType: 'system', outcome: 'failure' });
    expect(rows[1].metadata).toEqual({ failedPasswordAttempts: 5 });

    await flushRepeatedFailures({ nowMs: Date.now() + 61_000 });
    const counted = (await auditRowsOf(id)).slice(2);
    expect(counted).toHaveLength(1);
    expect(counted[0]).toMatchObject({ eventType: 'login_failed', action: 'invitation.accept', actorId: null, ip: attacker, targetId: id });
    expect(counted[0].metadata).toMatchObject({ repeated: 4, reasons: { wrong_password: 4 }, actors: [account.email] });
  });

  it('lets at most five of 20 wrong passwords sent at once reach the password check', async () => {
    const { account, id, token } = await invitedAccount('burst');
    const [{ hash }] = await ownerDb().execute<{ hash: string }>(sql`select password_hash as hash from users where id = ${account.id}`);
    vi.mocked(verify).mockClear();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => accept({ token, password: `parallel-guess-${i}` })));
    expect(vi.mocked(verify).mock.calls.filter(([checked]) => checked === hash)).toHaveLength(5);
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status !== 401).every((r) => r.status === 429 || r.status === 410)).toBe(true);
    expect(await invitationRow(id)).toMatchObject({ failedPasswordAttempts: 5, revokedAt: expect.any(Date) });
  });

  it("shares the account's limit with sign-in: an account waiting after wrong sign-ins is not guessed through an invitation", async () => {
    const { account, id, token } = await invitedAccount('shared');
    for (let i = 0; i < 5; i += 1) {
      await authorizeCredentials({ email: account.email, password: `sign-in-guess-${i}` }, { host: 'localhost:3000', 'x-sitework-client-address': freshAddress() }).catch(() => null);
    }
    const refused = await accept({ token, password: 'invitation-guess' });
    expectError(refused, 429, 'rate_limited', /Too many wrong passwords for this account\. Try again in \d+ seconds\./);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.error.details).toEqual({ retryAfterSeconds: Number(refused.headers.get('retry-after')) });
    expect((await invitationRow(id))!.failedPasswordAttempts).toBe(0);
  });
});

describe('invitations per day', () => {
  async function tenantWithOwner(label: string) {
    const tenant = await createTestTenant(label);
    return { ...tenant, host: hostOf(tenant.slug), owner: await addMember(tenant.id, 'owner') };
  }
  const inviteOn = (t: { host: string; owner: TSessionSubject }, email: string) =>
    callRoute(routes.invitations.POST, { method: 'POST', path: '/api/v1/invitations', host: t.host, cookieFor: t.owner, body: { email, role: 'viewer' } });
  async function sendInvitations(t: { host: string; owner: TSessionSubject }, count: number) {
    for (let i = 0; i < count; i += 1) expect((await inviteOn(t, uniqueEmail(`daily-${i}`))).status).toBe(201);
  }
  const setFreeInvitationsPerDay = (invitationsPerDay: number) =>
    callRoute(adminPlanRoute.PATCH, {
      method: 'PATCH',
      path: '/api/v1/admin/plans/free',
      params: { id: 'free' },
      cookieFor: demo.operator,
      body: { invitationsPerDay },
    });

  it("refuses the invitation over the plan's invitations per day with 429 quota_exceeded and writes nothing: no invitation, no mail", async () => {
    const t = await tenantWithOwner('daily-cap');
    await sendInvitations(t, 20);
    const email = uniqueEmail('one-too-many');
    const refused = await inviteOn(t, email);
    expectError(refused, 429, 'quota_exceeded', /allows 20 invitations a day and 20 were sent today/);
    const midnight = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000);
    expect(refused.body.error.details).toEqual({ quota: 'invitations_per_day', limit: 20, used: 20, resetsAt: midnight.toISOString() });
    expect(Math.abs(Number(refused.headers.get('retry-after')) - (midnight.getTime() - Date.now()) / 1000)).toBeLessThan(60);
    expect((await invitationsOf(t.id)).filter((i) => i.email === email)).toEqual([]);
    expect(await emailsTo(email)).toEqual([]);
    const [audited] = await ownerDb().select().from(auditLogs).where(and(eq(auditLogs.tenantId, t.id), eq(auditLogs.action, 'quota.exceeded')));
    expect(audited).toMatchObject({ eventType: 'security_event', targetType: 'quota', targetId: 'invitations_per_day', targetName: 'Invitations per day' });

    // Invitations of earlier days do not count.
    await ownerDb().execute(sql`update invitations set created_at = created_at - interval '1 day' where id in (
      select id from invitations where tenant_id = ${t.id} order by created_at limit 3)`);
    expect((await inviteOn(t, email)).status).toBe(201);
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it("applies an operator's change of a plan's invitations per day at once", async () => {
    const t = await tenantWithOwner('daily-edit');
    await sendInvitations(t, 20);
    expectError(await inviteOn(t, uniqueEmail('before-edit')), 429, 'quota_exceeded');
    const edited = await setFreeInvitationsPerDay(21);
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body.plan).toMatchObject({ id: 'free', invitationsPerDay: 21 });
    try {
      expect((await inviteOn(t, uniqueEmail('after-edit'))).status).toBe(201);
      expectError(await inviteOn(t, uniqueEmail('over-again')), 429, 'quota_exceeded', /allows 21 invitations/);
    } finally {
      expect((await setFreeInvitationsPerDay(20)).status).toBe(200);
    }
  });

  it('lets only one of two invitations sent at once take the last one of the day', async () => {
    const t = await tenantWithOwner('daily-race');
    await sendInvitations(t, 19);
    const results = await Promise.all([inviteOn(t, uniqueEmail('race-a')), inviteOn(t, uniqueEmail('race-b'))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 429]);
    expect(await invitationsOf(t.id)).toHaveLength(20);
  });
});
