'use server';

import { z } from 'zod';
import { ERROR_GROUP_STATUSES } from '@/db/schema/errors';
import { action } from '@/lib/api';
import { changeErrorGroupStatus } from '@/lib/errors';

/** Resolve, ignore or reopen a group: the same change and audit event as PATCH /api/v1/errors/groups/{id}. */
export const changeErrorGroupStatusAction = action(
  {
    name: 'changeErrorGroupStatus',
    access: 'tenant',
    permission: 'errors:manage',
    input: z.object({ id: z.uuid('must be a UUID'), status: z.enum(ERROR_GROUP_STATUSES) }),
    audit: { type: 'data_modify', action: 'error_group.status_change', target: { type: 'error_group', from: 'group' } },
  },
  async ({ data, caller, tx }) => ({ group: await changeErrorGroupStatus(tx, caller.tenant.id, data.id, data.status) }),
);
