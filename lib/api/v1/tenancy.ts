import { z } from 'zod';
import {
  ZAcceptInvitation,
  ZChangeRole,
  ZCreateApiKey,
  ZCreateInvitation,
  ZEmail,
  ZRole,
} from '@/lib/auth';
import { ZPlanId, ZSlug, ZTenantSettingsPatch } from '@/lib/tenancy';
import { defineEndpoint } from '../endpoint';

export const ZIdParams = z.object({ id: z.uuid('must be a UUID') });

export const ZListQuery = z.object({
  search: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const getTenantEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/tenant',
  summary: 'The current tenant, its settings and what the caller may do',
  tag: 'Tenant',
  access: 'tenant',
  permission: 'tenant:read',
  responds: 'The tenant with settings, plan and the caller role and permissions',
});

export const updateTenantSettingsEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/tenant/settings',
  summary: 'Change tenant settings and branding',
  tag: 'Tenant',
  access: 'tenant',
  permission: 'settings:manage',
  body: ZTenantSettingsPatch,
  responds: 'The updated tenant',
  audit: { type: 'config_change', action: 'tenant.settings_update', target: { type: 'tenant', from: 'tenant' } },
});

export const listMembersEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/members',
  summary: 'List members and their roles',
  tag: 'Members',
  access: 'tenant',
  permission: 'members:read',
  responds: '{ members: Member[] }',
});

export const changeMemberRoleEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/members/{id}',
  summary: "Change a member's role (only owners grant or take away owner; the last owner stays)",
  tag: 'Members',
  access: 'tenant',
  permission: 'members:manage',
  params: ZIdParams,
  body: ZChangeRole,
  responds: 'The member',
  audit: { type: 'security_event', action: 'member.role_change', target: { type: 'member', from: 'member' } },
});

export const removeMemberEndpoint = defineEndpoint({
  method: 'DELETE',
  path: '/api/v1/members/{id}',
  summary: 'Remove a member (the last owner cannot be removed)',
  tag: 'Members',
  access: 'tenant',
  permission: 'members:manage',
  params: ZIdParams,
  audit: { type: 'security_event', action: 'member.remove', target: { type: 'member' } },
});

export const listInvitationsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/invitations',
  summary: 'List invitations with their status',
  tag: 'Invitations',
  access: 'tenant',
  permission: 'members:manage',
  responds: '{ invitations: Invitation[] }',
});

export const createInvitationEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/invitations',
  summary:
    "Invite an email with a role; the link is emailed and returned once as acceptUrl. At most the plan's invitations_per_day " +
    'per UTC day (429 quota_exceeded with { quota, limit, used, resetsAt }; nothing is written)',
  tag: 'Invitations',
  access: 'tenant',
  permission: 'members:manage',
  body: ZCreateInvitation,
  successStatus: 201,
  responds: 'The invitation with acceptUrl',
  audit: { type: 'data_modify', action: 'invitation.create', target: { type: 'invitation', from: 'invitation' } },
});

export const updateInvitationEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/invitations/{id}',
  summary: 'Change the role a pending invitation grants',
  tag: 'Invitations',
  access: 'tenant',
  permission: 'members:manage',
  params: ZIdParams,
  body: z.object({ role: ZRole }).strict(),
  responds: 'The invitation',
  audit: { type: 'data_modify', action: 'invitation.role_change', target: { type: 'invitation', from: 'invitation' } },
});

export const revokeInvitationEndpoint = defineEndpoint({
  method: 'DELETE',
  path: '/api/v1/invitations/{id}',
  summary: 'Revoke a pending invitation',
  tag: 'Invitations',
  access: 'tenant',
  permission: 'members:manage',
  params: ZIdParams,
  audit: { type: 'data_delete', action: 'invitation.revoke', target: { type: 'invitation' } },
});

export const acceptInvitationEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/invitations/accept',
  summary:
    'Accept an invitation with its token (creates the account, or checks its password: limited like signing in, 429 with ' +
    'Retry-After; the 5th wrong password locks the invitation, 410 from then on)',
  tag: 'Invitations',
  access: 'public',
  body: ZAcceptInvitation,
  responds: '{ tenantSlug, role, signInUrl }',
  // Recorded by acceptInvitation, in its transaction.
  audit: false,
});

export const listApiKeysEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/api-keys',
  summary: 'List API keys (never their secrets)',
  tag: 'API keys',
  access: 'tenant',
  permission: 'keys:manage',
  responds: '{ apiKeys: ApiKey[] }',
});

export const createApiKeyEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/api-keys',
  summary: 'Create an API key; the secret is in this response only',
  tag: 'API keys',
  access: 'tenant',
  permission: 'keys:manage',
  body: ZCreateApiKey,
  successStatus: 201,
  responds: 'The key with its secret',
  audit: { type: 'security_event', action: 'api_key.create', target: { type: 'api_key', from: 'apiKey' } },
});

export const renameApiKeyEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/api-keys/{id}',
  summary: 'Rename an API key',
  tag: 'API keys',
  access: 'tenant',
  permission: 'keys:manage',
  params: ZIdParams,
  body: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
  responds: 'The key',
  audit: { type: 'data_modify', action: 'api_key.rename', target: { type: 'api_key', from: 'apiKey' } },
});

export const revokeApiKeyEndpoint = defineEndpoint({
  method: 'DELETE',
  path: '/api/v1/api-keys/{id}',
  summary: 'Revoke an API key: it stops working at once',
  tag: 'API keys',
  access: 'tenant',
  permission: 'keys:manage',
  params: ZIdParams,
  audit: { type: 'security_event', action: 'api_key.revoke', target: { type: 'api_key' } },
});

export const adminListTenantsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/tenants',
  summary: 'All tenants (platform operators)',
  tag: 'Admin',
  access: 'platform',
  query: ZListQuery,
  responds: '{ tenants, nextCursor }',
});

export const adminCreateTenantEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/admin/tenants',
  summary: 'Create a tenant: a verified account with ownerEmail becomes its owner, any other address is invited as owner by mail',
  tag: 'Admin',
  access: 'platform',
  body: z
    .object({
      name: z.string().trim().min(1).max(120),
      slug: ZSlug,
      plan: ZPlanId.default('free'),
      ownerEmail: ZEmail,
    })
    .strict(),
  successStatus: 201,
  responds: "{ tenant, owner: { email, status: 'member' | 'invited' } }",
  audit: { type: 'config_change', action: 'tenant.create', target: { type: 'tenant', from: 'tenant' } },
});

export const adminUpdateTenantEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/admin/tenants/{id}',
  summary: 'Deactivate, reactivate or change the plan of a tenant',
  tag: 'Admin',
  access: 'platform',
  params: ZIdParams,
  body: z
    .object({ isActive: z.boolean(), plan: ZPlanId })
    .partial()
    .strict()
    .refine((b) => Object.keys(b).length > 0, 'Send isActive or plan'),
  responds: 'The tenant',
  audit: { type: 'config_change', action: 'tenant.admin_update', target: { type: 'tenant', from: 'tenant' }, tenantFromParams: true },
});

export const adminListUsersEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/users',
  summary: 'All users (platform operators)',
  tag: 'Admin',
  access: 'platform',
  query: ZListQuery,
  responds: '{ users, nextCursor }',
});

export const openApiEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/openapi.json',
  summary: 'This document',
  tag: 'Meta',
  access: 'public',
  responds: 'OpenAPI 3.1 document',
});
