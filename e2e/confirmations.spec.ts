import { type Locator, type Page } from '@playwright/test';
import { expect, failOnCspViolations, signedInAs, signInOperator, tenantUrl, test } from './support';

failOnCspViolations();

/** The outcome message of a confirmed action (one polite live region per page). */
const statusMessage = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

/** A tenant of its own (its owner invited by mail), so deactivating it touches no other spec's tenant. */
async function createTenant(page: Page): Promise<string> {
  const slug = `conf-${Date.now().toString(36)}`;
  await signInOperator(page, '/admin');
  await page.getByLabel('Organisation name').fill(`Confirm ${slug}`);
  await page.getByLabel('Slug').fill(slug);
  await page.getByLabel('Owner email').fill(`owner-${slug}@example.com`);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByText(`Tenant ${slug} created; owner invited`)).toBeVisible();
  return slug;
}

/** The status of a tenant's portal: 200 while active, 404 once deactivated. */
async function portalStatus(page: Page, slug: string): Promise<number | undefined> {
  const other = await page.context().newPage();
  const status = (await other.goto(tenantUrl(slug, '/sign-in')))?.status();
  await other.close();
  return status;
}

async function expectModal(dialog: Locator): Promise<void> {
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
}

test('an operator deactivates a tenant only after typing its slug, and Undo reactivates it', async ({ page }) => {
  const slug = await createTenant(page);
  const row = page.getByRole('row', { name: new RegExp(slug) });
  const deactivate = row.getByRole('button', { name: `Deactivate ${slug}` });

  await deactivate.click();
  const dialog = page.getByRole('dialog', { name: `Deactivate ${slug}?` });
  await expectModal(dialog);
  const confirm = dialog.getByRole('button', { name: 'Deactivate tenant' });
  const typed = dialog.getByLabel(`Type ${slug} to confirm`);
  await expect(typed).toBeFocused();
  await expect(confirm).toBeDisabled();
  await typed.fill(slug.slice(0, -1));
  await expect(confirm).toBeDisabled();
  await typed.press('Enter');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(deactivate).toBeFocused();
  await page.reload();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  expect(await portalStatus(page, slug)).toBe(200);

  await deactivate.click();
  await typed.fill(slug);
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(statusMessage(page, `Deactivated ${slug}.`)).toBeVisible();
  await expect(row.getByText('Inactive', { exact: true })).toBeVisible();
  expect(await portalStatus(page, slug)).toBe(404);

  await statusMessage(page, `Deactivated ${slug}.`).getByRole('button', { name: 'Undo' }).click();
  await expect(statusMessage(page, `Reactivated ${slug}.`)).toBeVisible();
  await page.reload();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  expect(await portalStatus(page, slug)).toBe(200);
});

test('an operator reactivates a tenant after a plain confirmation', async ({ page }) => {
  const slug = await createTenant(page);
  const row = page.getByRole('row', { name: new RegExp(slug) });
  await row.getByRole('button', { name: `Deactivate ${slug}` }).click();
  await page.getByRole('dialog').getByLabel(`Type ${slug} to confirm`).fill(slug);
  await page.getByRole('dialog').getByRole('button', { name: 'Deactivate tenant' }).click();
  await expect(row.getByText('Inactive', { exact: true })).toBeVisible();

  const reactivate = row.getByRole('button', { name: `Reactivate ${slug}` });
  await reactivate.click();
  const dialog = page.getByRole('dialog', { name: `Reactivate ${slug}?` });
  await expectModal(dialog);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(row.getByText('Inactive', { exact: true })).toBeVisible();

  await reactivate.click();
  await dialog.getByRole('button', { name: 'Reactivate tenant' }).click();
  await expect(statusMessage(page, `Reactivated ${slug}.`)).toBeVisible();
  await page.reload();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
});

test('an operator moves a tenant to another plan only after confirming, and Undo moves it back', async ({ page }) => {
  const slug = await createTenant(page);
  const plan = page.getByLabel(`Plan for ${slug}`);
  await expect(plan).toHaveValue('free');

  await plan.selectOption('starter');
  const dialog = page.getByRole('dialog', { name: `Move ${slug} to the Starter plan?` });
  await expectModal(dialog);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(plan).toHaveValue('free');
  await page.reload();
  await expect(plan).toHaveValue('free');

  await plan.selectOption('starter');
  await dialog.getByRole('button', { name: 'Move to Starter' }).click();
  const moved = statusMessage(page, `Moved ${slug} from Free to Starter.`);
  await expect(moved).toBeVisible();
  await expect(plan).toHaveValue('starter');
  await moved.getByRole('button', { name: 'Undo' }).click();
  await expect(statusMessage(page, `Moved ${slug} back to Free.`)).toBeVisible();
  await page.reload();
  await expect(plan).toHaveValue('free');
});

test('an operator saves a plan edit only after confirming the listed changes, and Undo puts the plan back', async ({ page }) => {
  await signInOperator(page, '/admin/plans');
  const form = page.getByRole('form', { name: 'Edit the enterprise plan' });
  const rate = form.getByLabel('Requests / minute for the enterprise plan');
  // The read-only table shows what the server has (the form keeps what was typed).
  const shownRate = page.getByRole('table', { name: 'Plans' }).getByRole('row', { name: /^Enterprise/ }).getByRole('cell').nth(8);
  const before = await rate.inputValue();
  const after = String(Number(before) + 500);
  const withCommas = (value: string) => value.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

  await rate.fill(after);
  await form.getByRole('button', { name: 'Save' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save the Enterprise plan?' });
  await expectModal(dialog);
  await expect(dialog).toContainText(`Requests / minute: ${before} → ${after}`);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(rate).toHaveValue(before);
  await expect(shownRate).toHaveText(withCommas(before));

  await rate.fill(after);
  await form.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('button', { name: 'Save plan' }).click();
  const saved = statusMessage(page, 'Saved the Enterprise plan.');
  await expect(saved).toBeVisible();
  await expect(shownRate).toHaveText(withCommas(after));
  await saved.getByRole('button', { name: 'Undo' }).click();
  await expect(statusMessage(page, 'Put the Enterprise plan back as it was.')).toBeVisible();
  await page.reload();
  await expect(rate).toHaveValue(before);
  await expect(shownRate).toHaveText(withCommas(before));
});

test("an owner changes a member's role only after confirming, and Undo gives the old role back", async ({ page }) => {
  await signedInAs(page, 'globex', 'owner@globex.test');
  await page.goto(tenantUrl('globex', '/members'));
  const role = page.getByLabel('Role for editor@globex.test');
  await expect(role).toHaveValue('editor');

  await role.selectOption('admin');
  const dialog = page.getByRole('dialog', { name: 'Make Editor Globex an admin?' });
  await expectModal(dialog);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(role).toHaveValue('editor');

  await role.selectOption('admin');
  await dialog.getByRole('button', { name: 'Change role to admin' }).click();
  const changed = statusMessage(page, "Changed Editor Globex's role from editor to admin.");
  await expect(changed).toBeVisible();
  await expect(role).toHaveValue('admin');
  await changed.getByRole('button', { name: 'Undo' }).click();
  await expect(statusMessage(page, "Changed Editor Globex's role back to editor.")).toBeVisible();
  await page.reload();
  await expect(role).toHaveValue('editor');
});

test('an owner removes a member and revokes an invitation only after confirming', async ({ page }) => {
  await signedInAs(page, 'globex', 'owner@globex.test');
  await page.goto(tenantUrl('globex', '/members'));
  const members = page.getByRole('table', { name: 'Members' });
  const viewer = members.getByRole('row', { name: /viewer@globex\.test/ });

  await viewer.getByRole('button', { name: 'Remove' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove Viewer Globex from Globex Engineering?' });
  await expectModal(remove);
  await remove.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(viewer).toBeVisible();

  await viewer.getByRole('button', { name: 'Remove' }).click();
  await remove.getByRole('button', { name: 'Remove member' }).click();
  await expect(statusMessage(page, 'Removed Viewer Globex from Globex Engineering.')).toBeVisible();
  await page.reload();
  await expect(viewer).toHaveCount(0);

  const email = `invitee-${Date.now()}@example.com`;
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  await expect(page.getByLabel('Invitation link')).toBeVisible();
  const invitation = page.getByRole('table', { name: 'Invitations' }).getByRole('row', { name: new RegExp(email) });
  await expect(invitation.getByText('pending')).toBeVisible();

  await invitation.getByRole('button', { name: 'Revoke' }).click();
  const revoke = page.getByRole('dialog', { name: `Revoke the invitation for ${email}?` });
  await expectModal(revoke);
  await page.keyboard.press('Escape');
  await page.reload();
  await expect(invitation.getByText('pending')).toBeVisible();

  await invitation.getByRole('button', { name: 'Revoke' }).click();
  await revoke.getByRole('button', { name: 'Revoke invitation' }).click();
  await expect(statusMessage(page, `Revoked the invitation for ${email}.`)).toBeVisible();
  await page.reload();
  await expect(invitation.getByText('revoked')).toBeVisible();
});

test('an admin deletes a file only after confirming, and is told it cannot be undone', async ({ page }) => {
  const name = `confirm-${Date.now()}.pdf`;
  await signedInAs(page, 'acme', 'admin@acme.test');
  await page.goto(tenantUrl('acme', '/files'));
  await page.getByLabel('Choose files to upload').setInputFiles([
    { name, mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1_000, 'p')]) },
  ]);
  const row = page.getByRole('table', { name: 'Files' }).getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${name}?` });
  await expectModal(dialog);
  await expect(dialog).toContainText('This cannot be undone.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete file' }).click();
  const deleted = statusMessage(page, `Deleted ${name}.`);
  await expect(deleted).toBeVisible();
  await expect(deleted.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  await page.reload();
  await expect(row).toHaveCount(0);
});
