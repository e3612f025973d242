import { beforeAll, describe, expect, it } from 'vitest';
import { callRoute, expectError, hostOf, type TDemoMember, type TSessionSubject } from './support/http';
import { routes } from './support/routes';
import { addMember, createTestTenant, settingsRow, tenantRow } from './support/state';

const GiB = 1024 ** 3;

let tenant: { id: string; slug: string };
let admin: TDemoMember;
let viewer: TDemoMember;

beforeAll(async () => {
  tenant = await createTestTenant('settings');
  await addMember(tenant.id, 'owner');
  admin = await addMember(tenant.id, 'admin');
  viewer = await addMember(tenant.id, 'viewer');
});

const patchSettings = (body: unknown, as: TSessionSubject = admin) =>
  callRoute(routes.tenantSettings.PATCH, { method: 'PATCH', path: '/api/v1/tenant/settings', host: hostOf(tenant.slug), cookieFor: as, body });

const readTenant = () => callRoute(routes.tenant.GET, { path: '/api/v1/tenant', host: hostOf(tenant.slug), cookieFor: viewer });

/** Everything a settings PATCH could change, as stored. */
const storedSettings = async () => ({ tenant: await tenantRow(tenant.id), settings: await settingsRow(tenant.id) });

describe('tenant settings', () => {
  it('start at 5 GiB per file and dwg, rvt, ifc and pdf, with no branding or webhook', async () => {
    const result = await readTenant();
    expect(result.status).toBe(200);
    expect(result.body.tenant.settings).toEqual({
      maxFileSizeBytes: 5 * GiB,
      allowedFileTypes: ['dwg', 'rvt', 'ifc', 'pdf'],
      webhookUrl: null,
      webhookEvents: [],
      brandingDisplayName: null,
      brandingLogoUrl: null,
      brandingPrimaryColor: null,
    });
    expect(result.body.tenant).toMatchObject({ id: tenant.id, slug: tenant.slug, plan: 'free' });
  });

  it('PATCH updates branding and settings, and GET /api/v1/tenant returns them', async () => {
    const result = await patchSettings({
      name: 'Renamed Builders',
      logoUrl: 'https://cdn.example.com/logo.png',
      brandingDisplayName: 'Renamed',
      brandingPrimaryColor: '#1F6FEB',
      brandingLogoUrl: 'https://cdn.example.com/brand.svg',
      maxFileSizeBytes: 2 * GiB,
      allowedFileTypes: ['PDF', 'dwg', 'nwd'],
      webhookUrl: 'https://hooks.example.com/sitework',
      webhookEvents: ['file.uploaded'],
    });
    expect(result.status).toBe(200);
    const expected = {
      maxFileSizeBytes: 2 * GiB,
      allowedFileTypes: ['pdf', 'dwg', 'nwd'],
      webhookUrl: 'https://hooks.example.com/sitework',
      webhookEvents: ['file.uploaded'],
      brandingDisplayName: 'Renamed',
      brandingLogoUrl: 'https://cdn.example.com/brand.svg',
      brandingPrimaryColor: '#1F6FEB',
    };
    expect(result.body.tenant).toMatchObject({ name: 'Renamed Builders', logoUrl: 'https://cdn.example.com/logo.png', settings: expected });

    const read = await readTenant();
    expect(read.body.tenant).toMatchObject({ name: 'Renamed Builders', logoUrl: 'https://cdn.example.com/logo.png', settings: expected });
    expect(await settingsRow(tenant.id)).toMatchObject(expected);
  });

  it('changes only what a PATCH names, and null clears a setting', async () => {
    await patchSettings({ brandingDisplayName: 'Before', brandingPrimaryColor: '#111111' });
    const result = await patchSettings({ brandingDisplayName: null });
    expect(result.status).toBe(200);
    expect(await settingsRow(tenant.id)).toMatchObject({ brandingDisplayName: null, brandingPrimaryColor: '#111111' });
  });

  const invalid: { case: string; body: unknown; field: string; message: RegExp }[] = [
    { case: 'a colour that is not #rrggbb', body: { brandingPrimaryColor: 'blue' }, field: 'brandingPrimaryColor', message: /colour/ },
    { case: 'an unknown field', body: { brandingFont: 'Comic Sans' }, field: '(body)', message: /brandingFont/ },
    { case: 'an empty object', body: {}, field: '(body)', message: /at least one setting/ },
    { case: 'a javascript: logo URL', body: { logoUrl: 'javascript:alert(1)' }, field: 'logoUrl', message: /logoUrl/ },
    { case: 'a zero file size', body: { maxFileSizeBytes: 0 }, field: 'maxFileSizeBytes', message: /maxFileSizeBytes/ },
    { case: 'no file types at all', body: { allowedFileTypes: [] }, field: 'allowedFileTypes', message: /allowedFileTypes/ },
    { case: 'a file type that is not an extension', body: { allowedFileTypes: ['pdf', '.exe; rm'] }, field: 'allowedFileTypes.1', message: /file extension/ },
    { case: 'a malformed webhook event', body: { webhookEvents: ['everything'] }, field: 'webhookEvents.0', message: /file.uploaded/ },
  ];

  it.each(invalid)('refuses $case with 400 naming $field, and changes nothing', async ({ body, field, message }) => {
    const before = await storedSettings();
    const result = await patchSettings(body);
    expectError(result, 400, 'validation_failed', message);
    expect(result.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(await storedSettings()).toEqual(before);
  });

  it('refuses a request with no body at all with 400', async () => {
    const before = await storedSettings();
    expectError(await patchSettings(undefined), 400, 'validation_failed');
    expect(await storedSettings()).toEqual(before);
  });

  it('refuses a viewer with 403 and changes nothing', async () => {
    const before = await storedSettings();
    expectError(await patchSettings({ brandingDisplayName: 'Viewer' }, viewer), 403, 'forbidden', /settings:manage/);
    expect(await storedSettings()).toEqual(before);
  });
});
