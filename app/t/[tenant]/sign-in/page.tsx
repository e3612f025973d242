import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { safeNextPath } from '@/app/_lib/safe-next';
import { AuthCard } from '@/components/auth/auth-card';
import { SignInForm } from '@/components/auth/sign-in-form';
import { TenantBrand } from '@/components/portal/tenant-brand';
import { readSessionUser } from '@/lib/auth';
import { brandingOf, loadTenant } from '../portal-context';

export const metadata: Metadata = { title: 'Sign in', referrer: 'no-referrer' };

type TProps = {
  params: Promise<{ tenant: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function TenantSignInPage({ params, searchParams }: TProps) {
  const tenant = await loadTenant((await params).tenant);
  const query = await searchParams;
  const handoff = typeof query.handoff === 'string' && query.handoff ? query.handoff : undefined;
  const next = safeNextPath(query.next, '/');
  const user = handoff ? null : await readSessionUser((await headers()).get('cookie'));
  const branding = brandingOf(tenant);

  return (
    <div className="min-h-screen border-t-4 border-brand">
      <div className="flex justify-center pt-10">
        <TenantBrand displayName={branding.displayName} logoUrl={branding.logoUrl} size="lg" />
      </div>
      <AuthCard
        title={`Sign in to ${branding.displayName}`}
        description={
          user ? (
            <>
              You are signed in as {user.email}.{' '}
              <Link href="/" className="font-medium text-brand hover:underline">
                Continue to the portal
              </Link>
            </>
          ) : (
            'Use the email and password of your Sitework account.'
          )
        }
      >
        <SignInForm next={next} handoff={handoff} />
      </AuthCard>
    </div>
  );
}
