import { type Page } from '@playwright/test';
import { expect, failOnCspViolations, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

/** app/api/test/fail throws `new Error('Test failure for order 12345')`; grouping replaces the number. */
const GROUP_TITLE = 'Error: Test failure for order <num>';
/** Captured errors are written in batches about once a second: give them a few. */
const CAPTURE_TIMEOUT_MS = 20_000;

/** Calls the failing route from the page, with the session cookie, as the portal's own fetches do. */
async function callFailingRoute(page: Page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/test/fail', { headers: { accept: 'application/json' } });
    return { status: response.status, requestIdHeader: response.headers.get('x-request-id'), text: await response.text() };
  });
}

const groupStatus = (page: Page) => page.getByTestId('error-group-status');

test('the Errors page shows a group after a failing request and resolves it', async ({ page }) => {
  await signedInAs(page, 'acme', 'admin@acme.test');

  const failed = await callFailingRoute(page);
  expect(failed.status).toBe(500);
  const body = JSON.parse(failed.text) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe('internal');
  expect(body.error.requestId).toBeTruthy();
  expect(failed.requestIdHeader).toBe(body.error.requestId);
  // Nothing internal: neither the message nor the stack reaches the caller.
  expect(failed.text).not.toContain('Test failure');
  expect(failed.text).not.toContain('12345');
  expect(failed.text).not.toContain('route.ts');

  const groupsTable = page.getByRole('table', { name: /^Error groups/ });
  const groupLink = groupsTable.getByRole('link', { name: GROUP_TITLE, exact: true });
  const groupRow = groupsTable.getByRole('row').filter({ has: page.getByRole('link', { name: GROUP_TITLE, exact: true }) });
  await expect(async () => {
    await page.goto(tenantUrl('acme', '/errors'));
    await expect(groupLink).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: CAPTURE_TIMEOUT_MS });
  await expect(page.getByRole('heading', { name: 'Errors', level: 1 })).toBeVisible();
  await expect(groupRow).toContainText('unresolved');

  await groupLink.click();
  await expect(page.getByRole('heading', { name: GROUP_TITLE, level: 1 })).toBeVisible();
  await expect(groupStatus(page)).toHaveText('unresolved');
  // The event is the request above: same route, status and request id.
  const events = page.getByRole('table', { name: 'Recent events' });
  const event = events.getByRole('row').filter({ hasText: body.error.requestId });
  await expect(event).toContainText('GET /api/test/fail');
  await expect(event).toContainText('500');

  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(groupStatus(page)).toHaveText('resolved');
  await expect(page.getByRole('button', { name: 'Reopen', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resolve', exact: true })).toHaveCount(0);

  // The same error after the resolution reopens the group as a regression.
  const again = await callFailingRoute(page);
  expect(again.status).toBe(500);
  await expect(async () => {
    await page.reload();
    await expect(groupStatus(page)).toContainText('unresolved', { timeout: 1_000 });
    await expect(groupStatus(page)).toContainText('regression', { timeout: 1_000 });
  }).toPass({ timeout: CAPTURE_TIMEOUT_MS });
  await expect(page.getByRole('button', { name: 'Resolve', exact: true })).toBeVisible();

  await page.goto(tenantUrl('acme', '/errors'));
  await expect(groupRow).toContainText('regression');
});
