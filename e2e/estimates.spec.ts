import { type Page } from '@playwright/test';
import { expect, failOnCspViolations, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

// globex: other specs write estimates to acme, and a lookalike there could rank above B.
const TENANT = 'globex';
const ADMIN = 'admin@globex.test';

interface TMaterialSpec {
  name: string;
  category: string;
  quantity: string;
  unit: string;
  unitCost: string;
}

interface TEstimateSpec {
  project: string;
  name: string;
  city: string;
  materials: TMaterialSpec[];
  laborRate: string;
  laborHours: string;
  equipmentRate: string;
  equipmentHours: string;
}

const timberHouse = (name: string, city: string, materials: [number | string, string][], labor: [string, string], equipment: [string, string]): TEstimateSpec => {
  const kinds: Omit<TMaterialSpec, 'quantity' | 'unitCost'>[] = [
    { name: 'Timber studs C24', category: 'Structural timber', unit: 'm³' },
    { name: 'OSB sheathing boards', category: 'Sheathing', unit: 'm²' },
    { name: 'Mineral wool insulation', category: 'Insulation', unit: 'm²' },
    { name: 'Plasterboard sheets', category: 'Drywall', unit: 'm²' },
    { name: 'Clay roof tiles', category: 'Roofing', unit: 'm²' },
  ];
  return {
    project: 'Timber-frame houses',
    name,
    city,
    materials: kinds.map((kind, i) => ({ ...kind, quantity: String(materials[i][0]), unitCost: materials[i][1] })),
    laborRate: labor[0],
    laborHours: labor[1],
    equipmentRate: equipment[0],
    equipmentHours: equipment[1],
  };
};

/** Fills the new-estimate form; stops before saving so a test can look at the live total. */
async function fillEstimate(page: Page, spec: TEstimateSpec): Promise<void> {
  await page.goto(tenantUrl(TENANT, '/estimates/new'));
  await page.getByLabel('Project', { exact: true }).fill(spec.project);
  await page.getByLabel('Estimate name', { exact: true }).fill(spec.name);
  await page.getByLabel('Currency', { exact: true }).fill('EUR');
  await page.getByLabel('Country', { exact: true }).fill('DE');
  await page.getByLabel('Region', { exact: true }).fill('Bavaria');
  await page.getByLabel('City', { exact: true }).fill(spec.city);
  for (const [index, material] of spec.materials.entries()) {
    if (index > 0) await page.getByRole('button', { name: 'Add material' }).click();
    const field = (label: string) => page.getByLabel(`Material ${index + 1} ${label}`, { exact: true });
    await field('name').fill(material.name);
    await field('category').fill(material.category);
    await field('quantity').fill(material.quantity);
    await field('unit').selectOption(material.unit);
    await field('unit cost').fill(material.unitCost);
  }
  await page.getByLabel(/^Labour rate/).fill(spec.laborRate);
  await page.getByLabel('Labour hours', { exact: true }).fill(spec.laborHours);
  await page.getByLabel(/^Equipment rate/).fill(spec.equipmentRate);
  await page.getByLabel('Equipment hours', { exact: true }).fill(spec.equipmentHours);
}

/** Saves the filled form and returns the new estimate's detail URL. */
async function save(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Create estimate' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  return page.url();
}

test('an admin creates two similar estimates and a different one; the detail page lists the similar one first', async ({ page }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const houseA = timberHouse(
    `Timber house A ${stamp}`,
    'Munich',
    [
      [18, '450.00'],
      ['322.5', '12.50'],
      [300, '9.85'],
      [420, '6.40'],
      [160, '38.00'],
    ],
    ['55.00', '1200'],
    ['90.00', '80'],
  );
  const houseB = timberHouse(
    `Timber house B ${stamp}`,
    'Augsburg',
    [
      [20, '465.00'],
      [350, '12.10'],
      [330, '10.10'],
      [455, '6.55'],
      [175, '36.90'],
    ],
    ['56.50', '1280'],
    ['90.00', '90'],
  );
  const road: TEstimateSpec = {
    project: 'Road maintenance',
    name: `Road resurfacing C ${stamp}`,
    city: 'Nuremberg',
    materials: [
      { name: 'Asphalt wearing course AC 11', category: 'Paving', quantity: '380', unit: 't', unitCost: '98.00' },
      { name: 'Bitumen emulsion tack coat', category: 'Binders', quantity: '2400', unit: 'l', unitCost: '1.85' },
      { name: 'Thermoplastic road markings', category: 'Markings', quantity: '1800', unit: 'm', unitCost: '2.40' },
      { name: 'Cold milling of surface', category: 'Earthworks', quantity: '5200', unit: 'm²', unitCost: '4.20' },
    ],
    laborRate: '62.00',
    laborHours: '420',
    equipmentRate: '185.00',
    equipmentHours: '160',
  };

  await signedInAs(page, TENANT, ADMIN);
  await fillEstimate(page, houseA);
  // Materials 23,854.25 (322.5 m² × 12.50 = 4,031.25) + labour 66,000.00 + equipment 7,200.00, updated as typed.
  await expect(page.getByRole('status', { name: 'Estimated total' })).toHaveText('EUR 97,054.25');
  const urlA = await save(page, houseA.name);
  await expect(page.getByRole('table', { name: 'Materials' }).getByRole('row', { name: /OSB sheathing boards/ })).toContainText('EUR 4,031.25');

  await fillEstimate(page, houseB);
  await save(page, houseB.name);
  await fillEstimate(page, road);
  await save(page, road.name);

  // The list finds this run's three by the stamp and orders them by total.
  await page.goto(tenantUrl(TENANT, '/estimates'));
  await page.getByLabel('Search estimates', { exact: true }).fill(String(stamp));
  await page.getByLabel('Sort by').selectOption({ label: 'Highest total' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('table', { name: 'Estimates' }).getByRole('link')).toHaveText([road.name, houseB.name, houseA.name]);

  // Vectors are written by a job a few seconds after each save: reload until A's panel lists its neighbours.
  await page.goto(urlA);
  const similar = page.getByRole('table', { name: 'Similar estimates' });
  await expect(async () => {
    await page.reload();
    await expect(similar.getByRole('link', { name: houseB.name })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  const names = await similar.getByRole('link').allTextContents();
  expect(names[0]).toBe(houseB.name);
  expect(names).not.toContain(houseA.name);
  if (names.includes(road.name)) expect(names.indexOf(road.name)).toBeGreaterThan(names.indexOf(houseB.name));
  await expect(page.getByRole('meter', { name: 'Confidence' })).toBeVisible();

  // The search form: describing A's job finds A first (the same materials and rates), and the road job after B.
  await page.goto(tenantUrl(TENANT, '/estimates/search'));
  for (const [index, material] of houseA.materials.entries()) {
    if (index > 0) await page.getByRole('button', { name: 'Add material' }).click();
    const field = (label: string) => page.getByLabel(`Material ${index + 1} ${label}`, { exact: true });
    await field('name').fill(material.name);
    await field('category').fill(material.category);
    await field('quantity').fill(material.quantity);
    await field('unit').selectOption(material.unit);
    await field('unit cost').fill(material.unitCost);
  }
  await page.getByLabel('Country (optional)', { exact: true }).fill('DE');
  await page.getByLabel(/^Labour rate/).fill(houseA.laborRate);
  await page.getByLabel('Labour hours', { exact: true }).fill(houseA.laborHours);
  await page.getByLabel(/^Equipment rate/).fill(houseA.equipmentRate);
  await page.getByLabel('Equipment hours', { exact: true }).fill(houseA.equipmentHours);
  await page.getByRole('button', { name: 'Find similar estimates' }).click();
  const found = page.getByRole('table', { name: 'Similar estimates found' });
  await expect(found.getByRole('link').first()).toHaveText(houseA.name);
  const foundNames = await found.getByRole('link').allTextContents();
  expect(foundNames.indexOf(houseB.name)).toBe(1);
  if (foundNames.includes(road.name)) expect(foundNames.indexOf(road.name)).toBeGreaterThan(1);
});

test("the form shows the server's validation errors next to the row and field they concern", async ({ page }) => {
  const stamp = Date.now();
  await signedInAs(page, TENANT, ADMIN);
  await page.goto(tenantUrl(TENANT, '/estimates/new'));
  await page.getByLabel('Project', { exact: true }).fill('Validation');
  await page.getByLabel('Estimate name', { exact: true }).fill(`Invalid ${stamp}`);
  await page.getByLabel('Country', { exact: true }).fill('D1');
  await page.getByLabel('Material 1 name', { exact: true }).fill('Concrete C30/37');
  await page.getByLabel('Material 1 category', { exact: true }).fill('Concrete');
  await page.getByLabel('Material 1 quantity', { exact: true }).fill('12');
  await page.getByLabel('Material 1 unit cost', { exact: true }).fill('110');
  await page.getByRole('button', { name: 'Add material' }).click();
  await page.getByLabel('Material 2 category', { exact: true }).fill('Steel');
  await page.getByLabel('Material 2 quantity', { exact: true }).fill('1.5');
  await page.getByLabel('Material 2 unit cost', { exact: true }).fill('980');
  await page.getByRole('button', { name: 'Create estimate' }).click();

  await expect(page.getByLabel('Material 2 name', { exact: true })).toHaveAccessibleDescription('must not be empty');
  await expect(page.getByLabel('Country', { exact: true })).toHaveAccessibleDescription(/must be an ISO 3166 two-letter country code/);
  await expect(page.getByLabel('Material 1 name', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(tenantUrl(TENANT, '/estimates/new'));
});

test('an admin edits a material row, sees the new total, then deletes the estimate after confirming', async ({ page }) => {
  const stamp = Date.now();
  const name = `Garden shed ${stamp}`;
  await signedInAs(page, TENANT, ADMIN);
  await fillEstimate(page, {
    project: 'Sheds',
    name,
    city: 'Regensburg',
    materials: [{ name: 'Larch cladding', category: 'Cladding', quantity: '24', unit: 'm²', unitCost: '31.20' }],
    laborRate: '48.00',
    laborHours: '16',
    equipmentRate: '',
    equipmentHours: '',
  });
  const url = await save(page, name);
  await expect(page.getByRole('table', { name: 'Materials' })).toContainText('EUR 748.80');

  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Material 1 quantity', { exact: true }).fill('30.5');
  // 30.5 × 31.20 = 951.60, + 16 h × 48.00 = 768.00
  await expect(page.getByRole('status', { name: 'Estimated total' })).toHaveText('EUR 1,719.60');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(url);
  await expect(page.getByRole('table', { name: 'Materials' })).toContainText('EUR 951.60');

  // The first click only asks; Escape keeps the estimate.
  await page.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete the estimate ${name}?` });
  await expect(dialog).toContainText('This cannot be undone.');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();

  await page.getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Delete estimate' }).click();
  await expect(page).toHaveURL(tenantUrl(TENANT, '/estimates'));
  await expect(page.getByRole('status').filter({ hasText: `Deleted the estimate ${name}.` })).toBeVisible();
  await expect(page.getByRole('link', { name })).toHaveCount(0);
  expect((await page.goto(url))?.status()).toBe(404);
});
