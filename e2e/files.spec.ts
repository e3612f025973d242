import { expect, failOnCspViolations, signedInAs, tenantUrl, test } from './support';

failOnCspViolations();

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200_000, 'p')]);
const ifc = Buffer.from("ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');\nENDSEC;\nEND-ISO-10303-21;\n");

test('an admin uploads two files with progress, sees them listed, downloads one and sees a refused upload explained', async ({ page }) => {
  const stamp = Date.now();
  const pdfName = `site-plan-${stamp}.pdf`;
  const ifcName = `tower-${stamp}.ifc`;
  await signedInAs(page, 'acme', 'admin@acme.test');
  await page.goto(tenantUrl('acme', '/files'));
  await expect(page.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible();
  await expect(page.getByRole('meter', { name: 'Storage used' })).toBeVisible();

  await page.getByLabel('Choose files to upload').setInputFiles([
    { name: pdfName, mimeType: 'application/pdf', buffer: pdf },
    { name: ifcName, mimeType: 'application/octet-stream', buffer: ifc },
  ]);
  for (const name of [pdfName, ifcName]) {
    const progress = page.getByLabel(`Upload progress for ${name}`);
    await expect(progress).toBeVisible();
    // Finished: the bar is full.
    await expect(async () => {
      const [value, max] = await progress.evaluate((el: HTMLProgressElement) => [el.value, el.max]);
      expect(value).toBe(max);
    }).toPass();
  }
  const table = page.getByRole('table', { name: 'Files' });
  await expect(table.getByRole('row', { name: new RegExp(pdfName) })).toContainText('195.3 KiB');
  await expect(table.getByRole('row', { name: new RegExp(ifcName) })).toContainText('uploaded');

  const downloadEvent = page.waitForEvent('download');
  await page.getByRole('button', { name: `Download ${pdfName}` }).click();
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toBe(pdfName);

  await page.getByLabel('Choose files to upload').setInputFiles([
    { name: `fake-${stamp}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from('this is not really a pdf') },
    { name: `tool-${stamp}.exe`, mimeType: 'application/octet-stream', buffer: Buffer.from('MZ program') },
  ]);
  await expect(page.getByRole('alert').filter({ hasText: `fake-${stamp}.pdf` })).toContainText('is not a .pdf file');
  await expect(page.getByRole('alert').filter({ hasText: `tool-${stamp}.exe` })).toContainText(
    '.exe files are not allowed here; allowed types',
  );
  await expect(table.getByRole('row', { name: new RegExp(`fake-${stamp}`) })).toHaveCount(0);
});

test('a viewer sees the files but no upload zone', async ({ page }) => {
  await signedInAs(page, 'acme', 'viewer@acme.test');
  await page.goto(tenantUrl('acme', '/files'));
  await expect(page.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Choose files to upload')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
});
