import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/components/auth/auth-card';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { Logo } from '@/components/brand/logo';
import { Badge } from '@/components/ui/badge';
import { StatusAnnouncer } from '@/components/ui/status-announcer';
import { AdminNav } from './admin-nav';
import { checkOperator } from './operator';

export const metadata: Metadata = { title: { default: 'Platform console · Sitework', template: '%s · Platform console' } };

/** The operator console: only users whose database record says is_platform_admin. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const check = await checkOperator();
  if (check.kind === 'anonymous') redirect('/sign-in?next=/admin');
  if (check.kind === 'forbidden') {
    return (
      <AuthCard
        title="403 — Platform operators only"
        description={`You are signed in as ${check.user?.email ?? 'an unknown account'}, which is not a platform operator.`}
      >
        <div className="flex flex-wrap items-center gap-3">
          <SignOutButton callbackUrl="/sign-in" variant="primary" />
          <Link href="/orgs" className="text-sm font-medium text-brand hover:underline">
            Your organisations
          </Link>
        </div>
      </AuthCard>
    );
  }

  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-800 bg-slate-900 text-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
          <Link href="/admin" className="flex items-center gap-2 font-semibold">
            <Logo />
            Sitework <span className="font-normal text-slate-400">Platform console</span>
          </Link>
          <AdminNav />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-slate-300">{check.user.name}</span>
            <Badge tone="amber">operator</Badge>
            <SignOutButton callbackUrl="/sign-in" />
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 sm:px-6 lg:py-8">
        <StatusAnnouncer>{children}</StatusAnnouncer>
      </main>
    </div>
  );
}
