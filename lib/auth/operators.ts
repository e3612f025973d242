import 'server-only';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '@/db/schema/auth';
import { AppError } from '@/lib/app-error';
import { platformDb, withPlatform } from '@/lib/tenancy';
import { ZEmail, ZPassword, ZPersonName, insertUser } from './users';

export type TOperatorOutcome = 'created' | 'promoted' | 'already_operator';

/**
 * The first (or another) platform operator, as `npm run create-operator` makes one on a production database where
 * no demo account exists. An existing account becomes an operator only when asked to (`promote`): otherwise whoever
 * registered that email first would be handed the console.
 */
export async function createPlatformOperator(input: {
  email: string;
  name?: string;
  password?: string;
  promote?: boolean;
}): Promise<TOperatorOutcome> {
  const email = ZEmail.parse(input.email);
  return withPlatform(async (tx) => {
    const [existing] = await tx
      .select({ id: users.id, isPlatformAdmin: users.isPlatformAdmin, emailVerifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`)
      .for('update');
    if (existing?.isPlatformAdmin) return 'already_operator';
    if (existing) {
      if (!input.promote) {
        throw new AppError('conflict', `An account with ${email} already exists: pass --promote to make it an operator (its password is kept)`);
      }
      // Anyone can create an unverified account for any address (by inviting it): never hand one the console.
      if (!existing.emailVerifiedAt) {
        throw new AppError('conflict', `The account with ${email} has not confirmed its email address: it cannot be made an operator`);
      }
      await tx.update(users).set({ isPlatformAdmin: true }).where(eq(users.id, existing.id));
      return 'promoted';
    }
    const account = z.object({ name: ZPersonName, password: ZPassword }).parse({ name: input.name ?? email.split('@')[0], password: input.password });
    // Whoever runs the script on the server vouches for the address.
    await insertUser(tx, { email, ...account, isEmailVerified: true, isPlatformAdmin: true });
    return 'created';
  });
}

export async function countPlatformOperators(): Promise<number> {
  const [row] = await platformDb()
    .select({ count: sql<number>`count(*)::int` })
    .from(users)
    .where(eq(users.isPlatformAdmin, true));
  return row.count;
}
