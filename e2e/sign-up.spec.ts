import { type APIRequestContext } from '@playwright/test';
import { expect, failOnCspViolations, PORT, tenantUrl, test } from './support';

failOnCspViolations();

/** The newest mail queued for an address (a test-only route, enabled by SITEWORK_TEST_ROUTES=1). */
async function confirmationLinkTo(request: APIRequestContext, email: string): Promise<string> {
  const response = await request.get(`http://localhost:${PORT}/api/test/mail?to=${encodeURIComponent(email)}`);
  expect(response.status()).toBe(200);
  const { mail } = (await response.json()) as { mail: { subject: string; text: string } };
  expect(mail.subject).toBe('Confirm your Sitework sign-up');
  const link = /http:\/\/\S+\/verify-email\?token=\S+/.exec(mail.text)?.[0];
  expect(link).toBeTruthy();
  return link!;
}

test('a visitor signs up, opens the link mailed to them, enters their password and lands in their new organisation', async ({ page, request }) => {
  const stamp = Date.now().toString(36);
  const email = `founder-${stamp}@example.com`;
  const slug = `founders-${stamp}`;
  const password = 'a-long-founder-password';

  await page.goto(`http://localhost:${PORT}/sign-up`);
  await page.getByLabel('Your name').fill('Fay Founder');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Organisation name').fill(`Founders ${stamp}`);
  await page.getByLabel('Slug').fill(slug);
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Check your mail' })).toContainText(email);

  // Nothing exists until the link is used: the portal does not know the slug yet.
  expect((await page.goto(tenantUrl(slug, '/sign-in')))?.status()).toBe(404);

  await page.goto(await confirmationLinkTo(request, email));
  await expect(page.getByRole('heading', { name: `Create Founders ${stamp}` })).toBeVisible();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Confirm and create organisation' }).click();
  await expect(page).toHaveURL(tenantUrl(slug, '/'));
  await expect(page.getByRole('banner')).toContainText(`Founders ${stamp}`);
  await expect(page.getByRole('banner')).toContainText('owner');

  // The link worked once.
  await page.goto(await confirmationLinkTo(request, email));
  await expect(page.getByRole('heading', { name: 'This confirmation link is not valid' })).toBeVisible();
});
