import { DEMO_PASSWORD, expect, failOnCspViolations, PORT, test } from './support';

failOnCspViolations();

test('an operator sees the plans, the archival runs and can start a run from the console', async ({ page }) => {
  await page.goto(`http://localhost:${PORT}/sign-in?next=/admin/plans`);
  await page.getByLabel('Email').fill('operator@sitework.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`http://localhost:${PORT}/admin/plans`);
  await expect(page.getByRole('heading', { name: 'Plans', exact: true })).toBeVisible();
  await expect(page.getByText('$99.00').first()).toBeVisible();
  await expect(page.getByText('$999.00').first()).toBeVisible();

  await page.goto(`http://localhost:${PORT}/admin/archival`);
  await page.getByRole('button', { name: 'Run archival now' }).click();
  await expect(page.getByText('succeeded').first()).toBeVisible({ timeout: 20_000 });
});

test("an operator lifts and sets a plan's cap on estimates in the plan editor", async ({ page }) => {
  await page.goto(`http://localhost:${PORT}/sign-in?next=/admin/plans`);
  await page.getByLabel('Email').fill('operator@sitework.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`http://localhost:${PORT}/admin/plans`);
  const starterRow = page.getByRole('table', { name: 'Plans' }).getByRole('row', { name: /Starter/ });
  await expect(page.getByRole('table', { name: 'Plans' }).getByRole('row', { name: /Enterprise/ })).toContainText('No limit');
  await expect(starterRow).toContainText('10,000');

  // Locators are lazy: they find the editor again after each save re-renders it. Saving asks to confirm first.
  const editor = page.getByRole('form', { name: 'Edit the starter plan' });
  const cap = editor.getByLabel('Estimates (empty: no limit) for the starter plan');
  const save = async () => {
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save plan' }).click();
  };
  await expect(cap).toHaveValue('10000');
  await cap.fill('');
  await save();
  await expect(starterRow).toContainText('No limit');
  await expect(cap).toHaveValue('');

  await cap.fill('10000');
  await save();
  await expect(starterRow).toContainText('10,000');
});
