'use server';

import { action } from '@/lib/api';
import { ZTenantSettingsPatch, updateTenantSettings } from '@/lib/tenancy';

export const updateSettingsAction = action(
  { name: 'updateTenantSettings', access: 'tenant', permission: 'settings:manage', input: ZTenantSettingsPatch },
  async ({ data, caller, tx }) => {
    const tenant = await updateTenantSettings(tx, caller.tenant.id, data);
    return { name: tenant.name };
  },
);
