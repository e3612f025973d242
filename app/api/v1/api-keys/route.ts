import { createApiKeyEndpoint, listApiKeysEndpoint, route } from '@/lib/api';
import { createApiKey, listApiKeys } from '@/lib/auth';

export const GET = route(listApiKeysEndpoint, async ({ tx }) => ({ apiKeys: await listApiKeys(tx) }));

export const POST = route(createApiKeyEndpoint, async ({ tx, caller, body }) => ({
  apiKey: await createApiKey(tx, caller.tenant.id, caller, body),
}));
