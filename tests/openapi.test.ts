import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '@/db/schema/auth';
import { PERMISSIONS } from '@/lib/auth';
import { callRoute, type TJson } from './support/http';
import { HTTP_METHODS, routes, v1RouteFiles } from './support/routes';

let document: TJson;

beforeAll(async () => {
  const result = await callRoute(routes.openapi.GET, { path: '/api/v1/openapi.json' });
  expect(result.status).toBe(200);
  expect(result.headers.get('content-type')).toMatch(/application\/json/);
  document = result.body;
});

const operation = (path: string, method: string) => document.paths[path]?.[method.toLowerCase()];
const bodySchema = (path: string, method: string) => operation(path, method).requestBody.content['application/json'].schema;

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document served from APP_URL', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Sitework API', version: '1' });
    expect(document.servers).toEqual([{ url: 'http://localhost:3000' }]);
  });

  it('lists every method exported by every route file under app/api/v1, and nothing else', async () => {
    const files = v1RouteFiles();
    expect(files.length).toBeGreaterThanOrEqual(12);
    const exported: string[] = [];
    for (const { file, path } of files) {
      const routeModule = (await import(file)) as Record<string, unknown>;
      const methods = HTTP_METHODS.filter((m) => typeof routeModule[m] === 'function');
      expect(methods.length, `${file} exports no handler`).toBeGreaterThan(0);
      for (const method of methods) {
        expect(operation(path, method), `${method} ${path} is missing from the document`).toBeDefined();
        exported.push(`${method} ${path}`);
      }
    }
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(exported.sort());
  });

  it('documents request bodies with the zod schemas the API enforces', () => {
    const invitation = bodySchema('/api/v1/invitations', 'POST');
    expect(invitation).toMatchObject({
      type: 'object',
      properties: { email: { type: 'string' }, role: { type: 'string', enum: [...ROLES] } },
      additionalProperties: false,
    });
    expect(invitation.required.sort()).toEqual(['email', 'role']);

    const apiKey = bodySchema('/api/v1/api-keys', 'POST');
    expect(apiKey.properties.scopes).toMatchObject({ type: 'array', minItems: 1, items: { enum: [...PERMISSIONS] } });
    expect(apiKey.required.sort()).toEqual(['name', 'scopes']);

    const settings = bodySchema('/api/v1/tenant/settings', 'PATCH');
    expect(settings.properties.brandingPrimaryColor.anyOf ?? [settings.properties.brandingPrimaryColor]).toEqual(
      expect.arrayContaining([expect.objectContaining({ pattern: '^#[0-9a-fA-F]{6}$' })]),
    );
    expect(settings.required ?? []).toEqual([]);

    expect(bodySchema('/api/v1/members/{id}', 'PATCH').properties.role.enum).toEqual([...ROLES]);
    expect(operation('/api/v1/members', 'GET').requestBody).toBeUndefined();
  });

  it('documents path and query parameters, and the X-Tenant-ID header on tenant endpoints', () => {
    expect(operation('/api/v1/members/{id}', 'DELETE').parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ format: 'uuid' }) }),
        expect.objectContaining({ name: 'X-Tenant-ID', in: 'header', required: false }),
      ]),
    );
    const listTenants = operation('/api/v1/admin/tenants', 'GET').parameters;
    expect(listTenants.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit', 'search']);
    expect(listTenants.find((p: { name: string }) => p.name === 'limit')).toMatchObject({ in: 'query', required: false });
  });

  it('documents the Idempotency-Key header on the operations that honour it, and only there', () => {
    const withKey = Object.entries(document.paths as Record<string, Record<string, { parameters?: { name: string }[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => (op.parameters ?? []).some((p) => p.name === 'Idempotency-Key'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(withKey.sort()).toEqual(['POST /api/v1/estimates', 'POST /api/v1/estimates/import']);
  });

  it('states who may call each operation and what it answers', () => {
    expect(operation('/api/v1/tenant/settings', 'PATCH')).toMatchObject({
      'x-permission': 'settings:manage',
      security: [{ apiKey: [] }, { session: [] }],
    });
    expect(operation('/api/v1/admin/users', 'GET').security).toEqual([{ session: [] }]);
    expect(operation('/api/v1/invitations/accept', 'POST').security).toEqual([]);
    // A JSON body may also be too large (413) or not declared JSON (415).
    expect(Object.keys(operation('/api/v1/invitations', 'POST').responses)).toEqual(['201', '413', '415', 'default']);
    expect(Object.keys(operation('/api/v1/api-keys/{id}', 'DELETE').responses)).toEqual(['204', 'default']);
    expect(document.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'requestId']);
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.info.description).toMatch(/Content-Type: application\/json.*415.*1 MiB.*413/);
    expect(document.info.description).toMatch(/Origin header.*403/);
  });
});
