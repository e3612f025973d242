import 'server-only';
import { recordAudit, type TAuditOrigin } from '@/lib/audit';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { invitations, memberships, users, type TRole } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { AppError, isUniqueViolation } from '@/lib/app-error';
import { config } from '@/lib/config';
import { enqueueEmail } from '@/lib/mail';
import { withPlatform } from '@/lib/tenancy';
import { ZRole, type TActor } from './members';
import { verifyPassword } from './password';
import { randomToken, sha256Hex } from './tokens';
import { ZEmail, ZPassword, ZPersonName, insertUser, type TUser } from './users';

export const INVITATION_TTL_DAYS = 7;

export const ZCreateInvitation = z.object({ email: ZEmail, role: ZRole }).strict();
export const ZAcceptInvitation = z.object({
  token: z.string().min(20).max(200),
  name: ZPersonName.optional(),
  password: ZPassword,
});

export type TInvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface TInvitation {
  id: string;
  email: string;
  role: TRole;
  status: TInvitationStatus;
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

const columns = {
  id: invitations.id,
  email: invitations.email,
  role: invitations.role,
  expiresAt: invitations.expiresAt,
  createdAt: invitations.createdAt,
  acceptedAt: invitations.acceptedAt,
  revokedAt: invitations.revokedAt,
};

function statusOf(row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }): TInvitationStatus {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
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
 * Invites an email with a role: replaces any pending invitation for the same email, stores only the token's
 * hash, and queues the email in the same transaction. The link is returned once, for "copy link".
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

  await tx
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(and(eq(invitations.email, input.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));

  const token = randomToken(32);
  const [row] = await tx
    .insert(invitations)
    .values({
      tenantId: tenant.id,
      email: input.email,
      role: input.role,
      tokenHash: sha256Hex(token),
      invitedBy: actor.userId,
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
  hasAccount: boolean;
}

/** What the accept page shows for a link (platform path: the token is the only thing the visitor has). */
export async function previewInvitation(token: string): Promise<TInvitationPreview | null> {
  return withPlatform(async (tx) => {
    const rows = await tx
      .select({
        ...columns,
        tenantName: tenants.name,
        tenantSlug: tenants.slug,
        tenantActive: tenants.isActive,
        hasAccount: sql<boolean>`exists (select 1 from users u where lower(u.email) = ${invitations.email})`,
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
      hasAccount: row.hasAccount,
    };
  });
}

const GONE_MESSAGES: Record<Exclude<TInvitationStatus, 'pending'>, string> = {
  accepted: 'This invitation has already been used. Sign in instead.',
  revoked: 'This invitation was revoked. Ask your administrator for a new one.',
  expired: 'This invitation has expired. Ask your administrator for a new one.',
};

/**
 * Accepts an invitation: links an existing account (after checking its password) or creates one, adds the
 * membership and marks the invitation used, in one transaction with the invitation row locked so a link
 * cannot be used twice.
 */
export async function acceptInvitation(
  input: z.infer<typeof ZAcceptInvitation>,
  origin: TAuditOrigin = {},
): Promise<{ user: TUser; tenantSlug: string; role: TRole }> {
  return withPlatform(async (tx) => {
    const [invitation] = await tx
      .select({ ...columns, tenantId: invitations.tenantId, tenantSlug: tenants.slug, tenantActive: tenants.isActive })
      .from(invitations)
      .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
      .where(eq(invitations.tokenHash, sha256Hex(input.token)))
      .for('update', { of: invitations });
    if (!invitation || !invitation.tenantActive) throw new AppError('not_found', 'This invitation link is not valid');
    const status = statusOf(invitation);
    if (status !== 'pending') throw new AppError('gone', GONE_MESSAGES[status], { status });

    const [existing] = await tx
      .select({ id: users.id, email: users.email, name: users.name, isPlatformAdmin: users.isPlatformAdmin, passwordHash: users.passwordHash })
      .from(users)
      .where(sql`lower(${users.email}) = ${invitation.email}`);
    let user: TUser;
    if (existing) {
      if (!(await verifyPassword(existing.passwordHash, input.password))) {
        throw new AppError('unauthorized', `Wrong password for ${invitation.email}`, { field: 'password' });
      }
      const { passwordHash: _ignored, ...rest } = existing;
      user = rest;
    } else {
      if (!input.name) {
        throw new AppError('validation_failed', 'Your name is required', { fields: [{ field: 'name', message: 'is required' }] });
      }
      user = await insertUser(tx, { email: invitation.email, name: input.name, password: input.password });
    }
    let membershipId: string;
    try {
      const [membership] = await tx
        .insert(memberships)
        .values({ tenantId: invitation.tenantId, userId: user.id, role: invitation.role })
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
      metadata: { role: invitation.role, invitationId: invitation.id },
      ...origin,
    });
    await tx
      .update(invitations)
      .set({ acceptedAt: new Date(), acceptedBy: user.id })
      .where(and(eq(invitations.id, invitation.id), gt(invitations.expiresAt, new Date())));
    return { user, tenantSlug: invitation.tenantSlug, role: invitation.role };
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
