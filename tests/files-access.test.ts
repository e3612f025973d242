import { beforeAll, describe, expect, it } from 'vitest';
import type { TRole } from '@/db/schema/auth';
import { seedDemoData } from '@/db/seed';
import { permissionsOf, ROLE_PERMISSIONS, type TPermission } from '@/lib/auth';
import { ensureBuckets } from '@/lib/storage';
import * as fileRoute from '../app/api/v1/files/[id]/route';
import * as completeRoute from '../app/api/v1/files/[id]/complete/route';
import * as downloadRoute from '../app/api/v1/files/[id]/download/route';
import * as filesRoute from '../app/api/v1/files/route';
import * as uploadsRoute from '../app/api/v1/files/uploads/route';
import * as usageRoute from '../app/api/v1/files/usage/route';
import { callUpload, fileRow, fileRows, pdfBytes, storedKeys } from './support/files';
import { callRoute, createKey, demoUsers, expectError, hostOf, type TCallResult, type TDemo, type TDemoMember } from './support/http';
import { v1Operations } from './support/routes';

let demo: TDemo;
let acmeKey: string;

beforeAll(async () => {
  await ensureBuckets();
  await seedDemoData();
  demo = await demoUsers();
  acmeKey = await createKey('acme', 'owner', ['files:read', 'files:write']);
});

interface TCredentials {
  cookieFor?: TDemoMember;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** A file of acme, uploaded by its owner's key. */
async function acmeFile(tenant: 'acme' | 'globex' = 'acme'): Promise<string> {
  const apiKey = tenant === 'acme' ? acmeKey : await createKey('globex', 'owner', ['files:write']);
  const result = await callUpload(filesRoute.POST, { host: hostOf(tenant), apiKey, filename: 'access.pdf', body: pdfBytes(500) });
  expect(result.status, result.text).toBe(201);
  return result.body.file.id;
}

async function presignedFile(): Promise<string> {
  const result = await callRoute(uploadsRoute.POST, {
    method: 'POST',
    host: hostOf('acme'),
    apiKey: acmeKey,
    path: '/api/v1/files/uploads',
    body: { name: 'pending.pdf', size: 500 },
  });
  const put = await fetch(result.body.uploadUrl, { method: 'PUT', body: new Uint8Array(pdfBytes(500)) });
  expect(put.status).toBe(200);
  return result.body.file.id;
}

interface TCase {
  operation: string;
  permission: TPermission;
  successStatus: number;
  /** Sets up what the call acts on; returns the call and a read of the state a write would change. */
  arrange: () => Promise<{ call: (c: TCredentials, host: string) => Promise<TCallResult>; state: () => Promise<unknown> }>;
}

const acmeFileCount = async () => (await fileRows(demo.acme.id)).length;

const byId = (handler: typeof fileRoute.GET, method: string, suffix = '', body?: unknown) => async (id: string) => ({
  call: (c: TCredentials, host: string) =>
    callRoute(handler, { method, host, path: `/api/v1/files/${id}${suffix}`, params: { id }, body, ...c }),
  state: async () => {
    const row = await fileRow(id);
    return row && { status: row.status, updatedAt: row.updatedAt };
  },
});

const cases: TCase[] = [
  {
    operation: 'POST /api/v1/files',
    permission: 'files:write',
    successStatus: 201,
    arrange: async () => ({
      call: (c, host) => callUpload(filesRoute.POST, { host, filename: 'up.pdf', body: pdfBytes(300), ...c }),
      state: acmeFileCount,
    }),
  },
  {
    operation: 'GET /api/v1/files',
    permission: 'files:read',
    successStatus: 200,
    arrange: async () => ({ call: (c, host) => callRoute(filesRoute.GET, { host, path: '/api/v1/files', ...c }), state: acmeFileCount }),
  },
  {
    operation: 'GET /api/v1/files/usage',
    permission: 'files:read',
    successStatus: 200,
    arrange: async () => ({ call: (c, host) => callRoute(usageRoute.GET, { host, path: '/api/v1/files/usage', ...c }), state: acmeFileCount }),
  },
  {
    operation: 'GET /api/v1/files/{id}',
    permission: 'files:read',
    successStatus: 200,
    arrange: async () => byId(fileRoute.GET, 'GET')(await acmeFile()),
  },
  {
    operation: 'GET /api/v1/files/{id}/download',
    permission: 'files:read',
    successStatus: 200,
    arrange: async () => byId(downloadRoute.GET, 'GET', '/download')(await acmeFile()),
  },
  {
    operation: 'PATCH /api/v1/files/{id}',
    permission: 'files:write',
    successStatus: 200,
    arrange: async () => byId(fileRoute.PATCH, 'PATCH', '', { status: 'processing' })(await acmeFile()),
  },
  {
    operation: 'DELETE /api/v1/files/{id}',
    permission: 'files:write',
    successStatus: 204,
    arrange: async () => byId(fileRoute.DELETE, 'DELETE')(await acmeFile()),
  },
  {
    operation: 'POST /api/v1/files/uploads',
    permission: 'files:write',
    successStatus: 201,
    arrange: async () => ({
      call: (c, host) =>
        callRoute(uploadsRoute.POST, { method: 'POST', host, path: '/api/v1/files/uploads', body: { name: 'p.pdf', size: 10 }, ...c }),
      state: acmeFileCount,
    }),
  },
  {
    operation: 'POST /api/v1/files/{id}/complete',
    permission: 'files:write',
    successStatus: 200,
    arrange: async () => byId(completeRoute.POST, 'POST', '/complete')(await presignedFile()),
  },
];

async function expectAllowed(c: TCase, credentials: TCredentials) {
  const arranged = await c.arrange();
  const before = await arranged.state();
  const result = await arranged.call(credentials, hostOf('acme'));
  expect(result.status, result.text).toBe(c.successStatus);
  if (c.permission === 'files:write') expect(await arranged.state()).not.toEqual(before);
}

async function expectRefused(c: TCase, credentials: TCredentials, status: number, code: string) {
  const arranged = await c.arrange();
  const before = await arranged.state();
  const keysBefore = new Set(await storedKeys(demo.acme.id));
  expectError(await arranged.call(credentials, hostOf('acme')), status, code);
  expect(await arranged.state()).toEqual(before);
  // No object was added (objects of files deleted by earlier tests may still be going away meanwhile).
  expect((await storedKeys(demo.acme.id)).filter((key) => !keysBefore.has(key))).toEqual([]);
}

const ROLES: TRole[] = ['viewer', 'editor', 'admin', 'owner'];
const tested = new Set<string>();

describe.each(cases)('$operation', (c) => {
  tested.add(c.operation);

  for (const role of ROLES) {
    if (ROLE_PERMISSIONS[role].has(c.permission)) {
      it(`lets an ${role} session through (${c.permission})`, () => expectAllowed(c, { cookieFor: demo.acme[role] }));
    } else {
      it(`refuses a ${role} session with 403 (needs ${c.permission}) and changes nothing`, () =>
        expectRefused(c, { cookieFor: demo.acme[role] }, 403, 'forbidden'));
    }
  }

  it(`lets an API key scoped to just ${c.permission} through`, async () =>
    expectAllowed(c, { apiKey: await createKey('acme', 'owner', [c.permission]) }));

  it(`refuses an API key with every other scope but ${c.permission} with 403 and changes nothing`, async () => {
    const scopes = permissionsOf('owner').filter((p) => p !== c.permission);
    await expectRefused(c, { apiKey: await createKey('acme', 'owner', scopes) }, 403, 'forbidden');
  });

  it('refuses a caller without credentials with 401 and changes nothing', () => expectRefused(c, {}, 401, 'unauthorized'));
});

describe('another tenant’s files', () => {
  const idCases = cases.filter((c) => c.operation.includes('{id}'));

  it.each(idCases.map((c) => c.operation))("answers %s on a globex file id from acme with 404 and leaves it unchanged", async (operation) => {
    const c = idCases.find((x) => x.operation === operation)!;
    const globexId = operation.endsWith('/complete') ? null : await acmeFile('globex');
    // For completion the foreign file is a pending presigned upload of globex.
    const id =
      globexId ??
      (
        await callRoute(uploadsRoute.POST, {
          method: 'POST',
          host: hostOf('globex'),
          apiKey: await createKey('globex', 'owner', ['files:write']),
          path: '/api/v1/files/uploads',
          body: { name: 'g.pdf', size: 10 },
        })
      ).body.file.id;
    const before = await fileRow(id);
    const [method, path] = operation.split(' ');
    const handler = { GET: path.endsWith('/download') ? downloadRoute.GET : fileRoute.GET, PATCH: fileRoute.PATCH, DELETE: fileRoute.DELETE, POST: completeRoute.POST }[
      method as 'GET' | 'PATCH' | 'DELETE' | 'POST'
    ];
    for (const credentials of [{ apiKey: acmeKey }, { cookieFor: demo.acme.owner }]) {
      const result = await callRoute(handler, {
        method,
        host: hostOf('acme'),
        path: path.replace('{id}', id),
        params: { id },
        body: method === 'PATCH' ? { status: 'processing' } : undefined,
        ...credentials,
      });
      expectError(result, 404, 'not_found', /File not found/);
    }
    expect(await fileRow(id)).toEqual(before);
    expect(c).toBeDefined();
  });

  it('never lists or counts another tenant’s files', async () => {
    const globexId = await acmeFile('globex');
    const listed = await callRoute(filesRoute.GET, { host: hostOf('acme'), apiKey: acmeKey, path: '/api/v1/files?limit=200' });
    expect(listed.body.files.map((f: { id: string }) => f.id)).not.toContain(globexId);
    expect(listed.body.files.length).toBe((await fileRows(demo.acme.id)).length);
  });

  it("refuses acme's key sent to globex's subdomain with 403", async () => {
    const result = await callUpload(filesRoute.POST, { host: hostOf('globex'), apiKey: acmeKey, filename: 'x.pdf', body: pdfBytes(100) });
    expectError(result, 403, 'forbidden');
    expect(await storedKeys(demo.globex.id)).not.toContain(expect.stringContaining('x.pdf'));
  });
});

describe('coverage of this table', () => {
  it('checks every handler exported under app/api/v1/files (restore is covered by the archival tests)', async () => {
    const ours = (await v1Operations()).filter((operation) => {
      const path = operation.split(' ')[1];
      return path.startsWith('/api/v1/files') && path !== '/api/v1/files/{id}/restore';
    });
    expect([...tested].sort()).toEqual(ours.sort());
  });
});
