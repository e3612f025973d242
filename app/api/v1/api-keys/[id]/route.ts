import { renameApiKeyEndpoint, revokeApiKeyEndpoint, route } from '@/lib/api';
import { renameApiKey, revokeApiKey } from '@/lib/auth';

export const PATCH = route(renameApiKeyEndpoint, async ({ tx, params, body }) => ({
  apiKey: await renameApiKey(tx, params.id, body.name),
}));

export const DELETE = route(revokeApiKeyEndpoint, async ({ tx, params }) => {
  await revokeApiKey(tx, params.id);
});
