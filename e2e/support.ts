import { test as base, expect, type Page, type Response } from '@playwright/test';

export { expect };

/**
 * Waits until the page's React tree has hydrated (components/ui/hydration-mark.tsx): a field filled before that is
 * reset by hydration, so a test would type into a form that then ignores it. Only for HTML documents.
 */
async function settle(page: Page, response: Response | null): Promise<Response | null> {
  if (response && /text\/html/.test(response.headers()['content-type'] ?? '')) await hydrated(page);
  return response;
}

/** Resolves once the current document has hydrated (after a navigation the test did not start with goto). */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

const settling = new WeakSet<Page>();

/** Makes every full page load of `page` (goto, reload) return only once the page has hydrated. */
function settleOnLoad(page: Page): void {
  if (settling.has(page)) return;
  settling.add(page);
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  page.goto = async (url, options) => settle(page, await goto(url, options));
  page.reload = async (options) => settle(page, await reload(options));
}

/** Playwright's `test`, with every page of every context (the fixture's and those a test opens) settling on load. */
export const test = base.extend({
  browser: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      const newPage = browser.newPage.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        context.on('page', settleOnLoad);
        return context;
      };
      browser.newPage = async (options) => {
        const page = await newPage(options);
        settleOnLoad(page);
        return page;
      };
      await use(browser);
    },
    { scope: 'worker' },
  ],
  context: async ({ context }, use) => {
    context.on('page', settleOnLoad);
    await use(context);
  },
});

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
  await hydrated(page);
}

/** Signs the platform operator in on the apex and lands on `next` (a console page). */
export async function signInOperator(page: Page, next = '/admin'): Promise<void> {
  await page.goto(`http://localhost:${PORT}/sign-in?next=${next}`);
  await page.getByLabel('Email').fill('operator@sitework.local');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`http://localhost:${PORT}${next}`);
  await hydrated(page);
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
