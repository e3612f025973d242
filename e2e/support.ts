import { expect, type Page } from '@playwright/test';

export const PORT = Number(process.env.E2E_PORT ?? 3100);
export const DEMO_PASSWORD = 'sitework-demo';

/** The URL of a tenant portal page (Chromium resolves *.localhost itself). */
export const tenantUrl = (slug: string, path = '/') => `http://${slug}.localhost:${PORT}${path}`;

export async function signIn(page: Page, slug: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(tenantUrl(slug, '/sign-in'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signedInAs(page: Page, slug: string, email: string): Promise<void> {
  await signIn(page, slug, email);
  await expect(page).toHaveURL(tenantUrl(slug, '/'));
}
