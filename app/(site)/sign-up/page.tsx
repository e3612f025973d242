import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/components/auth/auth-card';
import { config } from '@/lib/config';
import { SignUpForm } from './sign-up-form';

export const metadata: Metadata = { title: 'Create an organisation · Sitework' };
// The portal address preview depends on this server's APP_URL, not the one at build time.
export const dynamic = 'force-dynamic';

export default function SignUpPage() {
  return (
    <AuthCard
      title="Create an organisation"
      description="Your account and your organisation's portal, ready in a minute. You will be its owner. We mail you a link to confirm your address first."
      footer={
        <>
          Already have an account?{' '}
          <Link href="/sign-in" className="font-medium text-brand hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <SignUpForm appHost={new URL(config().APP_URL).host} />
    </AuthCard>
  );
}
