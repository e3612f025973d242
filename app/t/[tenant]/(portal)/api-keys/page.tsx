import type { Metadata } from 'next';
import { NoAccess } from '@/components/portal/no-access';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDate, formatDateTime } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { listApiKeys, permissionsOf, type TApiKey } from '@/lib/auth';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';
import { ConfirmedActionButton } from '@/components/ui/action-button';
import { revokeApiKeyAction } from './actions';
import { CreateKeyForm } from './create-key-form';

export const metadata: Metadata = { title: 'API keys' };

type TKeyStatus = 'active' | 'revoked' | 'expired';
const STATUS_TONE: Record<TKeyStatus, TBadgeTone> = { active: 'green', revoked: 'neutral', expired: 'amber' };

function statusOf(key: TApiKey, now: number): TKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

export default async function ApiKeysPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant, role, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('keys:manage')) return <NoAccess title="API keys" permission="keys:manage" />;
  const keys = await withTenant(tenant.id, (tx) => listApiKeys(tx));
  const now = Date.now();

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let scripts call the Sitework API for this organisation: send Authorization: Bearer sw_…"
      />
      <Card title="Create an API key" className="mb-6">
        <CreateKeyForm scopes={permissionsOf(role)} />
      </Card>
      <Card title="Existing keys" isFlush>
        {keys.length === 0 ? (
          <div className="p-4 sm:p-5">
            <EmptyState title="No API keys yet" description="Create a key above to call the API from scripts." />
          </div>
        ) : (
          <Table caption="API keys">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Key</Th>
                <Th>Scopes</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Expires</Th>
                <Th>Status</Th>
                <Th className="text-right">Actions</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.map((key) => {
                const status = statusOf(key, now);
                return (
                  <tr key={key.id}>
                    <Td className="font-medium text-slate-900">{key.name}</Td>
                    <Td className="font-mono text-xs whitespace-nowrap">sw_{key.prefix}_…</Td>
                    <Td>
                      <ul className="flex max-w-xs flex-wrap gap-1">
                        {key.scopes.map((s) => (
                          <li key={s} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700">
                            {s}
                          </li>
                        ))}
                      </ul>
                    </Td>
                    <Td className="whitespace-nowrap">{formatDate(key.createdAt)}</Td>
                    <Td className="whitespace-nowrap">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</Td>
                    <Td className="whitespace-nowrap">{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</Td>
                    <Td>
                      <Badge tone={STATUS_TONE[status]}>{status}</Badge>
                    </Td>
                    <Td className="text-right">
                      {status === 'active' && (
                        <ConfirmedActionButton
                          action={revokeApiKeyAction}
                          input={{ keyId: key.id }}
                          label="Revoke"
                          confirmation={{
                            title: `Revoke the key ${key.name}?`,
                            description: `Scripts that send sw_${key.prefix}_… are refused (401) from their next request. To give them access again, create a new key.`,
                            confirmLabel: 'Revoke key',
                            pendingLabel: 'Revoking…',
                            isIrreversible: true,
                          }}
                          done={`Revoked key ${key.name}.`}
                        />
                      )}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
