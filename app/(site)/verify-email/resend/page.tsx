import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/components/auth/auth-card';
import { ResendForm } from './resend-form';

export const metadata: Metadata = { title: 'Send the confirmation link again · Sitework' };

export default function ResendConfirmationPage() {
  return (
    <AuthCard
      title="Send the confirmation link again"
      description="For a sign-up or an account that has not confirmed its email yet. Earlier links stop working."
      footer={
        <>
          Already confirmed?{' '}
          <Link href="/sign-in" className="font-medium text-brand hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <ResendForm />
    </AuthCard>
  );
}
