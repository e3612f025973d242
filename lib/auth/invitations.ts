import 'server-only';
import { recordAudit, recordRepeatedFailure, SYSTEM_ACTOR, type TAuditOrigin } from '@/lib/audit';
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { invitations, memberships, users, type TRole } from '@/db/schema/auth';
import { plans } from '@/db/schema/billing';
import { tenants } from '@/db/schema/tenancy';
import { AppError, isAppError, isUniqueViolation } from '@/lib/app-error';
import { UNKNOWN_CLIENT_ADDRESS } from '@/lib/client-address';
import { config } from '@/lib/config';
import { enqueueEmail } from '@/lib/mail';
import { withPlatform } from '@/lib/tenancy';
import { confirmationResendUrl, issueEmailVerification } from './email-verification';
import { ZRole, type TActor } from './members';
import { verifyPassword } from './password';
import { admitPasswordAttempt } from './password-attempts';
import { randomToken, sha256Hex } from './tokens';
import { ZEmail, ZPassword, ZPersonName, insertUser, type TUser } from './users';

export const INVITATION_TTL_DAYS = 7;
/** Wrong passwords one invitation link takes before it is locked for good (the inviter sends a new one). */
export const INVITATION_MAX_PASSWORD_ATTEMPTS = 5;
const DAY_MS = 86_400_000;

export const ZCreateInvitation = z.object({ email: ZEmail, role: ZRole }).strict();
export const ZAcceptInvitation = z.object({
  token: z.string().min(20).max(200),
  name: ZPersonName.optional(),
  password: ZPassword,
});

/** locked: revoked by the server after INVITATION_MAX_PASSWORD_ATTEMPTS wrong passwords. */
export type TInvitationStatus = 'pending' | 'accepted' | 'revoked' | 'locked' | 'expired';

export interface TInvitation {
  id: string;
  email: string;
  role: TRole;
  status: TInvitationStatus;
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  failedPasswordAttempts: number;
}

const columns = {
  id: invitations.id,
  email: invitations.email,
  role: invitations.role,
  expiresAt: invitations.expiresAt,
  createdAt: invitations.createdAt,
  acceptedAt: invitations.acceptedAt,
  revokedAt: invitations.revokedAt,
  failedPasswordAttempts: invitations.failedPasswordAttempts,
};

type TStatusFacts = { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date; failedPasswordAttempts: number };

function statusOf(row: TStatusFacts): TInvitationStatus {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return row.failedPasswordAttempts >= INVITATION_MAX_PASSWORD_ATTEMPTS ? 'locked' : 'revoked';
  if (row.expiresAt.getTime() <= Date.now()) return 'expired';
  return 'pending';
}

const toDto = <T extends Omit<TInvitation, 'status'>>(row: T): T & { status: TInvitationStatus } => ({
  ...row,
  status: statusOf(row),
});

export function invitationUrl(token: string): string {
  return `${config().APP_URL}/invitations/${encodeURIComponent(token)}`;
}

/**
 * 429 quota_exceeded when the tenant has sent its plan's invitations_per_day this UTC day (every invitation is an
 * e-mail sent in our name), counted from the table. Serialised per tenant until the transaction ends, so two
 * invitations cannot both take the last one.
 */
async function assertInvitationQuota(tx: TTx, tenantId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('invitations'), hashtext(${tenantId}))`);
  const dayStart = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const [quota] = await tx
    .select({
      limit: plans.invitationsPerDay,
      used: sql<number>`(select count(*)::int from ${invitations} where ${invitations.tenantId} = ${tenantId} and ${invitations.createdAt} >= ${dayStart.toISOString()}::timestamptz)`,
    })
    .from(tenants)
    .innerJoin(plans, eq(plans.id, tenants.plan))
    .where(eq(tenants.id, tenantId));
  if (!quota || quota.used < quota.limit) return;
  const resetsAt = new Date(dayStart.getTime() + DAY_MS);
  throw new AppError(
    'quota_exceeded',
    `Your plan allows ${quota.limit} invitations a day and ${quota.used} were sent today; more can be sent from ${resetsAt.toISOString()}`,
    { quota: 'invitations_per_day', limit: quota.limit, used: quota.used, resetsAt: resetsAt.toISOString() },
    { 'Retry-After': String(Math.max(1, Math.ceil((resetsAt.getTime() - Date.now()) / 1000))) },
  );
}

/**
 * Invites an email with a role: replaces any pending invitation for the same email, stores only the token's
 * hash, and queues the email in the same transaction. The link is returned once, for "copy link". Over the plan's
 * invitations per day, nothing is written.
 */
export async function createInvitation(
  tx: TTx,
  tenant: { id: string; name: string },
  actor: TActor,
  input: z.infer<typeof ZCreateInvitation>,
): Promise<TInvitation & { acceptUrl: string }> {
  if (input.role === 'owner' && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can invite another owner');
  }
  const existing = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(sql`lower(${users.email}) = ${input.email}`)
    .limit(1);
  if (existing[0]) throw new AppError('conflict', `${input.email} is already a member`, { field: 'email' });
  await assertInvitationQuota(tx, tenant.id);
  return insertInvitation(tx, tenant, input, actor.userId);
}

/**
 * The first owner of a tenant an operator just created, when the owner email has no verified account: whoever
 * can read that mailbox accepts (platform transaction; the tenant has no members yet).
 */
export async function inviteOwner(
  tx: TTx,
  tenant: { id: string; name: string },
  email: string,
  operatorId: string | null,
): Promise<TInvitation> {
  const { acceptUrl: _shownOnlyInTheMail, ...invitation } = await insertInvitation(tx, tenant, { email, role: 'owner' }, operatorId);
  return invitation;
}

async function insertInvitation(
  tx: TTx,
  tenant: { id: string; name: string },
  input: { email: string; role: TRole },
  invitedBy: string | null,
): Promise<TInvitation & { acceptUrl: string }> {
  await tx
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.tenantId, tenant.id),
        eq(invitations.email, input.email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );

  const token = randomToken(32);
  const [row] = await tx
    .insert(invitations)
    .values({
      tenantId: tenant.id,
      email: input.email,
      role: input.role,
      tokenHash: sha256Hex(token),
      invitedBy,
      expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000),
    })
    .returning(columns);
  const acceptUrl = invitationUrl(token);
  await enqueueEmail(tx, {
    tenantId: tenant.id,
    to: input.email,
    subject: `You are invited to ${tenant.name} on Sitework`,
    text: `You have been invited to join ${tenant.name} on Sitework as ${input.role}.\n\nAccept: ${acceptUrl}\n\nThe link expires in ${INVITATION_TTL_DAYS} days.`,
  });
  return { ...toDto(row), acceptUrl };
}

export async function listInvitations(tx: TTx): Promise<TInvitation[]> {
  const rows = await tx.select(columns).from(invitations).orderBy(desc(invitations.createdAt), desc(invitations.id)).limit(200);
  return rows.map(toDto);
}

export async function revokeInvitation(tx: TTx, actor: TActor, invitationId: string): Promise<TInvitation> {
  const [row] = await tx.select(columns).from(invitations).where(eq(invitations.id, invitationId)).for('update');
  if (!row) throw new AppError('not_found', 'Invitation not found');
  if (row.role === 'owner' && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can revoke an owner invitation');
  }
  const status = statusOf(row);
  if (status !== 'pending') throw new AppError('conflict', `This invitation is already ${status}`);
  const [updated] = await tx
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(eq(invitations.id, invitationId))
    .returning(columns);
  return toDto(updated);
}

export interface TInvitationPreview {
  status: TInvitationStatus;
  email: string;
  role: TRole;
  tenantName: string;
  tenantSlug: string;
}

/**
 * What the accept page shows for a link (platform path: the token is the only thing the visitor has). It does
 * not say whether the email has an account: the inviter holds the link too.
 */
export async function previewInvitation(token: string): Promise<TInvitationPreview | null> {
  return withPlatform(async (tx) => {
    const rows = await tx
      .select({
        ...columns,
        tenantName: tenants.name,
        tenantSlug: tenants.slug,
        tenantActive: tenants.isActive,
      })
      .from(invitations)
      .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
      .where(eq(invitations.tokenHash, sha256Hex(token)))
      .limit(1);
    const row = rows[0];
    if (!row || !row.tenantActive) return null;
    return {
      status: statusOf(row),
      email: row.email,
      role: row.role,
      tenantName: row.tenantName,
      tenantSlug: row.tenantSlug,
    };
  });
}

const GONE_MESSAGES: Record<Exclude<TInvitationStatus, 'pending'>, string> = {
  accepted: 'This invitation has already been used. Sign in instead.',
  revoked: 'This invitation was revoked. Ask your administrator for a new one.',
  locked: `This invitation was locked after ${INVITATION_MAX_PASSWORD_ATTEMPTS} wrong passwords. Ask your administrator for a new one.`,
  expired: 'This invitation has expired. Ask your administrator for a new one.',
};

const gone = (status: Exclude<TInvitationStatus, 'pending'>) => new AppError('gone', GONE_MESSAGES[status], { status });

const invitationColumns = { ...columns, tenantId: invitations.tenantId, tenantSlug: tenants.slug, tenantActive: tenants.isActive };
type TAcceptable = Omit<TInvitation, 'status'> & { tenantId: string; tenantSlug: string };

const accountColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  isPlatformAdmin: users.isPlatformAdmin,
  passwordHash: users.passwordHash,
  emailVerifiedAt: users.emailVerifiedAt,
};
type TAccount = TUser & { passwordHash: string | null; emailVerifiedAt: Date | null };

async function findAccount(tx: TTx, email: string): Promise<TAccount | null> {
  const [account] = await tx.select(accountColumns).from(users).where(sql`lower(${users.email}) = ${email}`);
  return account ?? null;
}

/**
 * Checks the password of the invited email's existing account. The check is a password guess like a sign-in:
 * admitted by the same limits (per account and client network, 429), and counted on the invitation before
 * argon2 runs, so that of many attempts at once at most INVITATION_MAX_PASSWORD_ATTEMPTS reach it. The wrong
 * password that uses the last attempt locks the invitation. Failures are recorded in the tenant's audit log.
 */
async function checkInvitedAccountPassword(invitation: TAcceptable, account: TAccount, password: string, origin: TAuditOrigin): Promise<void> {
  const recordFailure = (reason: string, metadata: Record<string, unknown> = {}) =>
    recordRepeatedFailure({
      tenantId: invitation.tenantId,
      type: 'login_failed',
      action: 'invitation.accept',
      outcome: 'failure',
      actor: { type: 'user', id: account.id, name: invitation.email },
      target: { type: 'invitation', id: invitation.id, name: invitation.email },
      metadata: { reason, ...metadata },
      ...origin,
    });
  const attempt = await admitPasswordAttempt(invitation.email, origin.ip ?? UNKNOWN_CLIENT_ADDRESS).catch(async (error: unknown) => {
    if (isAppError(error) && error.code === 'rate_limited') await recordFailure('rate_limited');
    throw error;
  });

  const [counted] = await withPlatform((tx) =>
    tx
      .update(invitations)
      .set({ failedPasswordAttempts: sql`${invitations.failedPasswordAttempts} + 1` })
      .where(
        and(
          eq(invitations.id, invitation.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, new Date()),
          lt(invitations.failedPasswordAttempts, INVITATION_MAX_PASSWORD_ATTEMPTS),
        ),
      )
      .returning(columns),
  );
  if (!counted) {
    const [current] = await withPlatform((tx) => tx.select(columns).from(invitations).where(eq(invitations.id, invitation.id)));
    const status = current ? statusOf(current) : 'revoked';
    if (status !== 'pending') throw gone(status);
    // Every attempt left is being checked right now (a right password gives its attempt back).
    throw new AppError('rate_limited', 'Too many password attempts for this invitation. Try again in a few seconds.', { retryAfterSeconds: 5 }, { 'Retry-After': '5' });
  }

  if (await verifyPassword(account.passwordHash, password)) {
    await Promise.all([
      attempt.succeeded(),
      withPlatform((tx) =>
        tx
          .update(invitations)
          .set({ failedPasswordAttempts: sql`greatest(${invitations.failedPasswordAttempts} - 1, 0)` })
          .where(eq(invitations.id, invitation.id)),
      ),
    ]);
    return;
  }

  const failed = counted.failedPasswordAttempts;
  await recordFailure('wrong_password', { failedPasswordAttempts: failed });
  const attemptsLeft = INVITATION_MAX_PASSWORD_ATTEMPTS - failed;
  if (attemptsLeft > 0) {
    throw new AppError(
      'unauthorized',
      `Wrong password for ${invitation.email}. ${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left before this invitation is locked.`,
      { field: 'password', attemptsLeft },
    );
  }
  // The last attempt: the link is invalidated, in the same transaction as the security event that says why.
  await withPlatform(async (tx) => {
    await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    await recordAudit(tx, {
      tenantId: invitation.tenantId,
      type: 'security_event',
      action: 'invitation.lock',
      outcome: 'failure',
      actor: SYSTEM_ACTOR('Password attempt limit'),
      target: { type: 'invitation', id: invitation.id, name: invitation.email },
      metadata: { failedPasswordAttempts: failed },
      ...origin,
    });
  });
  throw new AppError(
    'unauthorized',
    `Wrong password for ${invitation.email}. ${GONE_MESSAGES.locked}`,
    { field: 'password', attemptsLeft: 0 },
  );
}

/**
 * Accepts an invitation: links an existing account (after checking its password; it must have confirmed its
 * email) or creates one, adds the membership and marks the invitation used, in one transaction with the
 * invitation row locked so a link cannot be used twice. The password is checked before that transaction, so no
 * row is locked while argon2 runs. A new account has not proved its address (the inviter has the link too), so it
 * is mailed a confirmation link in the same transaction.
 */
export async function acceptInvitation(
  input: z.infer<typeof ZAcceptInvitation>,
  origin: TAuditOrigin = {},
): Promise<{ user: TUser; tenantSlug: string; role: TRole }> {
  const tokenHash = sha256Hex(input.token);
  const { invitation, account } = await withPlatform(async (tx) => {
    const [found] = await tx
      .select(invitationColumns)
      .from(invitations)
      .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
      .where(eq(invitations.tokenHash, tokenHash));
    if (!found || !found.tenantActive) throw new AppError('not_found', 'This invitation link is not valid');
    const status = statusOf(found);
    if (status !== 'pending') throw gone(status);
    return { invitation: found, account: await findAccount(tx, found.email) };
  });
  if (account) await checkInvitedAccountPassword(invitation, account, input.password, origin);

  return withPlatform(async (tx) => {
    const [locked] = await tx
      .select(invitationColumns)
      .from(invitations)
      .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
      .where(eq(invitations.id, invitation.id))
      .for('update', { of: invitations });
    if (!locked || !locked.tenantActive) throw new AppError('not_found', 'This invitation link is not valid');
    const status = statusOf(locked);
    if (status !== 'pending') throw gone(status);

    const current = await findAccount(tx, invitation.email);
    let user: TUser;
    if (current) {
      // An account created since the password check was not checked: the person tries again, and is asked for it.
      if (current.id !== account?.id) throw new AppError('conflict', `An account for ${invitation.email} was just created. Try again.`);
      if (!current.emailVerifiedAt) {
        throw new AppError(
          'forbidden',
          `Confirm ${invitation.email} first: open the link we mailed to it, or ask for a new one at ${confirmationResendUrl()}`,
          { reason: 'email_unverified' },
        );
      }
      const { passwordHash: _ignored, emailVerifiedAt: _verified, ...rest } = current;
      user = rest;
    } else {
      if (!input.name) {
        throw new AppError('validation_failed', 'Your name is required', { fields: [{ field: 'name', message: 'is required' }] });
      }
      user = await insertUser(tx, { email: invitation.email, name: input.name, password: input.password, isEmailVerified: false });
      await issueEmailVerification(tx, user);
    }
    let membershipId: string;
    try {
      const [membership] = await tx
        .insert(memberships)
        .values({ tenantId: invitation.tenantId, userId: user.id, role: locked.role })
        .returning({ id: memberships.id });
      membershipId = membership.id;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', 'You are already a member of this organisation');
      throw error;
    }
    // In the tenant's audit log, in this transaction: a new member is a security event.
    await recordAudit(tx, {
      tenantId: invitation.tenantId,
      type: 'security_event',
      action: 'invitation.accept',
      actor: { type: 'user', id: user.id, name: user.name || user.email },
      target: { type: 'member', id: membershipId, name: user.email },
      metadata: { role: locked.role, invitationId: invitation.id },
      ...origin,
    });
    await tx
      .update(invitations)
      .set({ acceptedAt: new Date(), acceptedBy: user.id })
      .where(and(eq(invitations.id, invitation.id), gt(invitations.expiresAt, new Date())));
    return { user, tenantSlug: locked.tenantSlug, role: locked.role };
  });
}

export async function changeInvitationRole(tx: TTx, actor: TActor, invitationId: string, role: TRole): Promise<TInvitation> {
  const [row] = await tx.select(columns).from(invitations).where(eq(invitations.id, invitationId)).for('update');
  if (!row) throw new AppError('not_found', 'Invitation not found');
  if ((row.role === 'owner' || role === 'owner') && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can grant the owner role');
  }
  const status = statusOf(row);
  if (status !== 'pending') throw new AppError('conflict', `This invitation is already ${status}`);
  const [updated] = await tx.update(invitations).set({ role }).where(eq(invitations.id, invitationId)).returning(columns);
  return toDto(updated);
}
