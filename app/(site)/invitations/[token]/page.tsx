import type { Metadata } from 'next';
import { AuthCard } from '@/components/auth/auth-card';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { INVITATION_MAX_PASSWORD_ATTEMPTS, previewInvitation, tenantUrl } from '@/lib/auth';
import { AcceptForm } from './accept-form';

export const metadata: Metadata = { title: 'Invitation · Sitework', referrer: 'no-referrer' };

const GONE = {
  accepted: { title: 'Invitation already used', text: 'This invitation has already been used. Sign in instead.' },
  revoked: { title: 'Invitation revoked', text: 'This invitation was revoked. Ask your administrator for a new one.' },
  locked: {
    title: 'Invitation locked',
    text: `This invitation was locked after ${INVITATION_MAX_PASSWORD_ATTEMPTS} wrong passwords. Ask your administrator for a new one.`,
  },
  expired: { title: 'Invitation expired', text: 'This invitation has expired. Ask your administrator for a new one.' },
} as const;

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = token.length >= 20 && token.length <= 200 ? await previewInvitation(token) : null;

  if (!invitation) {
    return (
      <AuthCard
        title="This invitation link is not valid"
        description="Check that you opened the whole link from the email, or ask your administrator for a new invitation."
      />
    );
  }

  if (invitation.status !== 'pending') {
    const gone = GONE[invitation.status];
    return (
      <AuthCard title={gone.title} description={gone.text}>
        {invitation.status === 'accepted' && (
          <a href={tenantUrl(invitation.tenantSlug, '/sign-in')} className={buttonClass('primary', 'md', 'w-full')}>
            Sign in to {invitation.tenantName}
          </a>
        )}
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title={`Join ${invitation.tenantName}`}
      description={
        <>
          You have been invited to <strong>{invitation.tenantName}</strong> on Sitework as{' '}
          <Badge tone="blue">{invitation.role}</Badge> with the email <strong>{invitation.email}</strong>.
        </>
      }
    >
      <AcceptForm token={token} email={invitation.email} />
    </AuthCard>
  );
}
