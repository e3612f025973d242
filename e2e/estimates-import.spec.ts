import { DEMO_PASSWORD, expect, failOnCspViolations, PORT, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

// acme: the estimates spec works in globex, where these rows could otherwise crowd its similar-estimates check.
const TENANT = 'acme';

const HEADER = 'estimate,project,name,country,region,city,currency,labor_rate_cents,labor_hours,material_name,material_category,quantity,unit,unit_cost_cents';

/** `count` solar-farm estimates as CSV, three material rows each; `broken` maps an estimate index to a bad cell. */
function solarCsv(stamp: string, count: number, broken: Record<number, { quantity?: string; unit?: string }>): string {
  const lines = [HEADER];
  for (let i = 0; i < count; i++) {
    const key = `${stamp}-${i}`;
    const head = `${key},Solar ${stamp},"Solar farm ${stamp} #${i}, ${500 + i} kWp",DE,Bavaria,Munich,EUR,4600,${400 + i}`;
    const bad = broken[i] ?? {};
    lines.push(`${head},PV modules 450 W,solar,${bad.quantity ?? 1100 + i},${bad.unit ?? 'each'},9500`);
    lines.push(`${key},,,,,,,,,String inverters,electrical,6,each,350000`);
    lines.push(`${key},,,,,,,,,DC solar cable,electrical,${6000 + i},m,120`);
  }
  return `${lines.join('\n')}\n`;
}

test('an admin imports a CSV with two bad estimates, skipping them, and watches the upload progress', async ({ page }) => {
  const stamp = `imp${Date.now().toString(36)}`;
  await signedInAs(page, TENANT, 'admin@acme.test');
  await page.goto(tenantUrl(TENANT, '/estimates'));
  await page.getByText('Import estimates (CSV or JSON)').click();

  // 300 estimates (~90 KB) through a throttled link, so the upload lasts long enough to see its progress bar.
  const csv = solarCsv(stamp, 300, { 7: { quantity: '-3' }, 120: { unit: 'm4' } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 40 * 1024 });
  await page.getByLabel('File').setInputFiles({ name: `${stamp}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByLabel('Skip the invalid rows and import the rest').check();
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  const progress = page.getByRole('progressbar', { name: 'Upload progress' });
  await expect(progress).toBeVisible();
  await expect(page.getByText(/Uploading .* of /)).toBeVisible();
  await expect(page.getByText('298 of 300 estimates imported, 2 rejected.')).toBeVisible({ timeout: 30_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // Rejections name the CSV line: estimate i starts on line 2 + 3i; the bad cell is in its first row.
  const rejected = page.getByRole('table', { name: 'Rejected rows' });
  await expect(rejected.getByRole('row', { name: new RegExp(`23 ${stamp}-7 materials\\.0\\.quantity: must not be negative`) })).toBeVisible();
  await expect(rejected.getByRole('row', { name: new RegExp(`362 ${stamp}-120 materials\\.0\\.unit: unknown unit "m4"`) })).toBeVisible();

  await page.goto(tenantUrl(TENANT, `/estimates?q=${encodeURIComponent(`Solar farm ${stamp} #299`)}`));
  await expect(page.getByRole('link', { name: `Solar farm ${stamp} #299, 799 kWp` })).toBeVisible();
  await page.goto(tenantUrl(TENANT, `/estimates?q=${encodeURIComponent(`Solar farm ${stamp} #7,`)}`));
  await expect(page.getByText(`Solar farm ${stamp} #7,`)).toHaveCount(0);
});

test('an operator rebuilds a tenant’s vectors from the console and sees the run finish', async ({ page }) => {
  await page.goto(`http://localhost:${PORT}/sign-in?next=/admin/vectors`);
  await page.getByLabel('Email').fill('operator@sitework.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Vector index', exact: true })).toBeVisible();
  await page.getByLabel('Tenant to reindex').selectOption({ label: 'Acme Construction (acme)' });
  await page.getByRole('button', { name: 'Rebuild vectors' }).click();
  const latest = page.getByRole('table', { name: 'Vector rebuilds' }).getByRole('row').nth(1);
  await expect(latest).toContainText('Acme Construction');
  await expect(latest.getByText('done')).toBeVisible({ timeout: 30_000 });
  await expect(latest.getByRole('progressbar', { name: 'Reindex progress' })).toHaveAttribute('aria-valuenow', '100');

  // The request is in the platform's own audit chain, which verifies.
  await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Platform audit log', exact: true })).toBeVisible();
  await page.getByLabel('Action', { exact: true }).fill('vectors.reindex_requested');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]action=vectors\.reindex_requested/);
  const events = page.getByRole('table', { name: /^Platform audit events matching the filters/ });
  await expect(events.getByRole('row').filter({ hasText: 'Platform Operator' }).first()).toContainText('vectors.reindex_requested');
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.getByText(/^Chain verified: \d+ events/)).toBeVisible();
});
