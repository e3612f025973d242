import 'server-only';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { TTx } from '@/db/client';
import { archivalPolicies } from '@/db/schema/files';
import { AppError } from '@/lib/app-error';
import { ARCHIVE_STORAGE_CLASSES, type TArchiveStorageClass } from '@/lib/storage';

/** What kind of file a policy applies to (audit_export is used by the audit exports, not by files). */
export type TPolicyTarget = 'completed' | 'failed' | 'temporary' | 'audit_export';

export interface TArchivalPolicy {
  id: string;
  description: string;
  appliesTo: TPolicyTarget;
  minAgeDays: number;
  storageClass: TArchiveStorageClass;
  isEnabled: boolean;
  updatedAt: Date;
}

export const ZArchiveStorageClass = z.enum(ARCHIVE_STORAGE_CLASSES);

export const ZArchivalPolicyPatch = z
  .object({
    minAgeDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1 day').max(36_500, 'must be at most 100 years').optional(),
    storageClass: ZArchiveStorageClass.optional(),
    isEnabled: z.boolean().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one of minAgeDays, storageClass, isEnabled');
export type TArchivalPolicyPatch = z.infer<typeof ZArchivalPolicyPatch>;

const policyColumns = {
  id: archivalPolicies.id,
  description: archivalPolicies.description,
  appliesTo: archivalPolicies.appliesTo,
  minAgeDays: archivalPolicies.minAgeDays,
  storageClass: archivalPolicies.storageClass,
  isEnabled: archivalPolicies.isEnabled,
  updatedAt: archivalPolicies.updatedAt,
};

export async function listArchivalPolicies(tx: TTx): Promise<TArchivalPolicy[]> {
  const rows = await tx.select(policyColumns).from(archivalPolicies).orderBy(asc(archivalPolicies.minAgeDays), asc(archivalPolicies.id));
  return rows as TArchivalPolicy[];
}

/** Operators change a policy's age, storage class or switch it off; the next run applies it. */
export async function updateArchivalPolicy(tx: TTx, policyId: string, patch: TArchivalPolicyPatch): Promise<TArchivalPolicy> {
  const [row] = await tx
    .update(archivalPolicies)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(archivalPolicies.id, policyId))
    .returning(policyColumns);
  if (!row) throw new AppError('not_found', `No archival policy ${policyId}`);
  return row as TArchivalPolicy;
}

/**
 * The policy that governs a file: temporary files by the temporary policy, otherwise by their status.
 * Used for the storage class; eligibility (enabled, old enough) is decided in the claim query.
 */
export function policyForFile(
  policies: TArchivalPolicy[],
  file: { status: string; isTemporary: boolean },
): TArchivalPolicy | undefined {
  const byTarget = (target: TPolicyTarget) => policies.find((p) => p.appliesTo === target);
  if (file.isTemporary && byTarget('temporary')?.isEnabled) return byTarget('temporary');
  if (file.status === 'completed' || file.status === 'failed') return byTarget(file.status);
  return file.isTemporary ? byTarget('temporary') : undefined;
}
