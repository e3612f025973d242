import { changeMemberRoleEndpoint, removeMemberEndpoint, route } from '@/lib/api';
import { changeMemberRole, removeMember } from '@/lib/auth';

export const PATCH = route(changeMemberRoleEndpoint, async ({ tx, caller, params, body }) => ({
  member: await changeMemberRole(tx, caller, params.id, body.role),
}));

export const DELETE = route(removeMemberEndpoint, async ({ tx, caller, params }) => {
  await removeMember(tx, caller, params.id);
});
