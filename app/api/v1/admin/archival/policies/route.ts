import { adminListArchivalPoliciesEndpoint, route } from '@/lib/api';
import { listArchivalPolicies } from '@/lib/archival';

export const GET = route(adminListArchivalPoliciesEndpoint, async ({ tx }) => ({ policies: await listArchivalPolicies(tx) }));
