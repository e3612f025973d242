import 'server-only';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { ROLES, memberships, users, type TRole } from '@/db/schema/auth';
import { AppError } from '@/lib/app-error';

export const ZRole = z.enum(ROLES);
export const ZChangeRole = z.object({ role: ZRole }).strict();

export interface TMember {
  id: string;
  userId: string;
  email: string;
  name: string;
  role: TRole;
  createdAt: Date;
}

/** Who is acting: the wrappers pass this down so rules that depend on the actor's role live here. */
export interface TActor {
  userId: string | null;
  role: TRole;
}

const memberColumns = {
  id: memberships.id,
  userId: memberships.userId,
  email: users.email,
  name: users.name,
  role: memberships.role,
  createdAt: memberships.createdAt,
};

export async function listMembers(tx: TTx): Promise<TMember[]> {
  return tx
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.id));
}

async function lockMember(tx: TTx, membershipId: string): Promise<TMember> {
  const rows = await tx
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.id, membershipId))
    .for('update', { of: memberships });
  if (!rows[0]) throw new AppError('not_found', 'Member not found');
  return rows[0];
}

/**
 * Counts owners with their rows locked, so two owners demoting each other at once cannot leave the tenant
 * with none: the second transaction waits and then sees one owner. Callers take these locks before locking
 * the target, always in id order, so two such transactions queue instead of deadlocking.
 */
async function lockedOwnerCount(tx: TTx): Promise<number> {
  const rows = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(eq(memberships.role, 'owner'))
    .orderBy(asc(memberships.id))
    .for('update');
  return rows.length;
}

function assertMayTouchOwnership(actor: TActor, target: TMember, newRole?: TRole): void {
  if ((target.role === 'owner' || newRole === 'owner') && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can grant, change or remove the owner role');
  }
}

export async function changeMemberRole(tx: TTx, actor: TActor, membershipId: string, role: TRole): Promise<TMember> {
  const ownerCount = await lockedOwnerCount(tx);
  const target = await lockMember(tx, membershipId);
  assertMayTouchOwnership(actor, target, role);
  if (target.role === role) return target;
  if (target.role === 'owner' && ownerCount <= 1) {
    throw new AppError('conflict', 'This is the last owner: make someone else an owner first');
  }
  await tx.update(memberships).set({ role, updatedAt: new Date() }).where(eq(memberships.id, membershipId));
  return { ...target, role };
}

export async function removeMember(tx: TTx, actor: TActor, membershipId: string): Promise<TMember> {
  const ownerCount = await lockedOwnerCount(tx);
  const target = await lockMember(tx, membershipId);
  assertMayTouchOwnership(actor, target);
  if (target.role === 'owner' && ownerCount <= 1) {
    throw new AppError('conflict', 'This is the last owner and cannot be removed');
  }
  await tx.delete(memberships).where(and(eq(memberships.id, membershipId)));
  return target;
}
