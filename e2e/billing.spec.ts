import { DEMO_PASSWORD, expect, failOnCspViolations, PORT, signedInAs, signInOperator, tenantUrl, test } from './support';

failOnCspViolations();

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
  await operator.getByRole('dialog', { name: `Invoice ${period} for every tenant?` }).getByRole('button', { name: 'Run invoices' }).click();
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
  // The first click only asks; cancelling keeps the plan.
  await page.getByRole('button', { name: 'Switch to Starter' }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch to Starter?' });
  await expect(dialog).toContainText('$29.00 a month');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(page.getByText('Free plan, $0.00 a month.', { exact: false })).toBeVisible();

  await page.getByRole('button', { name: 'Switch to Starter' }).click();
  await dialog.getByRole('button', { name: 'Switch to Starter' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'You are now on Starter.' })).toBeVisible();
  await expect(page.getByText('Starter plan, $29.00 a month.', { exact: false })).toBeVisible();
  // The estimate of this month now prorates Free and Starter.
  await expect(page.getByRole('table', { name: 'Lines of the next invoice so far' }).getByText(/Starter plan, .*\(prorated\)/)).toBeVisible();
});

test('an operator voids an invoice only after confirming, and is told it cannot be undone', async ({ page }) => {
  const period = lastMonth();
  await signInOperator(page, '/admin/invoices');
  // Runs the month again (it never duplicates), so this test does not depend on the one above.
  await page.getByRole('button', { name: 'Run invoices' }).click();
  await page.getByRole('dialog', { name: `Invoice ${period} for every tenant?` }).getByRole('button', { name: 'Run invoices' }).click();
  // Acme's invoice has an amount (Professional), so it is open; globex's (Free, $0) was paid on issue.
  const row = page.getByRole('row', { name: new RegExp(`Acme.*${period}`) });
  await expect(async () => {
    await page.goto(`http://localhost:${PORT}/admin/invoices?period=${period}`);
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(row.getByText('open', { exact: true })).toBeVisible();

  await row.getByRole('button', { name: /^Void / }).click();
  const dialog = page.getByRole('dialog', { name: /^Void SW-\d{6}-\d{6} of acme/ });
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog).toContainText('This cannot be undone.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(row.getByText('open', { exact: true })).toBeVisible();

  await row.getByRole('button', { name: /^Void / }).click();
  await dialog.getByRole('button', { name: 'Void invoice' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Voided SW-\d{6}-\d{6} of acme/ })).toBeVisible();
  await page.reload();
  await expect(row.getByText('void', { exact: true })).toBeVisible();
});
