import 'server-only';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { AppError } from '@/lib/app-error';
import { getEstimate, type TEstimate } from '@/lib/estimates';
import { withTenant } from '@/lib/tenancy';

/** The estimate of a detail or edit page; a malformed or unknown id (or another tenant's, under RLS) is a 404. */
export async function loadEstimate(tenantId: string, id: string): Promise<TEstimate> {
  if (!z.uuid().safeParse(id).success) notFound();
  try {
    return await withTenant(tenantId, (tx) => getEstimate(tx, id));
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') notFound();
    throw error;
  }
}
