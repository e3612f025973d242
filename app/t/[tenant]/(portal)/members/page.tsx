import type { Metadata } from 'next';
import type { TRole } from '@/db/schema/auth';
import { NoAccess } from '@/components/portal/no-access';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { formatDate } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { Table, Td, Th } from '@/components/ui/table';
import { ROLE_ORDER, listInvitations, listMembers, type TInvitation } from '@/lib/auth';
import { withTenant } from '@/lib/tenancy';
import { requireMember } from '../../portal-context';
import { ConfirmedActionButton } from '@/components/ui/action-button';
import { removeMemberAction, revokeInvitationAction } from './actions';
import { InviteForm } from './invite-form';
import { MemberRoleSelect } from './member-role-select';

export const metadata: Metadata = { title: 'Members' };

const STATUS_TONE: Record<TInvitation['status'], TBadgeTone> = {
  pending: 'blue',
  accepted: 'green',
  revoked: 'neutral',
  locked: 'red',
  expired: 'amber',
};

export default async function MembersPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant, user, role, permissions } = await requireMember((await params).tenant);
  if (!permissions.has('members:read')) return <NoAccess title="Members" permission="members:read" />;
  const canManage = permissions.has('members:manage');
  const isOwner = role === 'owner';
  const { members, invitations } = await withTenant(tenant.id, async (tx) => ({
    members: await listMembers(tx),
    invitations: canManage ? await listInvitations(tx) : [],
  }));
  // Only owners grant, change or take away the owner role.
  const grantable: readonly TRole[] = isOwner ? ROLE_ORDER : ROLE_ORDER.filter((r) => r !== 'owner');
  const mayTouch = (targetRole: TRole) => canManage && (targetRole !== 'owner' || isOwner);

  return (
    <>
      <PageHeader
        title="Members"
        description={`${members.length} ${members.length === 1 ? 'person has' : 'people have'} access to ${tenant.name}.`}
      />
      <Card isFlush>
        <Table caption="Members">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Email</Th>
              <Th>Role</Th>
              <Th>Joined</Th>
              {canManage && <Th className="text-right">Actions</Th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((m) => (
              <tr key={m.id}>
                <Td className="font-medium whitespace-nowrap text-slate-900">
                  {m.name}
                  {m.userId === user.id && <span className="ml-1.5 text-xs font-normal text-slate-500">(you)</span>}
                </Td>
                <Td>{m.email}</Td>
                <Td>
                  {mayTouch(m.role) ? (
                    <MemberRoleSelect membershipId={m.id} name={m.name} email={m.email} role={m.role} roles={grantable} isSelf={m.userId === user.id} />
                  ) : (
                    <Badge tone={m.role === 'owner' ? 'blue' : 'neutral'}>{m.role}</Badge>
                  )}
                </Td>
                <Td className="whitespace-nowrap">{formatDate(m.createdAt)}</Td>
                {canManage && (
                  <Td className="text-right">
                    {mayTouch(m.role) && (
                      <ConfirmedActionButton
                        action={removeMemberAction}
                        input={{ membershipId: m.id }}
                        label="Remove"
                        confirmation={{
                          title: `Remove ${m.name} from ${tenant.name}?`,
                          description:
                            m.userId === user.id
                              ? 'This is you: you lose access to this organisation at once.'
                              : `${m.name} (${m.email}) loses access at once, and their API keys stop working. To bring them back, invite them again.`,
                          confirmLabel: 'Remove member',
                          pendingLabel: 'Removing…',
                        }}
                        done={`Removed ${m.name} from ${tenant.name}.`}
                      />
                    )}
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>

      {canManage && (
        <Card
          title="Invitations"
          description="Invite people by email. They choose a password (or use their existing account) when they accept."
          className="mt-6"
        >
          <InviteForm roles={grantable} />
          <div className="-mx-4 mt-6 border-t border-slate-200 sm:-mx-5">
            {invitations.length === 0 ? (
              <div className="p-4 sm:p-5">
                <EmptyState title="No invitations yet" description="Invitations you send appear here with their status." />
              </div>
            ) : (
              <Table caption="Invitations">
                <thead>
                  <tr>
                    <Th>Email</Th>
                    <Th>Role</Th>
                    <Th>Status</Th>
                    <Th>Sent</Th>
                    <Th>Expires</Th>
                    <Th className="text-right">Actions</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {invitations.map((inv) => (
                    <tr key={inv.id}>
                      <Td className="text-slate-900">{inv.email}</Td>
                      <Td>{inv.role}</Td>
                      <Td>
                        <Badge tone={STATUS_TONE[inv.status]}>{inv.status}</Badge>
                      </Td>
                      <Td className="whitespace-nowrap">{formatDate(inv.createdAt)}</Td>
                      <Td className="whitespace-nowrap">{formatDate(inv.expiresAt)}</Td>
                      <Td className="text-right">
                        {inv.status === 'pending' && mayTouch(inv.role) && (
                          <ConfirmedActionButton
                            action={revokeInvitationAction}
                            input={{ invitationId: inv.id }}
                            label="Revoke"
                            confirmation={{
                              title: `Revoke the invitation for ${inv.email}?`,
                              description: `Its link stops working at once. To invite ${inv.email} again, send a new invitation.`,
                              confirmLabel: 'Revoke invitation',
                              pendingLabel: 'Revoking…',
                            }}
                            done={`Revoked the invitation for ${inv.email}.`}
                          />
                        )}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </div>
        </Card>
      )}
    </>
  );
}
