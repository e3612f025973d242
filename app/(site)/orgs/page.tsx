import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/components/auth/auth-card';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { listUserTenants, readSessionUser } from '@/lib/auth';
import { config } from '@/lib/config';

export const metadata: Metadata = { title: 'Your organisations · Sitework' };

export default async function OrganisationsPage() {
  const user = await readSessionUser((await headers()).get('cookie'));
  if (!user) redirect('/sign-in?next=/orgs');
  const tenants = await listUserTenants(user.id);
  const host = new URL(config().APP_URL).host;

  return (
    <AuthCard
      title="Your organisations"
      description={`Signed in as ${user.name} (${user.email}). Choose where to go.`}
      footer={<SignOutButton callbackUrl="/sign-in" variant="ghost" />}
    >
      {tenants.length === 0 ? (
        <p className="text-sm text-slate-600">
          You are not a member of any active organisation yet. Ask an administrator for an invitation, or{' '}
          <Link href="/sign-up" className="font-medium text-brand hover:underline">
            create an organisation
          </Link>
          .
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-md ring-1 ring-slate-200" aria-label="Organisations">
          {tenants.map((tenant) => (
            <li key={tenant.id}>
              {/* The route mints a fresh 60-second handoff link when clicked, so a page left open still works. */}
              <a href={`/orgs/${tenant.slug}`} className="flex items-center justify-between gap-3 px-4 py-3 hover:bg-slate-50">
                <span>
                  <span className="block font-medium text-slate-900">{tenant.name}</span>
                  <span className="block text-xs text-slate-500">
                    {tenant.slug}.{host}
                  </span>
                </span>
                <Badge>{tenant.role}</Badge>
              </a>
            </li>
          ))}
        </ul>
      )}
      {user.isPlatformAdmin && (
        <div className="mt-6 border-t border-slate-200 pt-4">
          <Link href="/admin" className={buttonClass('secondary', 'md', 'w-full')}>
            Platform console
          </Link>
        </div>
      )}
    </AuthCard>
  );
}
