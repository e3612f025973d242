import { expect, failOnCspViolations, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

test('an invitation locks after five wrong passwords: the invitee is told, and the admin sees it locked', async ({ page, browser }) => {
  // An account of its own, so no other spec's sign-ins share its password limits: created by accepting a first invitation.
  const email = `lock-${Date.now()}@example.com`;
  const password = 'the-right-password-1';
  await signedInAs(page, 'acme', 'admin@acme.test');
  await page.goto(tenantUrl('acme', '/members'));
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Invite' }).click();
  const first = await page.getByLabel('Invitation link').inputValue();

  const context = await browser.newContext();
  const invitee = await context.newPage();
  await invitee.goto(first);
  await invitee.getByLabel('Your name').fill('Lou Locked');
  await invitee.getByLabel('Password').fill(password);
  await invitee.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(invitee).toHaveURL(tenantUrl('acme', '/'));

  const owner = await browser.newPage();
  await signedInAs(owner, 'globex', 'owner@globex.test');
  await owner.goto(tenantUrl('globex', '/members'));
  await owner.getByLabel('Email', { exact: true }).fill(email);
  await owner.getByRole('button', { name: 'Invite' }).click();
  const second = await owner.getByLabel('Invitation link').inputValue();

  await invitee.goto(second);
  await expect(invitee.getByRole('heading', { name: 'Join Globex Engineering' })).toBeVisible();
  for (let i = 1; i <= 4; i += 1) {
    await invitee.getByLabel('Password').fill(`a-wrong-guess-${i}`);
    await invitee.getByRole('button', { name: 'Accept invitation' }).click();
    await expect(invitee.getByText(`${5 - i} attempt${i === 4 ? '' : 's'} left before this invitation is locked`)).toBeVisible();
  }
  await invitee.getByLabel('Password').fill('a-wrong-guess-5');
  await invitee.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(invitee.getByText(/locked after 5 wrong passwords/)).toBeVisible();

  await invitee.reload();
  await expect(invitee.getByRole('heading', { name: 'Invitation locked' })).toBeVisible();
  await context.close();

  await owner.reload();
  const row = owner.getByRole('row', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
  await expect(row.getByText('locked', { exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
});
