import http from 'node:http';
import { DEMO_PASSWORD, expect, failOnCspViolations, PORT, signedInAs, signInOperator, tenantUrl, test } from './support';

failOnCspViolations();

const APEX = `http://localhost:${PORT}`;

const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1];

test('a page carries its own nonce policy and the security headers, and every script on it the nonce', async ({ page }) => {
  const response = await page.goto(tenantUrl('acme', '/sign-in'));
  const headers = response!.headers();
  expect(headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    'permissions-policy': expect.stringMatching(/camera=\(\).*microphone=\(\).*geolocation=\(\)/),
  });
  // Plain http here: HSTS would be ignored, and is only sent when APP_URL is https.
  expect(headers['strict-transport-security']).toBeUndefined();
  const policy = headers['content-security-policy'];
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain(`form-action 'self' ${APEX} http://*.localhost:${PORT}`);
  const nonce = nonceOf(policy);
  expect(nonce).toBeDefined();
  const scriptNonces = await page.evaluate(() => [...document.scripts].map((script) => script.nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  // The sign-in form works, so the page's scripts ran.
  await page.getByLabel('Email').fill('owner@acme.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(tenantUrl('acme', '/'));

  const again = await page.goto(tenantUrl('acme', '/members'));
  expect(nonceOf(again!.headers()['content-security-policy'])).not.toBe(nonce);
});

test('an API response carries a policy that loads nothing and the security headers', async ({ request }) => {
  const response = await request.get(`${APEX}/api/v1/openapi.json`);
  expect(response.status()).toBe(200);
  expect(response.headers()).toMatchObject({
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  });
});

test('the portal and the console raise no Content-Security-Policy violation', async ({ page }) => {
  await signedInAs(page, 'acme', 'owner@acme.test');
  const portal: [string, string][] = [
    ['/', 'Welcome'],
    ['/members', 'Members'],
    ['/api-keys', 'API keys'],
    ['/settings', 'Settings'],
    ['/files', 'Files'],
    ['/estimates', 'Estimates'],
    ['/usage', 'Usage'],
    ['/billing', 'Billing'],
    ['/audit', 'Audit'],
    ['/errors', 'Errors'],
  ];
  for (const [path, heading] of portal) {
    await page.goto(tenantUrl('acme', path));
    await expect(page.getByRole('heading', { level: 1 }).first()).toContainText(heading);
  }
  // A client-side navigation loads the next page's chunks through the same policy.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Members' }).click();
  await expect(page).toHaveURL(tenantUrl('acme', '/members'));
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();

  await signInOperator(page);
  for (const path of ['/admin', '/admin/plans', '/admin/invoices', '/admin/archival', '/admin/audit', '/admin/errors', '/admin/users', '/admin/vectors']) {
    await page.goto(`${APEX}${path}`);
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  }
  for (const path of ['/', '/sign-up']) {
    await page.goto(`${APEX}${path}`);
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  }
});

/** A POST as a script sends it, to the server by address with the tenant's Host (Node cannot resolve *.localhost). */
function postAction(host: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: PORT, path: '/settings', method: 'POST', headers: { host, ...headers } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers }));
    });
    request.on('error', reject);
    request.end('[]');
  });
}

test('Next refuses a server action posted from another origin before looking the action up', async () => {
  const acme = `acme.localhost:${PORT}`;
  // A well-formed id of no action: past the origin check, Next answers that it does not know it.
  const post = (origin: string) => postAction(acme, { origin, 'next-action': `00${'ab'.repeat(20)}`, 'content-type': 'text/plain;charset=UTF-8' });
  for (const origin of ['https://evil.example', `http://globex.localhost:${PORT}`]) {
    const refused = await post(origin);
    expect(refused.status).toBe(500);
    expect(refused.headers['x-nextjs-action-not-found']).toBeUndefined();
  }
  const own = await post(`http://${acme}`);
  expect(own.status).toBe(404);
  expect(own.headers['x-nextjs-action-not-found']).toBe('1');
});
