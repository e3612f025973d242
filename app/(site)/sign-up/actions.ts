'use server';

import { headers } from 'next/headers';
import { action } from '@/lib/api';
import { ZSignUp, requestSignUp } from '@/lib/auth';
import { clientAddressOf } from '@/lib/client-address';

/**
 * Mails a confirmation link (or, when the address has an account, a note saying so): nothing is created until the
 * link is opened, and the answer is the same either way.
 */
export const signUpAction = action({ name: 'signUp', access: 'public', input: ZSignUp }, async ({ data }) =>
  requestSignUp(data, { clientAddress: clientAddressOf(await headers()) }),
);
