'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZCreateApiKey, createApiKey, revokeApiKey } from '@/lib/auth';

/** Returns the secret once: only its hash is stored. */
export const createApiKeyAction = action(
  { name: 'createApiKey', access: 'tenant', permission: 'keys:manage', input: ZCreateApiKey },
  async ({ data, caller, tx }) => {
    const key = await createApiKey(tx, caller.tenant.id, caller, data);
    return { id: key.id, name: key.name, secret: key.secret };
  },
);

export const revokeApiKeyAction = action(
  { name: 'revokeApiKey', access: 'tenant', permission: 'keys:manage', input: z.object({ keyId: z.uuid('must be a UUID') }) },
  async ({ data, tx }) => {
    const key = await revokeApiKey(tx, data.keyId);
    return { id: key.id };
  },
);
