import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { safeNextPath } from '@/app/_lib/safe-next';
import { AuthCard } from '@/components/auth/auth-card';
import { SignInForm } from '@/components/auth/sign-in-form';
import { readSessionUser } from '@/lib/auth';

export const metadata: Metadata = { title: 'Sign in · Sitework' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next, '/orgs');
  const user = await readSessionUser((await headers()).get('cookie'));
  return (
    <AuthCard
      title="Sign in to Sitework"
      description={
        user ? (
          <>
            You are signed in as {user.email}.{' '}
            <Link href="/orgs" className="font-medium text-brand hover:underline">
              Go to your organisations
            </Link>
          </>
        ) : (
          'Use the email and password of your Sitework account.'
        )
      }
      footer={
        <>
          New to Sitework?{' '}
          <Link href="/sign-up" className="font-medium text-brand hover:underline">
            Create an organisation
          </Link>
        </>
      }
    >
      <SignInForm next={next} />
    </AuthCard>
  );
}
