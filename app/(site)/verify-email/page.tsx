import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/components/auth/auth-card';
import { CONFIRMATION_TTL_HOURS, previewConfirmation } from '@/lib/auth';
import { ConfirmForm } from './confirm-form';

export const metadata: Metadata = { title: 'Confirm your email · Sitework', referrer: 'no-referrer' };

const linkClass = 'font-medium text-brand hover:underline';

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const preview = typeof token === 'string' && token.length >= 20 && token.length <= 200 ? await previewConfirmation(token) : null;

  if (!preview || typeof token !== 'string') {
    return (
      <AuthCard
        title="This confirmation link is not valid"
        description={
          <>
            It may have been used already, or be more than {CONFIRMATION_TTL_HOURS} hours old. Check that you opened the
            whole link from the latest mail, or{' '}
            <Link href="/verify-email/resend" className={linkClass}>
              ask for a new link
            </Link>{' '}
            (a sign-up older than {CONFIRMATION_TTL_HOURS} hours has to{' '}
            <Link href="/sign-up" className={linkClass}>
              start again
            </Link>
            ).
          </>
        }
      />
    );
  }

  if (preview.kind === 'sign_up') {
    return (
      <AuthCard
        title={`Create ${preview.organisationName}`}
        description={
          <>
            Confirm <strong>{preview.email}</strong> with the password you chose at sign-up, and your organisation&apos;s
            portal <span className="font-mono">{preview.slug}</span> is ready.
          </>
        }
      >
        <ConfirmForm token={token} email={preview.email} submitLabel="Confirm and create organisation" />
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Confirm your email"
      description={
        <>
          Confirm <strong>{preview.email}</strong> with your account&apos;s password. Until then it cannot accept more
          invitations or own a new organisation.
        </>
      }
    >
      <ConfirmForm token={token} email={preview.email} submitLabel="Confirm email" />
    </AuthCard>
  );
}
