import 'server-only';
import { headers } from 'next/headers';
import { cache } from 'react';
import { findUserById, readSessionUser, type TUser } from '@/lib/auth';

export type TOperatorCheck = { kind: 'anonymous' } | { kind: 'forbidden'; user: TUser | null } | { kind: 'operator'; user: TUser };

/** The console's gate: the flag is read from the database, since the one in the session may be stale. */
export const checkOperator = cache(async (): Promise<TOperatorCheck> => {
  const session = await readSessionUser((await headers()).get('cookie'));
  if (!session) return { kind: 'anonymous' };
  const user = await findUserById(session.id);
  if (!user?.isPlatformAdmin) return { kind: 'forbidden', user };
  return { kind: 'operator', user };
});

/** For console pages: true only for an operator (the layout has already shown the refusal). */
export async function isOperator(): Promise<boolean> {
  return (await checkOperator()).kind === 'operator';
}
