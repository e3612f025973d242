import { beforeAll, describe, expect, it } from 'vitest';
import type { TRole } from '@/db/schema/auth';
import { seedDemoData } from '@/db/seed';
import { ROLE_PERMISSIONS, permissionsOf } from '@/lib/auth';
import { ensureBuckets } from '@/lib/storage';
// Route modules are imported relatively: the lint rule against importing app/ guards lib/, not tests.
import * as archivalPolicy from '../app/api/v1/admin/archival/policies/[id]/route';
import * as archivalPolicies from '../app/api/v1/admin/archival/policies/route';
import * as archivalRun from '../app/api/v1/admin/archival/run/route';
import * as archivalRuns from '../app/api/v1/admin/archival/runs/route';
import * as restoreRoute from '../app/api/v1/files/[id]/restore/route';
import { createAgedFile, fileRecord, runRecord } from './support/archival';
import {
  APEX_HOST,
  callRoute,
  createKey,
  demoUsers,
  expectError,
  hostOf,
  type TCallOptions,
  type TDemo,
  type TRouteHandler,
} from './support/http';
import { v1Operations } from './support/routes';
import { ownerDb } from '@/db/client';
import { archivalPolicies as policiesTable, archivalRuns as runsTable } from '@/db/schema/files';
import { eq } from 'drizzle-orm';
import { startArchivalRun } from '@/lib/archival';

let demo: TDemo;

beforeAll(async () => {
  await ensureBuckets();
  await seedDemoData();
  demo = await demoUsers();
});

const tested = new Set<string>();

interface TPlatformCase {
  operation: string;
  handler: TRouteHandler;
  successStatus: number;
  request: () => Promise<Omit<TCallOptions, 'cookieFor' | 'apiKey'>>;
  /** What a refused call must leave as it was, and an allowed one (writes) must change. */
  state: () => Promise<unknown>;
  isRead?: boolean;
}

const policyState = async () => (await ownerDb().select().from(policiesTable).where(eq(policiesTable.id, 'temporary-files')))[0];
const runCount = async () => (await ownerDb().select({ id: runsTable.id }).from(runsTable)).length;

const platformCases: TPlatformCase[] = [
  {
    operation: 'POST /api/v1/admin/archival/run',
    handler: archivalRun.POST,
    successStatus: 202,
    request: async () => ({ method: 'POST', path: '/api/v1/admin/archival/run' }),
    state: runCount,
  },
  {
    operation: 'GET /api/v1/admin/archival/runs',
    handler: archivalRuns.GET,
    successStatus: 200,
    request: async () => ({ path: '/api/v1/admin/archival/runs' }),
    state: runCount,
    isRead: true,
  },
  {
    operation: 'GET /api/v1/admin/archival/policies',
    handler: archivalPolicies.GET,
    successStatus: 200,
    request: async () => ({ path: '/api/v1/admin/archival/policies' }),
    state: policyState,
    isRead: true,
  },
  {
    operation: 'PATCH /api/v1/admin/archival/policies/{id}',
    handler: archivalPolicy.PATCH,
    successStatus: 200,
    request: async () => {
      const current = (await policyState())!;
      return {
        method: 'PATCH',
        path: '/api/v1/admin/archival/policies/temporary-files',
        params: { id: 'temporary-files' },
        body: { minAgeDays: current.minAgeDays + 1 },
      };
    },
    state: policyState,
  },
];

describe.each(platformCases)('$operation', (c) => {
  tested.add(c.operation);

  it(`lets a platform operator through with ${c.successStatus}`, async () => {
    const before = await c.state();
    const result = await callRoute(c.handler, { ...(await c.request()), host: APEX_HOST, cookieFor: demo.operator });
    expect(result.status, JSON.stringify(result.body)).toBe(c.successStatus);
    if (c.isRead) expect(await c.state()).toEqual(before);
    else expect(await c.state()).not.toEqual(before);
  });

  it("refuses a tenant owner's session with 403 and changes nothing", async () => {
    const before = await c.state();
    const result = await callRoute(c.handler, { ...(await c.request()), host: APEX_HOST, cookieFor: demo.acme.owner });
    expectError(result, 403, 'forbidden');
    expect(await c.state()).toEqual(before);
  });

  it('refuses a caller without a session with 401 and changes nothing', async () => {
    const before = await c.state();
    const result = await callRoute(c.handler, { ...(await c.request()), host: APEX_HOST });
    expectError(result, 401, 'unauthorized');
    expect(await c.state()).toEqual(before);
  });

  it("refuses even an owner's all-scopes API key with 401", async () => {
    const apiKey = await createKey('acme', 'owner', permissionsOf('owner'));
    const before = await c.state();
    expectError(await callRoute(c.handler, { ...(await c.request()), host: APEX_HOST, apiKey }), 401, 'unauthorized');
    expect(await c.state()).toEqual(before);
  });
});

describe('what the operator endpoints answer', () => {
  it('runs archival on POST …/run and reports the run, which GET …/runs then lists with its counters', async () => {
    const file = await createAgedFile(demo.acme.id, { ageDays: 400, status: 'completed' });
    const started = await callRoute(archivalRun.POST, { method: 'POST', path: '/api/v1/admin/archival/run', cookieFor: demo.operator });
    expect(started.status).toBe(202);
    const runId: string = started.body.run.id;
    // Without a job queue in this process the run completes inline.
    expect(await runRecord(runId)).toMatchObject({ trigger: 'manual', status: 'succeeded', filesArchived: 1 });
    expect((await fileRecord(file.id))!.storageTier).toBe('archived');

    const listed = await callRoute(archivalRuns.GET, { path: '/api/v1/admin/archival/runs?limit=5', cookieFor: demo.operator });
    expect(listed.status).toBe(200);
    expect(listed.body.runs[0]).toMatchObject({ id: runId, status: 'succeeded', filesConsidered: 1, filesArchived: 1, filesFailed: 0 });
  });

  it('lists the seeded policies', async () => {
    const result = await callRoute(archivalPolicies.GET, { path: '/api/v1/admin/archival/policies', cookieFor: demo.operator });
    const byId = Object.fromEntries(result.body.policies.map((p: { id: string }) => [p.id, p]));
    expect(byId['completed-files']).toMatchObject({ appliesTo: 'completed', minAgeDays: 365, storageClass: 'GLACIER', isEnabled: true });
    expect(byId['failed-files']).toMatchObject({ appliesTo: 'failed', minAgeDays: 90, storageClass: 'STANDARD_IA' });
    expect(byId['temporary-files']).toMatchObject({ appliesTo: 'temporary', storageClass: 'GLACIER' });
    expect(byId['log-exports']).toMatchObject({ appliesTo: 'audit_export', minAgeDays: 30, storageClass: 'STANDARD_IA' });
  });

  it('changes a policy and refuses unknown storage classes, bad ages, empty patches and unknown policies', async () => {
    const patch = (id: string, body: unknown) =>
      callRoute(archivalPolicy.PATCH, { method: 'PATCH', path: `/api/v1/admin/archival/policies/${id}`, params: { id }, body, cookieFor: demo.operator });
    const changed = await patch('log-exports', { storageClass: 'DEEP_ARCHIVE', isEnabled: false });
    expect(changed.status).toBe(200);
    expect(changed.body.policy).toMatchObject({ id: 'log-exports', storageClass: 'DEEP_ARCHIVE', isEnabled: false });

    const before = await ownerDb().select().from(policiesTable).where(eq(policiesTable.id, 'log-exports'));
    expectError(await patch('log-exports', { storageClass: 'COLD' }), 400, 'validation_failed', /storageClass/);
    expectError(await patch('log-exports', { minAgeDays: 0 }), 400, 'validation_failed', /minAgeDays/);
    expectError(await patch('log-exports', {}), 400, 'validation_failed');
    expectError(await patch('no-such-policy', { isEnabled: true }), 404, 'not_found');
    expect(await ownerDb().select().from(policiesTable).where(eq(policiesTable.id, 'log-exports'))).toEqual(before);
  });
});

describe('POST /api/v1/files/{id}/restore', () => {
  tested.add('POST /api/v1/files/{id}/restore');

  async function archivedAcmeFile(): Promise<string> {
    const file = await createAgedFile(demo.acme.id, { ageDays: 400, status: 'completed' });
    await startArchivalRun('manual');
    return file.id;
  }

  const call = async (fileId: string, credentials: Pick<TCallOptions, 'cookieFor' | 'apiKey'>) =>
    callRoute(restoreRoute.POST, {
      method: 'POST',
      path: `/api/v1/files/${fileId}/restore`,
      params: { id: fileId },
      host: hostOf('acme'),
      body: { days: 2 },
      ...credentials,
    });

  const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
  for (const role of ROLES) {
    if (ROLE_PERMISSIONS[role].has('files:write')) {
      it(`lets an ${role} restore (files:write)`, async () => {
        const fileId = await archivedAcmeFile();
        const result = await call(fileId, { cookieFor: demo.acme[role] });
        expect(result.status).toBe(200);
        expect((await fileRecord(fileId))!.storageTier).toBe('restored');
      });
    } else {
      it(`refuses a ${role} with 403 and restores nothing`, async () => {
        const fileId = await archivedAcmeFile();
        expectError(await call(fileId, { cookieFor: demo.acme[role] }), 403, 'forbidden');
        expect((await fileRecord(fileId))!.storageTier).toBe('archived');
      });
    }
  }

  it('lets an API key scoped to files:write through, and refuses one with only files:read with 403', async () => {
    const fileId = await archivedAcmeFile();
    expectError(await call(fileId, { apiKey: await createKey('acme', 'owner', ['files:read']) }), 403, 'forbidden');
    expect((await fileRecord(fileId))!.storageTier).toBe('archived');
    expect((await call(fileId, { apiKey: await createKey('acme', 'owner', ['files:write']) })).status).toBe(200);
  });

  it('refuses a caller without credentials with 401', async () => {
    const fileId = await archivedAcmeFile();
    expectError(await call(fileId, {}), 401, 'unauthorized');
    expect((await fileRecord(fileId))!.storageTier).toBe('archived');
  });
});

describe('coverage of this table', () => {
  it('checks every archival operation exported under app/api/v1', async () => {
    const ours = (await v1Operations()).filter(
      (operation) => operation.split(' ')[1].startsWith('/api/v1/admin/archival') || operation === 'POST /api/v1/files/{id}/restore',
    );
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
