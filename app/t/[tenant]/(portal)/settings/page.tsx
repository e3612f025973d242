import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireMember } from '../../portal-context';
import { SettingsForm } from './settings-form';

export const metadata: Metadata = { title: 'Settings' };

/** GiB with at most three decimals, without trailing zeros (5 GiB → "5", 1.5 GiB → "1.5"). */
const toGiB = (bytes: number) => String(Number((bytes / 1024 ** 3).toFixed(3)));

export default async function SettingsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant, permissions } = await requireMember((await params).tenant);
  const { settings } = tenant;
  return (
    <>
      <PageHeader title="Settings" description="Your organisation's name, branding, file rules and webhook." />
      <SettingsForm
        canManage={permissions.has('settings:manage')}
        initial={{
          name: tenant.name,
          logoUrl: tenant.logoUrl ?? '',
          brandingDisplayName: settings.brandingDisplayName ?? '',
          brandingLogoUrl: settings.brandingLogoUrl ?? '',
          brandingPrimaryColor: settings.brandingPrimaryColor ?? '',
          allowedFileTypes: settings.allowedFileTypes.join(', '),
          maxFileSizeGiB: toGiB(settings.maxFileSizeBytes),
          webhookUrl: settings.webhookUrl ?? '',
        }}
      />
    </>
  );
}
