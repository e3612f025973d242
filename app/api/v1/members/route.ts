import { listMembersEndpoint, route } from '@/lib/api';
import { listMembers } from '@/lib/auth';

export const GET = route(listMembersEndpoint, async ({ tx }) => ({ members: await listMembers(tx) }));
