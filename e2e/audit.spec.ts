import { readFile } from 'node:fs/promises';
import { type Page } from '@playwright/test';
import { expect, failOnCspViolations, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

/** The API keys page's server action, audited like POST /api/v1/api-keys. */
const ACTION = 'api_key.create';
/** The seeded admin's display name, recorded as the actor. */
const ACTOR = 'Admin Acme';

const eventTable = (page: Page) => page.getByRole('table', { name: /^Audit events/ });
/** The events listed (the header row has no cells; closed detail rows are hidden). */
const eventRows = (page: Page) => eventTable(page).getByRole('row').filter({ has: page.getByRole('cell') });

/** RFC 4180: quoted cells may hold commas, quotes and line breaks (user agents and metadata do). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let isQuoted = false;
  const source = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (isQuoted) {
      if (c !== '"') cell += c;
      else if (source[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else isQuoted = false;
    } else if (c === '"') isQuoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

test('an admin filters the Audit page by action and exports CSV', async ({ page }) => {
  await signedInAs(page, 'acme', 'admin@acme.test');

  // The events of this action already recorded (other tests may have created keys in the same database).
  await page.goto(tenantUrl('acme', `/audit?action=${ACTION}`));
  await expect(page.getByRole('heading', { name: 'Events', level: 2 })).toBeVisible();
  const before = await eventRows(page).count();

  const keyName = `Audit probe ${Date.now()}`;
  await page.goto(tenantUrl('acme', '/api-keys'));
  await page.getByLabel('Name', { exact: true }).fill(keyName);
  await page.getByLabel('tenant:read').check();
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('status').filter({ hasText: `API key ${keyName} created.` })).toBeVisible();

  await page.goto(tenantUrl('acme', '/audit'));
  await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Chain verified: [\d,]+ events, last hash [0-9a-f]{12}…/ })).toBeVisible();
  // Unfiltered, the page lists other events too (at least the sign-in).
  await expect(eventRows(page).filter({ hasText: 'auth.sign_in' }).first()).toBeVisible();

  await page.getByLabel('Action', { exact: true }).fill(ACTION);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]action=${ACTION}(&|$)`));
  await expect(page.getByLabel('Action', { exact: true })).toHaveValue(ACTION);

  const rows = eventRows(page);
  await expect(rows).toHaveCount(before + 1);
  for (const row of await rows.all()) await expect(row.getByRole('cell').nth(2)).toContainText(ACTION);
  const newest = rows.first();
  await expect(newest.getByRole('cell').nth(1)).toContainText(ACTOR);
  await expect(newest.getByRole('cell').nth(1)).toContainText('user');
  await expect(newest.getByRole('cell').nth(4)).toHaveText('success');

  // The newest row opens on where the event came from and its place in the chain.
  const toggle = newest.getByRole('button', { name: /details of event #\d+$/i });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  const details = page.locator(`[id="${await toggle.getAttribute('aria-controls')}"]`);
  await expect(details).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(details).toBeVisible();
  const detail = (term: string) => details.locator('div').filter({ has: page.getByText(term, { exact: true }) }).locator('dd');
  await expect(detail('Sequence')).toHaveText(/^#\d+$/);
  await expect(detail('Hash')).toHaveText(/^[0-9a-f]{16}…$/);
  await expect(detail('User agent')).toContainText('Chrom');
  const requestId = (await detail('Request id').innerText()).trim();
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

  // The export carries the filter: every line is this action, and the new event is among them.
  const exportLink = page.getByRole('link', { name: 'Export CSV' });
  await expect(exportLink).toHaveAttribute('href', new RegExp(`^/api/v1/audit/export\\?format=csv&action=${ACTION}$`));
  const downloadEvent = page.waitForEvent('download');
  await exportLink.click();
  const download = await downloadEvent;
  expect(await download.failure()).toBeNull();
  expect(download.suggestedFilename()).toMatch(/^audit-acme-.+\.csv$/);
  const csv = parseCsv(await readFile(await download.path(), 'utf8')).filter((line) => line.some((cell) => cell !== ''));
  const [header, ...lines] = csv;
  const column = (name: string) => {
    expect(header, `the CSV header names ${name}`).toContain(name);
    return header.indexOf(name);
  };
  const [actionAt, actorAt, outcomeAt, requestAt] = ['action', 'actor_name', 'outcome', 'request_id'].map(column);
  expect(lines).toHaveLength(before + 1);
  for (const line of lines) expect(line[actionAt]).toBe(ACTION);
  const exported = lines.find((line) => line[requestAt] === requestId);
  expect(exported, `a CSV line with request id ${requestId}`).toBeDefined();
  expect(exported?.[actorAt]).toBe(ACTOR);
  expect(exported?.[outcomeAt]).toBe('success');
});
