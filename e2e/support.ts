import { expect, test, type Page } from '@playwright/test';

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

/** Signs the platform operator in on the apex and lands on `next` (a console page). */
export async function signInOperator(page: Page, next = '/admin'): Promise<void> {
  await page.goto(`http://localhost:${PORT}/sign-in?next=${next}`);
  await page.getByLabel('Email').fill('operator@sitework.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`http://localhost:${PORT}${next}`);
}

/**
 * Fails each test of the calling spec file in which a page of its browser context breaks the Content-Security-Policy:
 * Chromium logs every blocked script, style, image or connection on the console, and the `securitypolicyviolation`
 * events are echoed there too.
 */
export function failOnCspViolations(): void {
  let violations: string[] = [];
  test.beforeEach(async ({ context }) => {
    violations = [];
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} on ${event.documentURI}`),
      ),
    );
    context.on('console', (message) => {
      if (/securitypolicyviolation|Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  });
  test.afterEach(() => {
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  });
}
