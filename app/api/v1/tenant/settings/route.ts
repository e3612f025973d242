import { route, updateTenantSettingsEndpoint } from '@/lib/api';
import { updateTenantSettings } from '@/lib/tenancy';

export const PATCH = route(updateTenantSettingsEndpoint, async ({ tx, caller, body }) => ({
  tenant: await updateTenantSettings(tx, caller.tenant.id, body),
}));
