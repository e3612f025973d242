import { DEMO_PASSWORD, expect, hydrated, failOnCspViolations, PORT, signedInAs, signIn, tenantUrl, test } from './support';

failOnCspViolations();

test('an admin invites a member who accepts in another browser and lands in the portal with that role', async ({ page, browser }) => {
  await signedInAs(page, 'acme', 'admin@acme.test');
  await expect(page.getByRole('banner')).toContainText('Acme Construction');

  await page.goto(tenantUrl('acme', '/members'));
  await page.getByLabel('Email', { exact: true }).fill('new.editor@example.com');
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = await page.getByLabel('Invitation link').inputValue();
  expect(link).toMatch(new RegExp(`^http://localhost:${PORT}/invitations/`));

  const other = await browser.newContext();
  const invitee = await other.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { name: 'Join Acme Construction' })).toBeVisible();
  await invitee.getByLabel('Your name').fill('Nora Editor');
  await invitee.getByLabel('Password').fill('a-long-password-1');
  await invitee.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(invitee).toHaveURL(tenantUrl('acme', '/'));
  await expect(invitee.getByRole('banner')).toContainText('editor');

  // The link works once.
  await invitee.goto(link);
  await expect(invitee.getByText(/already been used/i)).toBeVisible();
  await other.close();
});

test('an admin creates an API key and a script calls the API with it', async ({ page, request }) => {
  await signedInAs(page, 'acme', 'admin@acme.test');
  await page.goto(tenantUrl('acme', '/api-keys'));
  await page.getByLabel('Name', { exact: true }).fill('Nightly export');
  await page.getByLabel('tenant:read').check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByLabel('API key secret').inputValue();
  expect(secret).toMatch(/^sw_[a-z0-9]{12}_/);

  const response = await request.get(`http://127.0.0.1:${PORT}/api/v1/tenant`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(response.status()).toBe(200);
  expect((await response.json()).tenant.slug).toBe('acme');

  // Shown once: after a reload only the prefix is visible.
  await page.reload();
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(page.getByText(secret.slice(0, 15))).toBeVisible();

  // Revoking asks first: cancelling leaves the key working.
  // (Other specs create keys in the same portal: act on this key's row.)
  const row = page.getByRole('row', { name: /Nightly export/ });
  await row.getByRole('button', { name: 'Revoke' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke the key Nightly export?' });
  await expect(dialog).toContainText('This cannot be undone.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(row.getByText('active', { exact: true })).toBeVisible();
  const still = await request.get(`http://127.0.0.1:${PORT}/api/v1/tenant`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(still.status()).toBe(200);

  // Confirmed, the key stops working at once.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Revoked key Nightly export.' })).toBeVisible();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  const after = await request.get(`http://127.0.0.1:${PORT}/api/v1/tenant`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(after.status()).toBe(401);
});

test('a viewer sees no admin actions and is refused when it forces one', async ({ page }) => {
  await signedInAs(page, 'acme', 'viewer@acme.test');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await expect(nav.getByRole('link', { name: 'Members' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'API keys' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);

  await page.goto(tenantUrl('acme', '/members'));
  await expect(page.getByRole('button', { name: 'Invite' })).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: /^Role for/ })).toHaveCount(0);

  const status = await page.evaluate(async () => {
    const res = await fetch('/api/v1/tenant/settings', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ brandingPrimaryColor: '#ff0000' }),
    });
    return res.status;
  });
  expect(status).toBe(403);
});

test('an acme-only user cannot sign in to globex', async ({ page }) => {
  await signIn(page, 'globex', 'owner@acme.test');
  // Next renders its own (empty) route announcer with role=alert: pick ours by its text.
  await expect(page.getByRole('alert').filter({ hasText: 'not a member of Globex Engineering' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test('a member of two organisations switches between them from the header', async ({ page, browser }) => {
  await signedInAs(page, 'globex', 'owner@globex.test');
  await page.goto(tenantUrl('globex', '/members'));
  await page.getByLabel('Email', { exact: true }).fill('editor@acme.test');
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = await page.getByLabel('Invitation link').inputValue();

  const context = await browser.newContext();
  const member = await context.newPage();
  await member.goto(link);
  await expect(member.getByRole('heading', { name: 'Join Globex Engineering' })).toBeVisible();
  // The page looks the same whether or not the email has an account; this one has, so its password is entered.
  await expect(member.getByText('If you already have an account with this email, enter its password.')).toBeVisible();
  await member.getByLabel('Password').fill(DEMO_PASSWORD);
  await member.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(member).toHaveURL(tenantUrl('globex', '/'));
  await expect(member.getByRole('banner')).toContainText('viewer');

  // A choice made before the switcher hydrates would be lost (no request is sent).
  await hydrated(member);
  await member.getByLabel('Switch organisation').selectOption('acme');
  await expect(member).toHaveURL(tenantUrl('acme', '/'));
  await expect(member.getByRole('banner')).toContainText('Acme Construction');
  await expect(member.getByRole('banner')).toContainText('editor');
  await context.close();
});
