import { handoffUrl, listUserTenants, readSessionUser } from '@/lib/auth';

const seeOther = (location: string) => new Response(null, { status: 303, headers: { Location: location } });

/** Sends a signed-in user on to one of their tenants' portals with a handoff link minted just now. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await readSessionUser(request.headers.get('cookie'));
  if (!user) return seeOther('/sign-in?next=/orgs');
  const tenants = await listUserTenants(user.id);
  if (!tenants.some((t) => t.slug === slug)) return seeOther('/orgs');
  return seeOther(handoffUrl(user.id, slug));
}
