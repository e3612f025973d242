'use server';

import { headers } from 'next/headers';
import { action } from '@/lib/api';
import { ZConfirmEmail, ZResendConfirmation, confirmEmail, handoffUrl, resendConfirmation } from '@/lib/auth';
import { clientAddressOf } from '@/lib/client-address';

/**
 * Confirms an address with its link and the account's password; answers where to go once signed in: the new
 * organisation's portal after a sign-up, the list of organisations otherwise.
 */
export const confirmEmailAction = action(
  // confirmEmail records the new organisation's first event in its own audit log.
  { name: 'confirmEmail', access: 'public', input: ZConfirmEmail, audit: false },
  async ({ data }) => {
    const confirmed = await confirmEmail(data, { clientAddress: clientAddressOf(await headers()) });
    const url = confirmed.kind === 'sign_up' ? handoffUrl(confirmed.user.id, confirmed.tenant.slug) : '/orgs';
    return { email: confirmed.user.email, url };
  },
);

/** Mails a new link if the address waits for one; the answer is the same whether or not it does. */
export const resendConfirmationAction = action(
  { name: 'resendConfirmation', access: 'public', input: ZResendConfirmation, audit: false },
  async ({ data }) => {
    await resendConfirmation(data.email, { clientAddress: clientAddressOf(await headers()) });
    return { email: data.email };
  },
);
