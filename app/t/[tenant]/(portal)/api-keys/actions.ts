'use server';

import { z } from 'zod';
import { action } from '@/lib/api';
import { ZCreateApiKey, createApiKey, revokeApiKey } from '@/lib/auth';

// Audited like POST and DELETE /api/v1/api-keys (lib/api/v1/tenancy.ts), with the key as the target.

/** Returns the secret once: only its hash is stored. */
export const createApiKeyAction = action(
  {
    name: 'createApiKey',
    access: 'tenant',
    permission: 'keys:manage',
    input: ZCreateApiKey,
    audit: { type: 'security_event', action: 'api_key.create', target: { type: 'api_key', from: 'apiKey' } },
  },
  async ({ data, caller, tx }) => {
    const key = await createApiKey(tx, caller.tenant.id, caller, data);
    return { apiKey: { id: key.id, name: key.name }, secret: key.secret };
  },
);

export const revokeApiKeyAction = action(
  {
    name: 'revokeApiKey',
    access: 'tenant',
    permission: 'keys:manage',
    input: z.object({ keyId: z.uuid('must be a UUID') }),
    audit: { type: 'security_event', action: 'api_key.revoke', target: { type: 'api_key', idParam: 'keyId' } },
  },
  async ({ data, tx }) => {
    const key = await revokeApiKey(tx, data.keyId);
    return { id: key.id };
  },
);
