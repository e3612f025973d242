export { withTenant, withPlatform, platformDb, assertAppRoleIsRestricted } from './context';
export { tenantSlugFromHost, slugProblem, RESERVED_SLUGS, TENANT_SLUG_HEADER } from './host';
export { listPlanRows, findPlanRow, planForAssignment, planColumns, type TPlan } from './plans';
export {
  ZSlug,
  ZPlanId,
  ZTenantSettingsPatch,
  findTenantRef,
  getTenant,
  updateTenantSettings,
  createTenant,
  listAllTenants,
  setTenantActive,
  changeTenantPlan,
  type TTenant,
  type TTenantRef,
  type TTenantListItem,
  type TTenantSettingsPatch,
} from './tenants';
