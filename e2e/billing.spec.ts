import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, PORT, signedInAs, tenantUrl } from './support';

/** The month before this one, as YYYY-MM (the demo tenants are customers since the month before that). */
function lastMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

test('an operator runs the invoice job and the owner sees the invoice on the Billing page', async ({ browser }) => {
  const period = lastMonth();

  const operator = await browser.newPage();
  await operator.goto(`http://localhost:${PORT}/sign-in?next=/admin/invoices`);
  await operator.getByLabel('Email').fill('operator@sitework.local');
  await operator.getByLabel('Password').fill(DEMO_PASSWORD);
  await operator.getByRole('button', { name: 'Sign in' }).click();
  await expect(operator).toHaveURL(`http://localhost:${PORT}/admin/invoices`);
  await expect(operator.getByLabel('Month to invoice')).toHaveValue(period);
  await operator.getByRole('button', { name: 'Run invoices' }).click();
  await expect(operator.getByText(`Queued the run for ${period}`)).toBeVisible();
  // The queued job runs in the web process (pg-boss polls every 2 s): acme's invoice appears in the table.
  await expect(async () => {
    await operator.goto(`http://localhost:${PORT}/admin/invoices?period=${period}`);
    await expect(operator.getByRole('cell', { name: /acme/ }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await operator.close();

  const owner = await browser.newPage();
  await signedInAs(owner, 'acme', 'owner@acme.test');
  await owner.goto(tenantUrl('acme', '/billing'));
  await expect(owner.getByRole('heading', { name: 'Billing', exact: true })).toBeVisible();
  const invoices = owner.getByRole('table', { name: 'Invoices' });
  // Professional for the whole month: $99.00 + 10 % tax.
  const row = invoices.getByRole('row', { name: new RegExp(`${period}.*\\$108\\.90`) });
  await expect(row).toBeVisible();
  await expect(row.getByText('open')).toBeVisible();

  await row.getByRole('link', { name: /^SW-/ }).click();
  await expect(owner.getByRole('heading', { name: /^Invoice SW-\d{6}-\d{6}$/ })).toBeVisible();
  const lines = owner.getByRole('table', { name: /Lines of invoice/ });
  await expect(lines.getByRole('row', { name: /Professional plan/ })).toContainText('$99.00');
  await expect(lines.getByRole('row', { name: /^Total/ })).toContainText('$108.90');
  await expect(owner.getByRole('button', { name: 'Print or save as PDF' })).toBeVisible();
  await owner.close();
});

test('an owner switches plan from the Billing page and it applies at once', async ({ page }) => {
  await signedInAs(page, 'globex', 'owner@globex.test');
  await page.goto(tenantUrl('globex', '/billing'));
  await expect(page.getByText('Free plan, $0.00 a month.', { exact: false })).toBeVisible();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Switch to Starter' }).click();
  await expect(page.getByText('You are now on Starter.')).toBeVisible();
  await expect(page.getByText('Starter plan, $29.00 a month.', { exact: false })).toBeVisible();
  // The estimate of this month now prorates Free and Starter.
  await expect(page.getByRole('table', { name: 'Lines of the next invoice so far' }).getByText(/Starter plan, .*\(prorated\)/)).toBeVisible();
});
