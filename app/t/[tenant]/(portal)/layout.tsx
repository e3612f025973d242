import Link from 'next/link';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { PortalNav, type TNavItem } from '@/components/portal/portal-nav';
import { TenantBrand } from '@/components/portal/tenant-brand';
import { TenantSwitcher } from '@/components/portal/tenant-switcher';
import { AuthCard } from '@/components/auth/auth-card';
import { BrowserErrorListener } from '@/components/errors/browser-error-listener';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { StatusAnnouncer } from '@/components/ui/status-announcer';
import { listUserTenants, type TPermission } from '@/lib/auth';
import { describeUsageWarning, listActiveWarnings } from '@/lib/billing';
import { config } from '@/lib/config';
import { withTenant } from '@/lib/tenancy';
import { brandingOf, loadPortal } from '../portal-context';
import { switchTenantAction } from './actions';

const NAV: (TNavItem & { permission?: TPermission })[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/files', label: 'Files', permission: 'files:read' },
  { href: '/usage', label: 'Usage', permission: 'usage:read' },
  { href: '/billing', label: 'Billing', permission: 'billing:read' },
  { href: '/audit', label: 'Audit', permission: 'audit:read' },
  { href: '/errors', label: 'Errors', permission: 'errors:read' },
  { href: '/estimates', label: 'Estimates', permission: 'estimates:read' },
  { href: '/members', label: 'Members', permission: 'members:read' },
  { href: '/api-keys', label: 'API keys', permission: 'keys:manage' },
  { href: '/settings', label: 'Settings', permission: 'settings:manage' },
];

/** The signed-in portal: branded header, organisation switcher, account, and the section navigation. */
export default async function PortalLayout({ children, params }: { children: React.ReactNode; params: Promise<{ tenant: string }> }) {
  const portal = await loadPortal((await params).tenant);
  const branding = brandingOf(portal.tenant);

  if (portal.kind === 'not-member') {
    return (
      <div className="border-t-4 border-brand">
        <AuthCard
          title={`You are not a member of ${portal.tenant.name}`}
          description={`You are signed in as ${portal.user.email}, which has no access to this organisation. Sign out and sign in with another account, or ask an administrator of ${portal.tenant.name} for an invitation.`}
        >
          <div className="flex flex-wrap gap-3">
            <SignOutButton callbackUrl="/sign-in" variant="primary" />
            <a href={`${config().APP_URL}/orgs`} className="self-center text-sm font-medium text-brand hover:underline">
              Your organisations
            </a>
          </div>
        </AuthCard>
      </div>
    );
  }

  const tenants = await listUserTenants(portal.user.id);
  const nav = NAV.filter((item) => !item.permission || portal.permissions.has(item.permission));
  const tenantId = portal.tenant.id;
  const warnings = portal.permissions.has('usage:read') ? await withTenant(tenantId, (tx) => listActiveWarnings(tx, tenantId)) : [];

  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-t-4 border-b border-t-brand border-b-slate-200 bg-white print:hidden">
        {/* Phones: brand and Sign out on the first row, switcher and account on the second. */}
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
          <Link href="/" className="order-1 min-w-0 flex-1 sm:flex-none">
            <TenantBrand displayName={branding.displayName} logoUrl={branding.logoUrl} />
          </Link>
          <div className="order-3 flex w-full min-w-0 items-center gap-3 sm:order-2 sm:ml-auto sm:w-auto">
            <TenantSwitcher
              current={portal.tenant.slug}
              tenants={tenants.map((t) => ({ slug: t.slug, name: t.name }))}
              switchTenant={switchTenantAction}
            />
            <div className="flex min-w-0 items-center gap-2 text-sm">
              <span className="sr-only">Signed in as</span>
              <span className="truncate font-medium text-slate-800">{portal.user.name}</span>
              <Badge tone="blue">{portal.role}</Badge>
            </div>
          </div>
          <div className="order-2 sm:order-3">
            <SignOutButton callbackUrl="/sign-in" />
          </div>
        </div>
      </header>
      <div className="flex flex-1 flex-col md:flex-row">
        {/* Printing shows the page alone (an invoice prints as a document). */}
        <div className="contents print:hidden">
          <PortalNav items={nav.map(({ href, label }) => ({ href, label }))} />
        </div>
        <main className="min-w-0 flex-1 px-4 py-6 sm:px-6 lg:px-8">
          {warnings.length > 0 && (
            <Alert tone="warning" title="Usage limits" className="mb-6 print:hidden">
              <ul className="list-inside list-disc">
                {warnings.map((warning) => (
                  <li key={warning.metric}>{describeUsageWarning(warning)}</li>
                ))}
              </ul>
              {portal.permissions.has('billing:read') && (
                <Link href="/billing" className="font-medium underline">
                  Review your plan
                </Link>
              )}
            </Alert>
          )}
          <BrowserErrorListener />
          <StatusAnnouncer>{children}</StatusAnnouncer>
        </main>
      </div>
    </div>
  );
}
