import { type APIRequestContext, type Page } from '@playwright/test';
import { expect, failOnCspViolations, PORT, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

const CALLS = 3;
const TENANT_PATH = '/api/v1/tenant';

/** A script's calls: an API key implies its tenant, so plain 127.0.0.1 works from Node. */
async function callTenantEndpoint(request: APIRequestContext, secret: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const response = await request.get(`http://127.0.0.1:${PORT}${TENANT_PATH}`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(response.status()).toBe(200);
  }
}

const tenantRow = (page: Page) =>
  page
    .getByRole('table', { name: /^API calls by endpoint/ })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: TENANT_PATH, exact: true }) });

/** What the page's endpoint table lists for GET /api/v1/tenant: 0 when it has no such row (or no table). */
async function listedTenantCalls(page: Page): Promise<number> {
  await expect(page.getByRole('heading', { name: 'API calls by endpoint', level: 2 })).toBeVisible();
  const row = tenantRow(page);
  if ((await row.count()) === 0) return 0;
  await expect(row.getByRole('cell').first()).toHaveText('GET');
  return Number((await row.getByRole('cell').last().innerText()).replace(/,/g, ''));
}

/** The API-calls card of the current billing period, as its meter reports it. */
async function apiCallsThisPeriod(page: Page): Promise<number> {
  return Number(await page.getByRole('meter', { name: 'API calls used' }).getAttribute('aria-valuenow'));
}

test('an owner sees a script’s API calls on the usage page, in the billing-period card and the endpoint breakdown', async ({ page, request }) => {
  await signedInAs(page, 'acme', 'owner@acme.test');
  await page.goto(tenantUrl('acme', '/api-keys'));
  await page.getByLabel('Name', { exact: true }).fill(`Usage probe ${Date.now()}`);
  await page.getByLabel('tenant:read').check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByLabel('API key secret').inputValue();

  await page.goto(tenantUrl('acme', '/usage'));
  await expect(page.getByRole('heading', { name: 'Usage', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Current billing period', level: 2 })).toBeVisible();
  for (const card of ['Files uploaded', 'API calls', 'Storage']) {
    await expect(page.getByRole('heading', { name: card, level: 3 })).toBeVisible();
    await expect(page.getByRole('meter', { name: `${card} used` })).toBeVisible();
  }
  const listedBefore = await listedTenantCalls(page);
  const usedBefore = await apiCallsThisPeriod(page);

  await callTenantEndpoint(request, secret, CALLS);

  // Calls are buffered and flushed at least every second: reload until the server-rendered page counts them.
  await expect(async () => {
    await page.reload();
    expect(await listedTenantCalls(page)).toBe(listedBefore + CALLS);
    expect(await apiCallsThisPeriod(page)).toBeGreaterThanOrEqual(usedBefore + CALLS);
  }).toPass({ timeout: 20_000 });
  await expect(page.getByRole('meter', { name: 'API calls used' })).toHaveAttribute('aria-valuetext', /^[\d,]+ of [\d,]+ \(\d+\.\d %\)$/);

  // The client refreshes from /api/v1/usage/* without a reload: more calls, then another period is chosen.
  await callTenantEndpoint(request, secret, CALLS);
  const expected = listedBefore + 2 * CALLS;
  // Wait until the calls are flushed (the fresh database holds nothing older than today, so 7d equals 30d).
  await expect
    .poll(() =>
      page.evaluate(async (path) => {
        const body = (await (await fetch('/api/v1/usage/breakdown?period=7d')).json()) as { endpoints: { path: string; count: number }[] };
        return body.endpoints.find((row) => row.path === path)?.count ?? 0;
      }, TENANT_PATH),
    )
    .toBe(expected);
  // Still the first render's figures until the page fetches the new period itself.
  expect(await listedTenantCalls(page)).toBe(listedBefore + CALLS);
  await page.getByLabel('Period', { exact: true }).selectOption('7d');
  await expect(tenantRow(page).getByRole('cell').last()).toHaveText(expected.toLocaleString('en-US'));
  await expect(page).toHaveURL(/[?&]period=7d/);
  // With calls in the period the daily chart is drawn, not its empty state.
  await expect(page.getByRole('figure', { name: 'API calls and file uploads per day' }).getByRole('application')).toBeVisible();
});
