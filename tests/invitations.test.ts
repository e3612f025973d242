import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import type { TRole } from '@/db/schema/auth';
import { emailOutbox } from '@/db/schema/mail';
import { DEMO_PASSWORD, seedDemoData } from '@/db/seed';
import { verifyHandoffToken } from '@/lib/auth';
import { deliverPendingEmails } from '@/lib/mail';
import { callRoute, demoUsers, expectError, hostOf, type TDemo, type TSessionSubject } from './support/http';
import { routes } from './support/routes';
import { invitationRow, invitationsOf, invite, membershipOf, tokenOf, uniqueEmail, userByEmail } from './support/state';

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

function accept(body: { token: string; name?: string; password: string }) {
  return callRoute(routes.acceptInvitation.POST, { method: 'POST', path: '/api/v1/invitations/accept', body });
}

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
    expect(verifyHandoffToken(signIn.searchParams.get('handoff')!, 'acme')).toBe(user!.id);

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
    expectError(wrong, 401, 'unauthorized', /Wrong password/);
    expect(await membershipOf(demo.acme.id, existing.id)).toBeNull();
    expect((await invitationRow(id))!.acceptedAt).toBeNull();

    const right = await accept({ token, name: 'Ignored Name', password: DEMO_PASSWORD });
    expect(right.status).toBe(200);
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
