import 'server-only';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { emailVerifications, memberships, signUpRequests, users } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { AppError } from '@/lib/app-error';
import { recordAudit } from '@/lib/audit';
import { config } from '@/lib/config';
import { enqueueEmail } from '@/lib/mail';
import { clientNetworkOf } from '@/lib/client-address';
import { ZSlug, createTenant, withPlatform, type TTenantRef } from '@/lib/tenancy';
import { countAttempt } from './attempt-counter';
import { admitPasswordAttempt } from './password-attempts';
import { hashPassword, verifyPassword } from './password';
import { randomToken, sha256Hex } from './tokens';
import { ZEmail, ZPassword, ZPersonName, insertUser, type TUser } from './users';

/**
 * Proving an email address. Sign-up creates nothing but a request: the account, its organisation and the owner
 * membership exist only once someone opens the link mailed to the address *and* enters the password chosen at
 * sign-up, so neither a stranger who typed your address nor you, clicking a link someone else asked for, can
 * make an account that another person controls. Accounts created by accepting an invitation (whose link the
 * inviter sees too) confirm their address the same way. Every answer that depends on whether an address has an
 * account goes to that address by mail, never to the screen.
 */
export const CONFIRMATION_TTL_HOURS = 24;
/** Mails a visitor can cause to one address, and requests from one client address, per hour. */
const MAILS_PER_ADDRESS_PER_HOUR = 5;
const MAILS_PER_CLIENT_PER_HOUR = 30;
/** Passwords tried with one link over its lifetime: the link alone must not become a password oracle. */
const PASSWORD_TRIES_PER_LINK = 5;

export const ZSignUp = z.object({
  name: ZPersonName,
  email: ZEmail,
  password: ZPassword,
  organisationName: z.string().trim().min(1, 'is required').max(120),
  slug: ZSlug,
});
export const ZConfirmEmail = z.object({ token: z.string().min(20).max(200), password: z.string().min(1, 'is required').max(200) });
export const ZResendConfirmation = z.object({ email: ZEmail });

export interface TMailOrigin {
  /** clientAddressOf(headers): its network is the key of the per-client limits. */
  clientAddress: string;
}

function confirmationUrl(token: string): string {
  return `${config().APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
}

const signInUrl = () => `${config().APP_URL}/sign-in`;
/** The page that mails a new confirmation link. */
export const confirmationResendUrl = () => `${config().APP_URL}/verify-email/resend`;
const expiresAt = () => new Date(Date.now() + CONFIRMATION_TTL_HOURS * 3_600_000);

async function limitMailTo(email: string, origin: TMailOrigin): Promise<void> {
  const refusal = 'Too many confirmation mails asked for.';
  // The client first: requests it refuses must not use up the address's own allowance.
  await countAttempt(`confirm_mail_from:${clientNetworkOf(origin.clientAddress)}`, MAILS_PER_CLIENT_PER_HOUR, 3600, refusal);
  await countAttempt(`confirm_mail_to:${sha256Hex(email)}`, MAILS_PER_ADDRESS_PER_HOUR, 3600, refusal);
}

async function assertSlugFree(tx: TTx, slug: string): Promise<void> {
  const [taken] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug)).limit(1);
  if (taken) throw new AppError('conflict', `The slug "${slug}" is already taken`, { field: 'slug' });
}

async function mailAlreadyRegistered(tx: TTx, email: string, request: 'sign_up' | 'resend'): Promise<void> {
  const asked = request === 'sign_up' ? `to create a Sitework account with ${email}` : `for a confirmation link for ${email}`;
  await enqueueEmail(tx, {
    tenantId: null,
    to: email,
    subject: 'You already have a Sitework account',
    text:
      `Someone, hopefully you, asked ${asked}, but this address already has an account, so nothing was ` +
      `created.\n\nSign in: ${signInUrl()}\n\nIf it was not you, you can ignore this mail.`,
  });
}

/**
 * Sign-up, first step: stores the request (the password only as its argon2 hash, the link's token only as its
 * hash) and mails the link, in one transaction; a new request for the address replaces an older one. When the
 * address already has an account, the mail says so and nothing is stored. The answer is the same either way.
 * A taken slug is refused at once (that tells nothing about anyone's email) and checked again on confirmation.
 */
export async function requestSignUp(input: z.infer<typeof ZSignUp>, origin: TMailOrigin): Promise<{ email: string }> {
  await withPlatform((tx) => assertSlugFree(tx, input.slug));
  await limitMailTo(input.email, origin);
  // Hashed whether it is kept or not, so the time taken does not tell whether the address has an account.
  const passwordHash = await hashPassword(input.password);
  await withPlatform(async (tx) => {
    await tx.delete(signUpRequests).where(lt(signUpRequests.expiresAt, new Date()));
    const [account] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${input.email}`);
    if (account) return mailAlreadyRegistered(tx, input.email, 'sign_up');

    const token = randomToken(32);
    const request = {
      name: input.name,
      passwordHash,
      organisationName: input.organisationName,
      slug: input.slug,
      tokenHash: sha256Hex(token),
      expiresAt: expiresAt(),
      createdAt: new Date(),
    };
    await tx
      .insert(signUpRequests)
      .values({ email: input.email, ...request })
      .onConflictDoUpdate({ target: signUpRequests.email, set: request });
    await enqueueEmail(tx, {
      tenantId: null,
      to: input.email,
      subject: 'Confirm your Sitework sign-up',
      text:
        `To create ${input.organisationName} (${portalHost(input.slug)}) with your account ${input.email}, open this link ` +
        `and enter the password you chose:\n\n${confirmationUrl(token)}\n\nThe link works once, for ${CONFIRMATION_TTL_HOURS} hours. ` +
        `If you did not sign up, ignore this mail: nothing is created without it.`,
    });
  });
  return { email: input.email };
}

function portalHost(slug: string): string {
  return `${slug}.${new URL(config().APP_URL).host}`;
}

/**
 * A new confirmation link for an account that has not confirmed its address yet, replacing any earlier one, mailed
 * in the caller's transaction.
 */
export async function issueEmailVerification(tx: TTx, user: { id: string; email: string }): Promise<void> {
  const token = randomToken(32);
  const row = { tokenHash: sha256Hex(token), expiresAt: expiresAt(), createdAt: new Date() };
  await tx
    .insert(emailVerifications)
    .values({ userId: user.id, ...row })
    .onConflictDoUpdate({ target: emailVerifications.userId, set: row });
  await enqueueEmail(tx, {
    tenantId: null,
    to: user.email,
    subject: 'Confirm your email address for Sitework',
    text:
      `A Sitework account was created for ${user.email} when an invitation was accepted. If that was you, confirm the ` +
      `address: open this link and enter the password you chose.\n\n${confirmationUrl(token)}\n\nThe link works once, ` +
      `for ${CONFIRMATION_TTL_HOURS} hours. Until then the account cannot accept further invitations or own a new ` +
      `organisation. If it was not you, ignore this mail.`,
  });
}

/**
 * Another link for an address waiting for confirmation: its sign-up request (a new token; the old link stops
 * working) or its unconfirmed account. A confirmed account gets a reminder to sign in; an unknown address gets
 * nothing. The caller learns none of this: the answer is the same.
 */
export async function resendConfirmation(email: string, origin: TMailOrigin): Promise<void> {
  await limitMailTo(email, origin);
  await withPlatform(async (tx) => {
    const [request] = await tx
      .select({ id: signUpRequests.id, organisationName: signUpRequests.organisationName, slug: signUpRequests.slug })
      .from(signUpRequests)
      .where(and(eq(signUpRequests.email, email), gt(signUpRequests.expiresAt, new Date())))
      .for('update');
    const [account] = await tx
      .select({ id: users.id, email: users.email, emailVerifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`);
    if (account?.emailVerifiedAt) return mailAlreadyRegistered(tx, email, 'resend');
    if (account) return issueEmailVerification(tx, account);
    if (!request) return;
    const token = randomToken(32);
    await tx.update(signUpRequests).set({ tokenHash: sha256Hex(token), expiresAt: expiresAt() }).where(eq(signUpRequests.id, request.id));
    await enqueueEmail(tx, {
      tenantId: null,
      to: email,
      subject: 'Confirm your Sitework sign-up',
      text:
        `Here is a new link to create ${request.organisationName} (${portalHost(request.slug)}) with your account ${email}. ` +
        `Open it and enter the password you chose:\n\n${confirmationUrl(token)}\n\nThe link works once, for ` +
        `${CONFIRMATION_TTL_HOURS} hours; earlier links no longer work.`,
    });
  });
}

export type TConfirmationPreview =
  | { kind: 'sign_up'; email: string; organisationName: string; slug: string }
  | { kind: 'account'; email: string };

/** What the confirmation page shows for a link, or null when it is unknown, used or expired. */
export async function previewConfirmation(token: string): Promise<TConfirmationPreview | null> {
  const tokenHash = sha256Hex(token);
  return withPlatform(async (tx) => {
    const now = new Date();
    const [request] = await tx
      .select({ email: signUpRequests.email, organisationName: signUpRequests.organisationName, slug: signUpRequests.slug })
      .from(signUpRequests)
      .where(and(eq(signUpRequests.tokenHash, tokenHash), gt(signUpRequests.expiresAt, now)));
    if (request) return { kind: 'sign_up', ...request };
    const [account] = await tx
      .select({ email: users.email })
      .from(emailVerifications)
      .innerJoin(users, eq(users.id, emailVerifications.userId))
      .where(and(eq(emailVerifications.tokenHash, tokenHash), gt(emailVerifications.expiresAt, now)));
    return account ? { kind: 'account', email: account.email } : null;
  });
}

export type TConfirmation = { kind: 'sign_up'; user: TUser; tenant: TTenantRef } | { kind: 'account'; user: TUser };

const LINK_USED = 'This confirmation link is not valid or was already used';

type TLink =
  | { kind: 'sign_up'; request: typeof signUpRequests.$inferSelect }
  | { kind: 'account'; user: TUser; passwordHash: string | null; expiresAt: Date };

async function findLink(tx: TTx, tokenHash: string, lock: boolean): Promise<TLink | null> {
  const requests = tx.select().from(signUpRequests).where(eq(signUpRequests.tokenHash, tokenHash));
  const [request] = lock ? await requests.for('update') : await requests;
  if (request) return { kind: 'sign_up', request };
  const accounts = tx
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      isPlatformAdmin: users.isPlatformAdmin,
      passwordHash: users.passwordHash,
      expiresAt: emailVerifications.expiresAt,
    })
    .from(emailVerifications)
    .innerJoin(users, eq(users.id, emailVerifications.userId))
    .where(eq(emailVerifications.tokenHash, tokenHash));
  const [account] = lock ? await accounts.for('update', { of: emailVerifications }) : await accounts;
  if (!account) return null;
  const { passwordHash, expiresAt: linkExpiresAt, ...user } = account;
  return { kind: 'account', user, passwordHash, expiresAt: linkExpiresAt };
}

/**
 * The password of a confirmation is a password guess like a sign-in: admitted by the same limits (per account and
 * client network, lib/auth/password-attempts), and at most PASSWORD_TRIES_PER_LINK with one link, counted before
 * argon2 runs.
 */
async function checkLinkPassword(tokenHash: string, email: string, passwordHash: string | null, password: string, origin: TMailOrigin) {
  const attempt = await admitPasswordAttempt(email, origin.clientAddress);
  await countAttempt(`confirm_link:${tokenHash}`, PASSWORD_TRIES_PER_LINK, CONFIRMATION_TTL_HOURS * 3600, 'Too many passwords tried with this link.');
  if (!(await verifyPassword(passwordHash, password))) {
    throw new AppError('unauthorized', 'This is not the password chosen for this account', { field: 'password' });
  }
  await attempt.succeeded();
}

/**
 * Second step: the link's token and the account's password together prove the address. The password is checked
 * before any row is locked; then, in one transaction that finds the link again (so it works once), a sign-up
 * request becomes the verified user, the organisation and the owner membership and is deleted, or an unconfirmed
 * account is marked verified and its link deleted.
 */
export async function confirmEmail(input: z.infer<typeof ZConfirmEmail>, origin: TMailOrigin): Promise<TConfirmation> {
  const tokenHash = sha256Hex(input.token);
  const link = await withPlatform((tx) => findLink(tx, tokenHash, false));
  if (!link) throw new AppError('not_found', LINK_USED);
  const expiresAt = link.kind === 'sign_up' ? link.request.expiresAt : link.expiresAt;
  if (expiresAt.getTime() <= Date.now()) {
    const again = link.kind === 'sign_up' ? `Sign up again at ${config().APP_URL}/sign-up` : `Ask for a new one at ${confirmationResendUrl()}`;
    throw new AppError('gone', `This link has expired. ${again}`);
  }
  const email = link.kind === 'sign_up' ? link.request.email : link.user.email;
  await checkLinkPassword(tokenHash, email, link.kind === 'sign_up' ? link.request.passwordHash : link.passwordHash, input.password, origin);

  return withPlatform(async (tx): Promise<TConfirmation> => {
    const locked = await findLink(tx, tokenHash, true);
    if (!locked) throw new AppError('not_found', LINK_USED);
    if (locked.kind === 'account') {
      const now = new Date();
      await tx.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(and(eq(users.id, locked.user.id), isNull(users.emailVerifiedAt)));
      await tx.delete(emailVerifications).where(eq(emailVerifications.userId, locked.user.id));
      return { kind: 'account', user: locked.user };
    }

    const { request } = locked;
    const user = await insertUser(tx, { email: request.email, name: request.name, password: input.password, isEmailVerified: true });
    const tenant = await createTenant(tx, { name: request.organisationName, slug: request.slug }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'conflict') {
        throw new AppError('conflict', `The slug "${request.slug}" was taken since you signed up. Sign up again with another one.`, {
          field: 'slug',
        });
      }
      throw error;
    });
    const [membership] = await tx
      .insert(memberships)
      .values({ tenantId: tenant.id, userId: user.id, role: 'owner' })
      .returning({ id: memberships.id });
    await tx.delete(signUpRequests).where(eq(signUpRequests.id, request.id));
    await recordAudit(tx, {
      tenantId: tenant.id,
      type: 'config_change',
      action: 'tenant.sign_up',
      actor: { type: 'user', id: user.id, name: user.name || user.email },
      target: { type: 'member', id: membership.id, name: user.email },
      metadata: { role: 'owner' },
    });
    return { kind: 'sign_up', user, tenant };
  });
}
