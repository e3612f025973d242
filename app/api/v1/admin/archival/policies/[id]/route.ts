import { adminUpdateArchivalPolicyEndpoint, route } from '@/lib/api';
import { updateArchivalPolicy } from '@/lib/archival';

export const PATCH = route(adminUpdateArchivalPolicyEndpoint, async ({ tx, params, body }) => ({
  policy: await updateArchivalPolicy(tx, params.id, body),
}));
