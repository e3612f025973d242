import { randomBytes, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { auditChainHeads, auditLogs, PLATFORM_CHAIN_KEY, type TAuditActorType } from '@/db/schema/audit';
import { memberships } from '@/db/schema/auth';
import { errorGroups } from '@/db/schema/errors';
import { archivalPolicies } from '@/db/schema/files';
import { seedDemoData } from '@/db/seed';
import { startArchivalRun } from '@/lib/archival';
import { flushRepeatedFailures, recordAudit, recordRepeatedFailure, type TAuditEvent, type TAuditEventType } from '@/lib/audit';
import { authorizeCredentials } from '@/lib/auth';
import { billTenantPeriod } from '@/lib/billing';
import { captureError, flushErrors } from '@/lib/errors';
import { ensureBuckets } from '@/lib/storage';
import { createTenant, withPlatform, withTenant } from '@/lib/tenancy';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as archivalPolicyRoute from '../app/api/v1/admin/archival/policies/[id]/route';
import * as archivalRunRoute from '../app/api/v1/admin/archival/run/route';
import * as adminInvoiceRoute from '../app/api/v1/admin/invoices/[id]/route';
import * as adminInvoiceRunRoute from '../app/api/v1/admin/invoices/run/route';
import * as adminPlanRoute from '../app/api/v1/admin/plans/[id]/route';
import * as adminTenantRoute from '../app/api/v1/admin/tenants/[id]/route';
import * as adminTenantsRoute from '../app/api/v1/admin/tenants/route';
import * as vectorReindexRoute from '../app/api/v1/admin/vectors/reindex/route';
import * as apiKeyRoute from '../app/api/v1/api-keys/[id]/route';
import * as apiKeysRoute from '../app/api/v1/api-keys/route';
import * as exportRoute from '../app/api/v1/audit/export/route';
import * as logsRoute from '../app/api/v1/audit/logs/route';
import * as summaryRoute from '../app/api/v1/audit/summary/route';
import * as verifyRoute from '../app/api/v1/audit/verify/route';
import * as planRoute from '../app/api/v1/billing/plan/route';
import * as clientErrorRoute from '../app/api/v1/errors/client/route';
import * as errorGroupRoute from '../app/api/v1/errors/groups/[id]/route';
import * as estimatesImportRoute from '../app/api/v1/estimates/import/route';
import * as estimateRoute from '../app/api/v1/estimates/[id]/route';
import * as estimatesRoute from '../app/api/v1/estimates/route';
import * as searchSimilarRoute from '../app/api/v1/estimates/search-similar/route';
import * as fileRoute from '../app/api/v1/files/[id]/route';
import * as completeRoute from '../app/api/v1/files/[id]/complete/route';
import * as restoreRoute from '../app/api/v1/files/[id]/restore/route';
import * as filesRoute from '../app/api/v1/files/route';
import * as uploadsRoute from '../app/api/v1/files/uploads/route';
import * as invitationRoute from '../app/api/v1/invitations/[id]/route';
import * as acceptRoute from '../app/api/v1/invitations/accept/route';
import * as invitationsRoute from '../app/api/v1/invitations/route';
import * as memberRoute from '../app/api/v1/members/[id]/route';
import * as tenantSettingsRoute from '../app/api/v1/tenant/settings/route';
import * as usageEventsRoute from '../app/api/v1/usage/events/route';
import { createAgedFile } from './support/archival';
import { createBackdatedTenant, utc } from './support/billing';
import { houseEstimate, roadEstimate } from './support/estimates';
import { callUpload, fileRow, filesTenant, keyFor, pdfBytes, type TFilesTenant } from './support/files';
import {
  APEX_HOST,
  callRoute,
  demoUsers,
  expectError,
  hostOf,
  sessionCookie,
  type TCallOptions,
  type TCallResult,
  type TDemo,
  type TDemoMember,
  type TDemoTenant,
  type TJson,
  type TRouteHandler,
  type TSessionSubject,
} from './support/http';
import { v1Operations } from './support/routes';
import { addMember, apiKeyRow, apiKeysOf, createTestTenant, invite, membershipRole, settingsRow, uniqueEmail, userByEmail } from './support/state';

/**
 * The audit log as the issue specifies it: every mutation records exactly one event with its actor and target,
 * a refused or failed one a failure event and nothing else, sign-ins are recorded, the log is read back with
 * filters and a cursor without gaps or repeats, exported as a stream in flat memory, and verified.
 */

let demo: TDemo;
/** The tenant the table's tenant endpoints act in: one member per role and an owner's all-scopes key. */
let t: TFilesTenant;
const marker = randomBytes(4).toString('hex');

beforeAll(async () => {
  await ensureBuckets();
  await seedDemoData();
  demo = await demoUsers();
  t = await filesTenant('professional');
});

type TAuditRow = typeof auditLogs.$inferSelect;

/** Each chain's last sequence number now: what a call appends is what lies beyond. */
async function chainHeads(): Promise<Map<string, number>> {
  const heads = await ownerDb().select({ key: auditChainHeads.chainKey, lastSeq: auditChainHeads.lastSeq }).from(auditChainHeads);
  return new Map(heads.map((h) => [h.key, h.lastSeq]));
}

/** Every audit row appended, in any chain, since `before`. */
async function rowsSince(before: Map<string, number>): Promise<TAuditRow[]> {
  const rows: TAuditRow[] = [];
  for (const [key, lastSeq] of await chainHeads()) {
    const from = before.get(key) ?? 0;
    if (lastSeq <= from) continue;
    const chain = key === PLATFORM_CHAIN_KEY ? isNull(auditLogs.tenantId) : eq(auditLogs.tenantId, key);
    rows.push(...(await ownerDb().select().from(auditLogs).where(and(chain, gt(auditLogs.seq, from))).orderBy(asc(auditLogs.seq))));
  }
  return rows;
}

/** What a call appends to the audit log, all chains together. */
async function recordedBy<T>(act: () => Promise<T>): Promise<{ result: T; rows: TAuditRow[] }> {
  const before = await chainHeads();
  const result = await act();
  return { result, rows: await rowsSince(before) };
}

interface TActorOf {
  type: TAuditActorType;
  id: string | null;
  name: string;
}

const userActor = (user: TSessionSubject): TActorOf => ({ type: 'user', id: user.id, name: user.name || user.email });

async function keyActor(secret: string): Promise<TActorOf> {
  const row = (await apiKeyRow(secret))!;
  return { type: 'api_key', id: row.id, name: row.name };
}

// ---------------------------------------------------------------------------------------------------------
// (a) Every mutating endpoint, called once successfully, records exactly one event.

interface TExpectedEvent {
  /** The chain: a tenant's id, or null for the platform's. */
  chain: string | null;
  type: TAuditEventType;
  action: string;
  actor: TActorOf;
  target: { type: string; id: string | null };
}

interface TArrangedCall {
  call: (headers: Record<string, string>) => Promise<TCallResult>;
  /** The one event the call must record, knowing its answer (ids created by the call). */
  expected: (result: TCallResult) => Promise<TExpectedEvent> | TExpectedEvent;
}

interface TMutationCase {
  operation: string;
  successStatus: number;
  arrange: () => Promise<TArrangedCall>;
}

/** Endpoints that record no event, and why (every other mutating endpoint must record exactly one). */
const UNRECORDED: Record<string, { successStatus: number; reason: string; arrange: () => Promise<TArrangedCall['call']> }> = {
  'POST /api/v1/errors/client': {
    successStatus: 202,
    reason: 'anonymous, rate-limited browser reports: the error tables are their record',
    arrange: async () => (headers) =>
      callRoute(clientErrorRoute.POST, { method: 'POST', path: '/api/v1/errors/client', host: t.host, headers, body: { message: `boom ${marker}` } }),
  },
  'POST /api/v1/estimates/search-similar': {
    successStatus: 200,
    reason: 'a search changes nothing: it is metered as a cost_estimate usage event instead',
    arrange: async () => (headers) => {
      const { project: _project, name: _name, ...described } = houseEstimate();
      return callRoute(searchSimilarRoute.POST, { method: 'POST', path: '/api/v1/estimates/search-similar', host: t.host, apiKey: t.apiKey, headers, body: described });
    },
  },
};

const inTenant = (options: Omit<TCallOptions, 'host'>) => (headers: Record<string, string>) => ({ host: t.host, ...options, headers });
const send = (handler: TRouteHandler, options: (headers: Record<string, string>) => TCallOptions) => (headers: Record<string, string>) =>
  callRoute(handler, options(headers));
const asTenantEvent = (event: Omit<TExpectedEvent, 'chain'>): TExpectedEvent => ({ chain: t.id, ...event });
const asPlatformEvent = (event: Omit<TExpectedEvent, 'chain'>): TExpectedEvent => ({ chain: null, ...event });
const tenantRef = (): TDemoTenant => ({ id: t.id, slug: t.slug, ...t.members });

async function uploadedFile(): Promise<string> {
  const result = await callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, filename: `arranged-${randomBytes(3).toString('hex')}.pdf`, body: pdfBytes(400) });
  expect(result.status, result.text).toBe(201);
  return result.body.file.id;
}

const mutationCases: TMutationCase[] = [
  {
    operation: 'PATCH /api/v1/tenant/settings',
    successStatus: 200,
    arrange: async () => ({
      call: send(tenantSettingsRoute.PATCH, inTenant({ method: 'PATCH', path: '/api/v1/tenant/settings', cookieFor: t.members.owner, body: { brandingDisplayName: `Audited ${marker}` } })),
      expected: () =>
        asTenantEvent({ type: 'config_change', action: 'tenant.settings_update', actor: userActor(t.members.owner), target: { type: 'tenant', id: t.id } }),
    }),
  },
  {
    operation: 'PATCH /api/v1/members/{id}',
    successStatus: 200,
    arrange: async () => {
      const member = await addMember(t.id, 'editor');
      const id = member.membershipId;
      return {
        call: send(memberRoute.PATCH, inTenant({ method: 'PATCH', path: `/api/v1/members/${id}`, params: { id }, cookieFor: t.members.admin, body: { role: 'viewer' } })),
        expected: () =>
          asTenantEvent({ type: 'security_event', action: 'member.role_change', actor: userActor(t.members.admin), target: { type: 'member', id } }),
      };
    },
  },
  {
    operation: 'DELETE /api/v1/members/{id}',
    successStatus: 204,
    arrange: async () => {
      const id = (await addMember(t.id, 'viewer')).membershipId;
      return {
        call: send(memberRoute.DELETE, inTenant({ method: 'DELETE', path: `/api/v1/members/${id}`, params: { id }, cookieFor: t.members.owner })),
        expected: () => asTenantEvent({ type: 'security_event', action: 'member.remove', actor: userActor(t.members.owner), target: { type: 'member', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/invitations',
    successStatus: 201,
    arrange: async () => ({
      call: send(invitationsRoute.POST, inTenant({ method: 'POST', path: '/api/v1/invitations', cookieFor: t.members.admin, body: { email: uniqueEmail('audited'), role: 'viewer' } })),
      expected: (result) =>
        asTenantEvent({
          type: 'data_modify',
          action: 'invitation.create',
          actor: userActor(t.members.admin),
          target: { type: 'invitation', id: result.body.invitation.id },
        }),
    }),
  },
  {
    operation: 'PATCH /api/v1/invitations/{id}',
    successStatus: 200,
    arrange: async () => {
      const { id } = await invite(tenantRef(), uniqueEmail('audited'), 'viewer');
      return {
        call: send(invitationRoute.PATCH, inTenant({ method: 'PATCH', path: `/api/v1/invitations/${id}`, params: { id }, cookieFor: t.members.owner, body: { role: 'editor' } })),
        expected: () =>
          asTenantEvent({ type: 'data_modify', action: 'invitation.role_change', actor: userActor(t.members.owner), target: { type: 'invitation', id } }),
      };
    },
  },
  {
    operation: 'DELETE /api/v1/invitations/{id}',
    successStatus: 204,
    arrange: async () => {
      const { id } = await invite(tenantRef(), uniqueEmail('audited'), 'viewer');
      return {
        call: send(invitationRoute.DELETE, inTenant({ method: 'DELETE', path: `/api/v1/invitations/${id}`, params: { id }, cookieFor: t.members.owner })),
        expected: () =>
          asTenantEvent({ type: 'data_delete', action: 'invitation.revoke', actor: userActor(t.members.owner), target: { type: 'invitation', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/invitations/accept',
    successStatus: 200,
    arrange: async () => {
      const email = uniqueEmail('accepting');
      const { token } = await invite(tenantRef(), email, 'viewer');
      return {
        call: send(acceptRoute.POST, (headers) => ({
          method: 'POST',
          path: '/api/v1/invitations/accept',
          headers,
          body: { token, name: 'Ivy Invitee', password: 'long-enough-password' },
        })),
        // Recorded by acceptInvitation in its own transaction (the wrapper's event is off): the new member.
        expected: async () => {
          const user = (await userByEmail(email))!;
          const [membership] = await ownerDb()
            .select({ id: memberships.id })
            .from(memberships)
            .where(and(eq(memberships.tenantId, t.id), eq(memberships.userId, user.id)));
          return asTenantEvent({
            type: 'security_event',
            action: 'invitation.accept',
            actor: { type: 'user', id: user.id, name: 'Ivy Invitee' },
            target: { type: 'member', id: membership.id },
          });
        },
      };
    },
  },
  {
    operation: 'POST /api/v1/api-keys',
    successStatus: 201,
    arrange: async () => ({
      call: send(apiKeysRoute.POST, inTenant({ method: 'POST', path: '/api/v1/api-keys', cookieFor: t.members.owner, body: { name: `made ${marker}`, scopes: ['files:read'] } })),
      expected: (result) =>
        asTenantEvent({ type: 'security_event', action: 'api_key.create', actor: userActor(t.members.owner), target: { type: 'api_key', id: result.body.apiKey.id } }),
    }),
  },
  {
    operation: 'PATCH /api/v1/api-keys/{id}',
    successStatus: 200,
    arrange: async () => {
      const { id } = (await apiKeyRow(await keyFor(t, ['files:read'])))!;
      return {
        // Through the owner's all-scopes key: the actor is the key.
        call: send(apiKeyRoute.PATCH, inTenant({ method: 'PATCH', path: `/api/v1/api-keys/${id}`, params: { id }, apiKey: t.apiKey, body: { name: `renamed ${marker}` } })),
        expected: async () =>
          asTenantEvent({ type: 'data_modify', action: 'api_key.rename', actor: await keyActor(t.apiKey), target: { type: 'api_key', id } }),
      };
    },
  },
  {
    operation: 'DELETE /api/v1/api-keys/{id}',
    successStatus: 204,
    arrange: async () => {
      const { id } = (await apiKeyRow(await keyFor(t, ['files:read'])))!;
      return {
        call: send(apiKeyRoute.DELETE, inTenant({ method: 'DELETE', path: `/api/v1/api-keys/${id}`, params: { id }, cookieFor: t.members.admin })),
        expected: () => asTenantEvent({ type: 'security_event', action: 'api_key.revoke', actor: userActor(t.members.admin), target: { type: 'api_key', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/files',
    successStatus: 201,
    arrange: async () => ({
      // Streamed upload, no transaction around it: the event follows in its own.
      call: (headers) => callUpload(filesRoute.POST, { host: t.host, apiKey: t.apiKey, filename: 'audited.pdf', body: pdfBytes(600), headers }),
      expected: async (result) =>
        asTenantEvent({ type: 'file_upload', action: 'file.upload', actor: await keyActor(t.apiKey), target: { type: 'file', id: result.body.file.id } }),
    }),
  },
  {
    operation: 'PATCH /api/v1/files/{id}',
    successStatus: 200,
    arrange: async () => {
      const id = await uploadedFile();
      return {
        call: send(fileRoute.PATCH, inTenant({ method: 'PATCH', path: `/api/v1/files/${id}`, params: { id }, cookieFor: t.members.editor, body: { status: 'processing' } })),
        expected: () => asTenantEvent({ type: 'data_modify', action: 'file.status_change', actor: userActor(t.members.editor), target: { type: 'file', id } }),
      };
    },
  },
  {
    operation: 'DELETE /api/v1/files/{id}',
    successStatus: 204,
    arrange: async () => {
      const id = await uploadedFile();
      return {
        call: send(fileRoute.DELETE, inTenant({ method: 'DELETE', path: `/api/v1/files/${id}`, params: { id }, cookieFor: t.members.editor })),
        expected: () => asTenantEvent({ type: 'file_delete', action: 'file.delete', actor: userActor(t.members.editor), target: { type: 'file', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/files/uploads',
    successStatus: 201,
    arrange: async () => ({
      call: send(uploadsRoute.POST, inTenant({ method: 'POST', path: '/api/v1/files/uploads', cookieFor: t.members.editor, body: { name: 'presigned.pdf', size: 500 } })),
      expected: (result) =>
        asTenantEvent({ type: 'file_upload', action: 'file.upload_start', actor: userActor(t.members.editor), target: { type: 'file', id: result.body.file.id } }),
    }),
  },
  {
    operation: 'POST /api/v1/files/{id}/complete',
    successStatus: 200,
    arrange: async () => {
      const started = await callRoute(uploadsRoute.POST, {
        method: 'POST',
        host: t.host,
        apiKey: t.apiKey,
        path: '/api/v1/files/uploads',
        body: { name: 'completed.pdf', size: 500 },
      });
      const put = await fetch(started.body.uploadUrl, { method: 'PUT', body: new Uint8Array(pdfBytes(500)) });
      expect(put.status).toBe(200);
      const id: string = started.body.file.id;
      return {
        call: send(completeRoute.POST, inTenant({ method: 'POST', path: `/api/v1/files/${id}/complete`, params: { id }, cookieFor: t.members.admin })),
        expected: () => asTenantEvent({ type: 'file_upload', action: 'file.upload', actor: userActor(t.members.admin), target: { type: 'file', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/files/{id}/restore',
    successStatus: 200,
    arrange: async () => {
      const { id } = await createAgedFile(t.id, { ageDays: 400, status: 'completed' });
      await startArchivalRun('manual');
      expect((await fileRow(id))!.storageTier).toBe('archived');
      return {
        call: send(restoreRoute.POST, inTenant({ method: 'POST', path: `/api/v1/files/${id}/restore`, params: { id }, cookieFor: t.members.editor, body: { days: 2 } })),
        expected: () => asTenantEvent({ type: 'data_modify', action: 'file.restore', actor: userActor(t.members.editor), target: { type: 'file', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/usage/events',
    successStatus: 200,
    arrange: async () => ({
      call: send(
        usageEventsRoute.POST,
        inTenant({
          method: 'POST',
          path: '/api/v1/usage/events',
          apiKey: t.apiKey,
          body: { events: [{ id: randomUUID(), type: 'file_processed', quantity: 1, occurredAt: new Date().toISOString() }] },
        }),
      ),
      expected: async () =>
        asTenantEvent({ type: 'data_modify', action: 'usage.report', actor: await keyActor(t.apiKey), target: { type: 'usage_events', id: null } }),
    }),
  },
  {
    operation: 'POST /api/v1/billing/plan',
    successStatus: 200,
    arrange: async () => ({
      call: send(planRoute.POST, inTenant({ method: 'POST', path: '/api/v1/billing/plan', cookieFor: t.members.owner, body: { plan: 'starter' } })),
      expected: () =>
        asTenantEvent({ type: 'config_change', action: 'billing.plan_change', actor: userActor(t.members.owner), target: { type: 'plan', id: 'starter' } }),
    }),
  },
  {
    operation: 'PATCH /api/v1/errors/groups/{id}',
    successStatus: 200,
    arrange: async () => {
      captureError({ source: 'server', error: new Error(`audited failure ${marker}`), tenantId: t.id });
      await flushErrors();
      const [group] = await ownerDb().select({ id: errorGroups.id }).from(errorGroups).where(eq(errorGroups.tenantId, t.id));
      const id = group.id;
      return {
        call: send(errorGroupRoute.PATCH, inTenant({ method: 'PATCH', path: `/api/v1/errors/groups/${id}`, params: { id }, cookieFor: t.members.admin, body: { status: 'resolved' } })),
        expected: () =>
          asTenantEvent({ type: 'data_modify', action: 'error_group.status_change', actor: userActor(t.members.admin), target: { type: 'error_group', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/estimates',
    successStatus: 201,
    arrange: async () => ({
      call: send(estimatesRoute.POST, inTenant({ method: 'POST', path: '/api/v1/estimates', cookieFor: t.members.editor, body: houseEstimate({ name: `Audited ${marker}` }) })),
      expected: (result) =>
        asTenantEvent({ type: 'data_modify', action: 'estimate.create', actor: userActor(t.members.editor), target: { type: 'estimate', id: result.body.estimate.id } }),
    }),
  },
  {
    operation: 'PUT /api/v1/estimates/{id}',
    successStatus: 200,
    arrange: async () => {
      const created = await callRoute(estimatesRoute.POST, { method: 'POST', host: t.host, apiKey: t.apiKey, path: '/api/v1/estimates', body: houseEstimate() });
      expect(created.status, created.text).toBe(201);
      const id: string = created.body.estimate.id;
      return {
        call: send(estimateRoute.PUT, inTenant({ method: 'PUT', path: `/api/v1/estimates/${id}`, params: { id }, apiKey: t.apiKey, body: roadEstimate() })),
        expected: async () =>
          asTenantEvent({ type: 'data_modify', action: 'estimate.update', actor: await keyActor(t.apiKey), target: { type: 'estimate', id } }),
      };
    },
  },
  {
    operation: 'DELETE /api/v1/estimates/{id}',
    successStatus: 204,
    arrange: async () => {
      const created = await callRoute(estimatesRoute.POST, { method: 'POST', host: t.host, apiKey: t.apiKey, path: '/api/v1/estimates', body: roadEstimate() });
      expect(created.status, created.text).toBe(201);
      const id: string = created.body.estimate.id;
      return {
        call: send(estimateRoute.DELETE, inTenant({ method: 'DELETE', path: `/api/v1/estimates/${id}`, params: { id }, cookieFor: t.members.editor })),
        expected: () => asTenantEvent({ type: 'data_modify', action: 'estimate.delete', actor: userActor(t.members.editor), target: { type: 'estimate', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/admin/vectors/reindex',
    successStatus: 202,
    arrange: async () => ({
      // Without a job queue the run finishes inline; the request is what is recorded, in the platform's chain.
      call: send(vectorReindexRoute.POST, (headers) => ({
        method: 'POST',
        path: '/api/v1/admin/vectors/reindex',
        host: APEX_HOST,
        cookieFor: demo.operator,
        headers,
        body: { tenantId: t.id },
      })),
      expected: (result) =>
        asPlatformEvent({
          type: 'workflow_execution',
          action: 'vectors.reindex_requested',
          actor: userActor(demo.operator),
          target: { type: 'vector_reindex_run', id: result.body.run.id },
        }),
    }),
  },
  {
    operation: 'POST /api/v1/admin/tenants',
    successStatus: 201,
    arrange: async () => ({
      call: send(adminTenantsRoute.POST, (headers) => ({
        method: 'POST',
        path: '/api/v1/admin/tenants',
        host: APEX_HOST,
        cookieFor: demo.operator,
        headers,
        body: { name: 'Audited Co', slug: `audited-${marker}`, ownerEmail: demo.acme.owner.email },
      })),
      expected: (result) =>
        asPlatformEvent({ type: 'config_change', action: 'tenant.create', actor: userActor(demo.operator), target: { type: 'tenant', id: result.body.tenant.id } }),
    }),
  },
  {
    operation: 'PATCH /api/v1/admin/tenants/{id}',
    successStatus: 200,
    arrange: async () => {
      const { id } = await withPlatform((tx) => createTenant(tx, { name: 'Operated', slug: `operated-${marker}` }));
      return {
        call: send(adminTenantRoute.PATCH, (headers) => ({
          method: 'PATCH',
          path: `/api/v1/admin/tenants/${id}`,
          params: { id },
          host: APEX_HOST,
          cookieFor: demo.operator,
          headers,
          body: { plan: 'starter' },
        })),
        // An operator acting on one tenant: the event is in that tenant's chain.
        expected: () => ({
          chain: id,
          type: 'config_change',
          action: 'tenant.admin_update',
          actor: userActor(demo.operator),
          target: { type: 'tenant', id },
        }),
      };
    },
  },
  {
    operation: 'PATCH /api/v1/admin/plans/{id}',
    successStatus: 200,
    arrange: async () => ({
      call: send(adminPlanRoute.PATCH, (headers) => ({
        method: 'PATCH',
        path: '/api/v1/admin/plans/starter',
        params: { id: 'starter' },
        host: APEX_HOST,
        cookieFor: demo.operator,
        headers,
        body: { priceCents: 3_100 },
      })),
      expected: () => asPlatformEvent({ type: 'config_change', action: 'plan.update', actor: userActor(demo.operator), target: { type: 'plan', id: 'starter' } }),
    }),
  },
  {
    operation: 'POST /api/v1/admin/archival/run',
    successStatus: 202,
    arrange: async () => ({
      call: send(archivalRunRoute.POST, (headers) => ({ method: 'POST', path: '/api/v1/admin/archival/run', host: APEX_HOST, cookieFor: demo.operator, headers })),
      expected: (result) =>
        asPlatformEvent({
          type: 'workflow_execution',
          action: 'archival.run_requested',
          actor: userActor(demo.operator),
          target: { type: 'archival_run', id: result.body.run.id },
        }),
    }),
  },
  {
    operation: 'PATCH /api/v1/admin/archival/policies/{id}',
    successStatus: 200,
    arrange: async () => {
      const [policy] = await ownerDb().select().from(archivalPolicies).where(eq(archivalPolicies.id, 'temporary-files'));
      return {
        call: send(archivalPolicyRoute.PATCH, (headers) => ({
          method: 'PATCH',
          path: '/api/v1/admin/archival/policies/temporary-files',
          params: { id: 'temporary-files' },
          host: APEX_HOST,
          cookieFor: demo.operator,
          headers,
          body: { minAgeDays: policy.minAgeDays + 1 },
        })),
        expected: () =>
          asPlatformEvent({
            type: 'config_change',
            action: 'archival_policy.update',
            actor: userActor(demo.operator),
            target: { type: 'archival_policy', id: 'temporary-files' },
          }),
      };
    },
  },
  {
    operation: 'POST /api/v1/admin/invoices/run',
    successStatus: 202,
    arrange: async () => ({
      // A month no tenant existed in: the run itself is what is recorded, not invoices.
      call: send(adminInvoiceRunRoute.POST, (headers) => ({
        method: 'POST',
        path: '/api/v1/admin/invoices/run',
        host: APEX_HOST,
        cookieFor: demo.operator,
        headers,
        body: { period: '2020-01' },
      })),
      expected: () =>
        asPlatformEvent({ type: 'workflow_execution', action: 'invoices.run_requested', actor: userActor(demo.operator), target: { type: 'invoice_run', id: null } }),
    }),
  },
  {
    operation: 'PATCH /api/v1/admin/invoices/{id}',
    successStatus: 200,
    arrange: async () => {
      const billed = await createBackdatedTenant('starter', utc('2026-06-01'), 'audited');
      const { invoiceId: id } = await billTenantPeriod(billed.id, '2026-09', new Date('2026-10-01T01:00:00Z'));
      return {
        call: send(adminInvoiceRoute.PATCH, (headers) => ({
          method: 'PATCH',
          path: `/api/v1/admin/invoices/${id}`,
          params: { id },
          host: APEX_HOST,
          cookieFor: demo.operator,
          headers,
          body: { status: 'paid' },
        })),
        expected: () =>
          asPlatformEvent({ type: 'data_modify', action: 'invoice.status_change', actor: userActor(demo.operator), target: { type: 'invoice', id } }),
      };
    },
  },
  {
    operation: 'POST /api/v1/estimates/import',
    successStatus: 201,
    arrange: async () => ({
      // Streamed, no transaction around the handler: the event follows the import's own transaction.
      call: send(
        estimatesImportRoute.POST,
        inTenant({
          method: 'POST',
          path: '/api/v1/estimates/import',
          apiKey: t.apiKey,
          body: [{ project: 'Audited', name: `Imported ${marker}`, location: { country: 'DE' }, materials: [], currency: 'EUR' }],
        }),
      ),
      expected: async () =>
        asTenantEvent({ type: 'data_modify', action: 'estimate.import', actor: await keyActor(t.apiKey), target: { type: 'estimate_import', id: null } }),
    }),
  },
];

const ORIGIN = { 'x-sitework-client-address': '198.51.100.23', 'x-forwarded-for': '192.0.2.66', 'user-agent': 'audit-table/1.0' };
let calls = 0;
const nextRequestId = () => `audit-${marker}-${String((calls += 1)).padStart(3, '0')}`;

describe('every mutating endpoint', () => {
  it('has a row in this table (or is listed as recording nothing, with the reason)', async () => {
    const mutating = (await v1Operations()).filter((operation) => !operation.startsWith('GET '));
    const listed = [...mutationCases.map((c) => c.operation), ...Object.keys(UNRECORDED)];
    expect(listed.sort()).toEqual(mutating.sort());
  });

  it.each(mutationCases)('$operation, called once, records exactly one event with its actor and target', async (c) => {
    const arranged = await c.arrange();
    const requestId = nextRequestId();
    const { result, rows } = await recordedBy(() => arranged.call({ ...ORIGIN, 'x-request-id': requestId }));
    expect(result.status, result.text).toBe(c.successStatus);
    const expected = await arranged.expected(result);
    expect(rows, JSON.stringify(rows, null, 1)).toHaveLength(1);
    const [row] = rows;
    expect({
      chain: row.tenantId,
      type: row.eventType,
      action: row.action,
      actor: { type: row.actorType, id: row.actorId, name: row.actorName },
      target: { type: row.targetType, id: row.targetId },
    }).toEqual(expected);
    expect(row).toMatchObject({ outcome: 'success', requestId, ip: '198.51.100.23', userAgent: 'audit-table/1.0' });
  });

  it.each(Object.entries(UNRECORDED))('%s records nothing', async (_operation, c) => {
    const call = await c.arrange();
    const { result, rows } = await recordedBy(() => call({ ...ORIGIN, 'x-request-id': nextRequestId() }));
    expect(result.status, result.text).toBe(c.successStatus);
    expect(rows, c.reason).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (b) A refused or failed mutation records one failure event and changes nothing else.

describe('a failed mutation', () => {
  const expectOneFailure = (rows: TAuditRow[], expected: Record<string, unknown>, status: number, code: string) => {
    expect(rows, JSON.stringify(rows, null, 1)).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenantId: t.id, outcome: 'failure', ...expected });
    expect(rows[0].metadata).toMatchObject({ status, code, message: expect.any(String) });
  };

  it('refused to a viewer (403) is one security_event failure with the status and code, and the settings stay', async () => {
    const before = await settingsRow(t.id);
    const { result, rows } = await recordedBy(() =>
      callRoute(tenantSettingsRoute.PATCH, {
        method: 'PATCH',
        path: '/api/v1/tenant/settings',
        host: t.host,
        cookieFor: t.members.viewer,
        body: { brandingDisplayName: 'Viewer was here' },
      }),
    );
    expectError(result, 403, 'forbidden');
    expectOneFailure(rows, { eventType: 'security_event', action: 'tenant.settings_update', actorId: t.members.viewer.id }, 403, 'forbidden');
    expect(await settingsRow(t.id)).toEqual(before);
  });

  it('with an invalid body (400) is one failure naming its target, and the role stays', async () => {
    const { membershipId } = await addMember(t.id, 'editor');
    const { result, rows } = await recordedBy(() =>
      callRoute(memberRoute.PATCH, {
        method: 'PATCH',
        path: `/api/v1/members/${membershipId}`,
        params: { id: membershipId },
        host: t.host,
        cookieFor: t.members.owner,
        body: { role: 'god' },
      }),
    );
    expectError(result, 400, 'validation_failed');
    expectOneFailure(
      rows,
      { eventType: 'security_event', action: 'member.role_change', actorId: t.members.owner.id, targetType: 'member', targetId: membershipId },
      400,
      'validation_failed',
    );
    expect(await membershipRole(membershipId)).toBe('editor');
  });

  it('on an unknown id (404) is one failure, and no key changes', async () => {
    const keysBefore = await apiKeysOf(t.id);
    const id = randomUUID();
    const { result, rows } = await recordedBy(() =>
      callRoute(apiKeyRoute.DELETE, { method: 'DELETE', path: `/api/v1/api-keys/${id}`, params: { id }, host: t.host, cookieFor: t.members.owner }),
    );
    expectError(result, 404, 'not_found');
    expectOneFailure(rows, { eventType: 'security_event', action: 'api_key.revoke', targetType: 'api_key', targetId: id }, 404, 'not_found');
    expect(await apiKeysOf(t.id)).toEqual(keysBefore);
  });

  it('on an unknown file (404, inside the request’s transaction) is one file_delete failure', async () => {
    const id = randomUUID();
    const { result, rows } = await recordedBy(() =>
      callRoute(fileRoute.DELETE, { method: 'DELETE', path: `/api/v1/files/${id}`, params: { id }, host: t.host, apiKey: t.apiKey }),
    );
    expectError(result, 404, 'not_found');
    expectOneFailure(rows, { eventType: 'file_delete', action: 'file.delete', actorType: 'api_key', targetId: id }, 404, 'not_found');
  });

  it('without credentials (401) records nothing: nobody to hold to it, and anyone could flood the log', async () => {
    const { result, rows } = await recordedBy(() =>
      callRoute(tenantSettingsRoute.PATCH, { method: 'PATCH', path: '/api/v1/tenant/settings', host: t.host, body: { brandingDisplayName: 'x' } }),
    );
    expectError(result, 401, 'unauthorized');
    expect(rows).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (c) Sign-in.

describe('signing in to a tenant portal', () => {
  it('records login_failed with the reason for a wrong password, and login on success, in the tenant’s chain', async () => {
    const password = 'correct horse battery staple';
    const member = await addMember(t.id, 'viewer', { password });
    const headers = { host: t.host, 'x-sitework-client-address': '203.0.113.9', 'user-agent': 'browser/1.0', 'x-request-id': `signin-${marker}` };

    const failed = await recordedBy(() => authorizeCredentials({ email: member.email, password: 'not the password' }, headers).catch((e: Error) => e));
    expect(failed.result).toBeInstanceOf(Error);
    expect(failed.rows).toHaveLength(1);
    expect(failed.rows[0]).toMatchObject({
      tenantId: t.id,
      eventType: 'login_failed',
      outcome: 'failure',
      actorType: 'user',
      actorId: member.id,
      actorName: member.email,
      ip: '203.0.113.9',
      userAgent: 'browser/1.0',
      requestId: `signin-${marker}`,
    });
    expect(failed.rows[0].metadata).toMatchObject({ reason: 'wrong_password' });

    const signedIn = await recordedBy(() => authorizeCredentials({ email: member.email, password }, headers));
    expect(signedIn.result).toMatchObject({ id: member.id, signedInTenantId: t.id });
    expect(signedIn.rows).toHaveLength(1);
    expect(signedIn.rows[0]).toMatchObject({
      tenantId: t.id,
      eventType: 'login',
      outcome: 'success',
      actorId: member.id,
      actorName: member.name,
      ip: '203.0.113.9',
    });
  });

  it('records a sign-in attempt for an unknown account as login_failed (unknown_account)', async () => {
    const email = uniqueEmail('nobody');
    const { rows } = await recordedBy(() => authorizeCredentials({ email, password: 'whatever-it-is' }, { host: t.host }).catch(() => null));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenantId: t.id, eventType: 'login_failed', actorId: null, actorName: email });
    expect(rows[0].metadata).toMatchObject({ reason: 'unknown_account' });
  });

  it('records failed sign-ins with rotating emails from one client once a minute: the first at once, the rest as one row with their count', async () => {
    const target = await createTestTenant('rotating');
    const headers = { host: hostOf(target.slug), 'x-sitework-client-address': '198.51.100.140' };
    const burst = await recordedBy(async () => {
      for (let i = 0; i < 12; i += 1) {
        await authorizeCredentials({ email: uniqueEmail(`rotating-${i}`), password: 'guessing-a-password' }, headers).catch(() => null);
      }
    });
    expect(burst.rows).toHaveLength(1);
    expect(burst.rows[0]).toMatchObject({ tenantId: target.id, eventType: 'login_failed', ip: '198.51.100.140' });

    const counted = await recordedBy(() => flushRepeatedFailures({ nowMs: Date.now() + 61_000 }));
    const ofTarget = counted.rows.filter((row) => row.tenantId === target.id);
    expect(ofTarget).toHaveLength(1);
    expect(ofTarget[0]).toMatchObject({
      eventType: 'login_failed',
      action: 'auth.sign_in',
      outcome: 'failure',
      actorType: 'user',
      actorId: null,
      actorName: '11 more from this address',
      ip: '198.51.100.140',
    });
    expect(ofTarget[0].metadata).toMatchObject({ repeated: 11, reasons: { unknown_account: 11 } });
    expect((ofTarget[0].metadata as { actors: string[] }).actors).toHaveLength(10);
  });

  it('gives at most 20 client addresses a minute rows of their own in one chain; the others share one counted row', async () => {
    const target = await createTestTenant('many-clients');
    const { rows } = await recordedBy(async () => {
      for (let i = 0; i < 25; i += 1) {
        await recordRepeatedFailure({
          tenantId: target.id,
          type: 'login_failed',
          action: 'auth.sign_in',
          outcome: 'failure',
          actor: { type: 'user', id: null, name: uniqueEmail(`client-${i}`) },
          metadata: { reason: 'unknown_account' },
          ip: `10.66.0.${i + 1}`,
        });
      }
    });
    expect(rows).toHaveLength(20);
    const counted = await recordedBy(() => flushRepeatedFailures({ nowMs: Date.now() + 61_000 }));
    const ofTarget = counted.rows.filter((row) => row.tenantId === target.id);
    expect(ofTarget).toHaveLength(1);
    expect(ofTarget[0]).toMatchObject({ eventType: 'login_failed', actorName: '5 from other addresses', ip: null });
    expect(ofTarget[0].metadata).toMatchObject({ repeated: 5, networks: 5 });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Reading the log back.

interface TReader {
  tenantId: string;
  host: string;
  owner: TDemoMember;
}

async function readerTenant(label: string): Promise<TReader> {
  const { id, slug } = await createTestTenant(label);
  return { tenantId: id, host: hostOf(slug), owner: await addMember(id, 'owner') };
}

async function writeEvents(tenantId: string, events: TAuditEvent[], batchSize = 50): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) {
    await withTenant(tenantId, (tx) => recordAudit(tx, ...events.slice(i, i + batchSize)));
  }
}

const chainRows = (tenantId: string) => ownerDb().select().from(auditLogs).where(eq(auditLogs.tenantId, tenantId)).orderBy(asc(auditLogs.seq));

describe('GET /api/v1/audit/logs with filters and a cursor', () => {
  let reader: TReader;
  let rows: TAuditRow[];
  const base = Date.now();
  const ACTORS = [
    { type: 'user' as const, id: 'u-ada', name: 'Ada Lovelace' },
    { type: 'api_key' as const, id: 'k-ci', name: 'CI deploy key' },
    { type: 'user' as const, id: 'u-bob', name: 'Bob Builder' },
  ];
  const ACTIONS: [string, TAuditEventType][] = [
    ['file.upload', 'file_upload'],
    ['file.delete', 'file_delete'],
    ['member.role_change', 'security_event'],
    ['tenant.settings_update', 'config_change'],
  ];

  beforeAll(async () => {
    reader = await readerTenant('audit-filters');
    const events = Array.from({ length: 250 }, (_, n): TAuditEvent => {
      const [action, type] = ACTIONS[n % 4];
      return {
        tenantId: reader.tenantId,
        type,
        action,
        outcome: n % 7 === 0 ? 'failure' : 'success',
        actor: ACTORS[n % 3],
        target: { type: n % 5 === 0 ? 'member' : 'file', id: `t-${n % 10}`, name: `Target ${n}` },
        metadata: { n, note: n % 11 === 0 ? 'needle 50% off_' : 'hay' },
        // Every half hour back from now: about five days.
        occurredAt: new Date(base - n * 30 * 60_000 - 1000),
      };
    });
    await writeEvents(reader.tenantId, events);
    rows = await chainRows(reader.tenantId);
    expect(rows).toHaveLength(250);
  });

  const contains = (text: string | null, part: string) => (text ?? '').toLowerCase().includes(part.toLowerCase());
  const from = new Date(base - 48 * 3600_000);
  const to = new Date(base - 24 * 3600_000);
  const FILTERS: [string, Record<string, string>, (row: TAuditRow) => boolean][] = [
    ['none', {}, () => true],
    ['actor by part of a name, any case', { actor: 'ada' }, (r) => r.actorId === 'ada' || contains(r.actorName, 'ada')],
    ['actor by id', { actor: 'k-ci' }, (r) => r.actorId === 'k-ci'],
    ['action', { action: 'file.delete' }, (r) => r.action === 'file.delete'],
    ['type', { type: 'security_event' }, (r) => r.eventType === 'security_event'],
    ['target type and id', { targetType: 'member', targetId: 't-0' }, (r) => r.targetType === 'member' && r.targetId === 't-0'],
    ['outcome', { outcome: 'failure' }, (r) => r.outcome === 'failure'],
    ['from (inclusive) and to (exclusive)', { from: from.toISOString(), to: to.toISOString() }, (r) => r.occurredAt >= from && r.occurredAt < to],
    ['free text, % taken literally', { q: '50%' }, (r) => (r.metadata as { note: string }).note.includes('50%')],
    [
      'several at once',
      { actor: 'Bob', outcome: 'success', type: 'file_upload', from: new Date(base - 96 * 3600_000).toISOString() },
      (r) => r.actorName === 'Bob Builder' && r.outcome === 'success' && r.eventType === 'file_upload' && r.occurredAt >= new Date(base - 96 * 3600_000),
    ],
  ];

  async function pageThrough(filters: Record<string, string>, limit: number): Promise<{ pages: TJson[][]; seqs: number[] }> {
    const pages: TJson[][] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ ...filters, limit: String(limit), ...(cursor ? { cursor } : {}) });
      const result = await callRoute(logsRoute.GET, { path: `/api/v1/audit/logs?${query}`, host: reader.host, cookieFor: reader.owner });
      expect(result.status, result.text).toBe(200);
      pages.push(result.body.events);
      cursor = result.body.nextCursor;
      expect(pages.length).toBeLessThan(20);
    } while (cursor);
    return { pages, seqs: pages.flat().map((e) => e.seq) };
  }

  it.each(FILTERS)('returns every matching row exactly once, newest first, 37 at a time: %s', async (_name, filters, matches) => {
    const expected = rows.filter(matches).map((r) => r.seq);
    expect(expected.length).toBeGreaterThan(0);
    const { pages, seqs } = await pageThrough(filters, 37);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...expected].sort((a, b) => b - a));
    expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / 37)));
    expect(pages.slice(0, -1).every((p) => p.length === 37)).toBe(true);
  });

  it('answers each event with its actor, target, origin, metadata and hash', async () => {
    const result = await callRoute(logsRoute.GET, { path: '/api/v1/audit/logs?limit=1', host: reader.host, cookieFor: reader.owner });
    const last = rows[rows.length - 1];
    expect(result.body.events).toEqual([
      {
        id: last.id,
        seq: 250,
        occurredAt: last.occurredAt.toISOString(),
        type: last.eventType,
        action: last.action,
        outcome: last.outcome,
        actor: { type: last.actorType, id: last.actorId, name: last.actorName },
        target: { type: last.targetType, id: last.targetId, name: last.targetName },
        ip: null,
        userAgent: null,
        requestId: null,
        metadata: last.metadata,
        hash: last.hash,
      },
    ]);
    expect(result.body.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a cursor it did not issue, and a limit outside 1–500, with 400 naming the field', async () => {
    const forged = [
      'nonsense',
      Buffer.from(JSON.stringify({ seq: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ seq: -3 })).toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ];
    for (const cursor of forged) {
      const result = await callRoute(logsRoute.GET, { path: `/api/v1/audit/logs?cursor=${cursor}`, host: reader.host, cookieFor: reader.owner });
      expectError(result, 400, 'validation_failed', /cursor/);
      expect(result.body.error.details.fields).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
    for (const limit of ['0', '501', 'ten']) {
      const result = await callRoute(logsRoute.GET, { path: `/api/v1/audit/logs?limit=${limit}`, host: reader.host, cookieFor: reader.owner });
      expectError(result, 400, 'validation_failed', /limit/);
    }
    const unknown = await callRoute(logsRoute.GET, { path: '/api/v1/audit/logs?tenantId=x', host: reader.host, cookieFor: reader.owner });
    expectError(unknown, 400, 'validation_failed', /tenantId/);
    const backwards = await callRoute(logsRoute.GET, {
      path: `/api/v1/audit/logs?from=${to.toISOString()}&to=${from.toISOString()}`,
      host: reader.host,
      cookieFor: reader.owner,
    });
    expectError(backwards, 400, 'validation_failed', /to/);
  });

  it('summarises the period: totals, failures, by type, action and actor', async () => {
    const result = await callRoute(summaryRoute.GET, { path: '/api/v1/audit/summary?period=7d', host: reader.host, cookieFor: reader.owner });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toMatchObject({ period: '7d', total: 250, failures: rows.filter((r) => r.outcome === 'failure').length });
    expect(result.body.byAction.find((a: TJson) => a.action === 'file.delete')).toMatchObject({ count: rows.filter((r) => r.action === 'file.delete').length });
    expect(result.body.byActor.find((a: TJson) => a.actorId === 'k-ci')).toMatchObject({ actorType: 'api_key', actorName: 'CI deploy key', count: 83 });
    const day = await callRoute(summaryRoute.GET, { path: '/api/v1/audit/summary?period=24h', host: reader.host, cookieFor: reader.owner });
    expect(day.body.total).toBe(rows.filter((r) => r.occurredAt.getTime() > Date.now() - 24 * 3600_000).length);
    expectError(await callRoute(summaryRoute.GET, { path: '/api/v1/audit/summary?period=1y', host: reader.host, cookieFor: reader.owner }), 400, 'validation_failed', /period/);
  });

  it('reading the log, its summary and its verification records nothing', async () => {
    const { rows: recorded } = await recordedBy(async () => {
      for (const [handler, path] of [
        [logsRoute.GET, '/api/v1/audit/logs'],
        [summaryRoute.GET, '/api/v1/audit/summary'],
        [verifyRoute.GET, '/api/v1/audit/verify'],
      ] as const) {
        expect((await callRoute(handler, { path, host: reader.host, cookieFor: reader.owner })).status).toBe(200);
      }
    });
    expect(recorded).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (e) Export.

/** The garbage collector, when it can be reached: heap samples then measure what is retained, not what is pending. */
function garbageCollector(): (() => void) | null {
  if (typeof globalThis.gc === 'function') return () => globalThis.gc!();
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

async function exportResponse(reader: TReader, query: string): Promise<Response> {
  const request = new Request(`http://${reader.host}/api/v1/audit/export?${query}`, {
    headers: { host: reader.host, cookie: await sessionCookie(reader.owner) },
  });
  return exportRoute.GET(request, { params: Promise.resolve({}) });
}

/** RFC 4180, for reading the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let isQuoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (isQuoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') isQuoted = false;
      else field += ch;
    } else if (ch === '"') isQuoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('GET /api/v1/audit/export', () => {
  const ROWS = 10_000;
  const PADDING = 'p'.repeat(5_000);
  let bulk: TReader;

  beforeAll(async () => {
    bulk = await readerTenant('audit-export');
    const events = Array.from(
      { length: ROWS },
      (_, n): TAuditEvent => ({
        tenantId: bulk.tenantId,
        type: 'data_access',
        action: 'bulk.read',
        actor: { type: 'user', id: 'u-bulk', name: 'Bulk Reader' },
        target: { type: 'row', id: `r-${n}`, name: `Row ${n}` },
        metadata: { n, padding: PADDING },
      }),
    );
    await writeEvents(bulk.tenantId, events, 500);
  }, 180_000);

  it('streams 10,000 rows of CSV (about 50 MB) with memory flat while it is read', async () => {
    const gc = garbageCollector();
    // The heap and the byte buffers outside it (encoded chunks waiting in the stream's queue).
    const retained = () => {
      gc?.();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const start = retained();
    const response = await exportResponse(bulk, 'format=csv&action=bulk.read');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="audit-${bulk.host.split('.')[0]}-start-\\d{8}T\\d{6}Z\\.csv"$`));

    const reader = response.body!.getReader();
    let lines = 0;
    let bytes = 0;
    let chunks = 0;
    let maxGrowth = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) lines += 1;
      chunks += 1;
      maxGrowth = Math.max(maxGrowth, retained() - start);
    }
    expect(lines).toBe(ROWS + 1);
    // One chunk per batch of 1,000 (and the header): the rows were never gathered into one piece.
    expect(chunks).toBeGreaterThanOrEqual(ROWS / 1000);
    expect(bytes).toBeGreaterThan(ROWS * PADDING.length);
    // Holding the export would hold ~50 MB (strings, row objects or encoded bytes); streaming holds about one batch.
    const bound = (gc ? 25 : 60) * 1024 * 1024;
    expect(maxGrowth, `memory grew by ${Math.round(maxGrowth / 1024 / 1024)} MiB reading ${Math.round(bytes / 1024 / 1024)} MB`).toBeLessThan(bound);
  }, 120_000);

  it('streams the same rows as JSONL, one event a line with its seq and hash', async () => {
    const response = await exportResponse(bulk, 'format=jsonl&action=bulk.read');
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(/\.jsonl"$/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    let count = 0;
    let lastSeq = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const lines = (pending + decoder.decode(value, { stream: true })).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as { seq: number; hash: string };
        expect(event.seq).toBe(lastSeq + 1);
        expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
        lastSeq = event.seq;
        count += 1;
      }
    }
    expect(pending).toBe('');
    expect(count).toBe(ROWS);
  }, 120_000);

  it('quotes CSV so tricky values round-trip, and keeps formulas from running', async () => {
    const tricky = await readerTenant('audit-tricky');
    const formula = '=HYPERLINK("http://evil.test/?a=1,2","click")\nsecond line';
    await writeEvents(tricky.tenantId, [
      {
        tenantId: tricky.tenantId,
        type: 'data_modify',
        action: '@import',
        actor: { type: 'user', id: 'u-1', name: 'Smith, "Jo"' },
        target: { type: 'tricky', id: '+1-555', name: formula },
        metadata: { note: 'a,b "c"\r\nd' },
      },
    ]);
    const [row] = await chainRows(tricky.tenantId);

    const csv = await exportResponse(tricky, 'format=csv&targetType=tricky');
    const parsed = parseCsv(await csv.text());
    expect(parsed).toHaveLength(2);
    const [header, values] = parsed;
    const record = Object.fromEntries(header.map((name, i) => [name, values[i]]));
    expect(record).toMatchObject({
      seq: '1',
      action: "'@import",
      actor_name: 'Smith, "Jo"',
      target_type: 'tricky',
      target_id: "'+1-555",
      target_name: `'${formula}`,
      hash: row.hash,
    });
    expect(JSON.parse(record.metadata)).toEqual({ note: 'a,b "c"\r\nd' });

    // JSONL carries the values as they are.
    const jsonl = await exportResponse(tricky, 'format=jsonl&from=2020-01-01&to=2100-01-01');
    expect(jsonl.headers.get('content-disposition')).toBe(`attachment; filename="audit-${tricky.host.split('.')[0]}-20200101-21000101.jsonl"`);
    const [event] = (await jsonl.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(event).toMatchObject({ seq: 1, action: '@import', actor: { name: 'Smith, "Jo"' }, target: { id: '+1-555', name: formula }, hash: row.hash });
  });

  it('records the export as one data_access event with its format and filters, and refuses an unknown format', async () => {
    const { result, rows } = await recordedBy(async () => {
      const response = await exportResponse(bulk, 'format=jsonl&targetId=r-7');
      return response.text();
    });
    expect(result.trim().split('\n')).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenantId: bulk.tenantId,
      eventType: 'data_access',
      action: 'audit.export',
      outcome: 'success',
      actorId: bulk.owner.id,
      targetType: 'audit_log',
      targetId: bulk.tenantId,
    });
    expect(rows[0].metadata).toMatchObject({ format: 'jsonl', filters: { targetId: 'r-7' } });

    const refused = await callRoute(exportRoute.GET, { path: '/api/v1/audit/export?format=xlsx', host: bulk.host, cookieFor: bulk.owner });
    expectError(refused, 400, 'validation_failed', /format/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// (f) Verify.

describe('GET /api/v1/audit/verify', () => {
  it('answers ok with the last seq and hash, then the first broken seq after a row is edited behind the triggers', async () => {
    const reader = await readerTenant('audit-verify');
    await writeEvents(
      reader.tenantId,
      Array.from({ length: 5 }, (_, n) => ({
        tenantId: reader.tenantId,
        type: 'data_modify' as const,
        action: 'thing.change',
        actor: { type: 'user' as const, id: 'u-1', name: 'Vera' },
        target: { type: 'thing', id: `t-${n}`, name: `Thing ${n}` },
      })),
    );
    const verify = () => callRoute(verifyRoute.GET, { path: '/api/v1/audit/verify', host: reader.host, cookieFor: reader.owner });
    const rows = await chainRows(reader.tenantId);

    const intact = await verify();
    expect(intact.status, intact.text).toBe(200);
    expect(intact.body).toEqual({ ok: true, checked: 5, lastSeq: 5, lastHash: rows[4].hash });

    await ownerDb().transaction(async (tx) => {
      // As the owner with triggers off (what an attacker with the database's keys could do).
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update audit_logs set target_name = 'Something else' where tenant_id = ${reader.tenantId} and seq = 3`);
    });
    const broken = await verify();
    expect(broken.status).toBe(200);
    expect(broken.body).toEqual({ ok: false, checked: 5, firstBrokenSeq: 3, reason: 'hash_mismatch' });
  });
});
