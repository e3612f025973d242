import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { formatBytes, formatDate, formatNumber } from '@/components/ui/format';
import { listMembers } from '@/lib/auth';
import { getPlan } from '@/lib/billing';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../portal-context';

export const metadata: Metadata = { title: 'Dashboard' };

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">{value}</dd>
      {detail && <dd className="mt-0.5 text-xs text-slate-500">{detail}</dd>}
    </div>
  );
}

export default async function DashboardPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant, user, role, permissions } = await requireMember((await params).tenant);
  const [members, plan] = await withTenant(tenant.id, async (tx) => [await listMembers(tx), await getPlan(tx, tenant.plan)] as const);

  const links = [
    { href: '/files', label: 'Upload and browse files', permission: 'files:read' as const },
    { href: '/estimates', label: 'Cost estimates', permission: 'estimates:read' as const },
    { href: '/usage', label: 'Usage this month', permission: 'usage:read' as const },
    { href: '/members', label: 'Members and invitations', permission: 'members:read' as const },
    { href: '/api-keys', label: 'API keys', permission: 'keys:manage' as const },
    { href: '/settings', label: 'Settings and branding', permission: 'settings:manage' as const },
  ].filter((l) => permissions.has(l.permission));

  return (
    <>
      <PageHeader
        title={`Welcome, ${user.name}`}
        description={`You are ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} of ${tenant.name}.`}
      />
      <dl className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4" aria-label="Plan and quotas">
        <Stat label="Plan" value={plan.name} detail={`Organisation since ${formatDate(tenant.createdAt)}`} />
        <Stat label="Storage quota" value={formatBytes(tenant.storageQuotaBytes)} detail={`Files up to ${formatBytes(tenant.settings.maxFileSizeBytes)} each`} />
        <Stat label="Monthly API quota" value={`${formatNumber(tenant.apiQuotaMonthly)} calls`} />
        <Stat label="Members" value={String(members.length)} />
      </dl>
      <Card title="Quick links" className="mt-6">
        <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {links.map((link) => (
            <li key={link.href}>
              <Link
                href={link.href}
                className="block rounded-md px-3 py-2.5 text-sm font-medium text-slate-800 ring-1 ring-slate-200 hover:bg-slate-50 hover:text-brand"
              >
                {link.label} →
              </Link>
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
