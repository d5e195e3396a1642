import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { dontAskFirst, drawnCurves, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

test('loads, reports the WebGPU adapter and draws Figure 1: four panels, five curves each', async ({
  page,
}) => {
  await page.goto('/');
  await waitForFigure(page, 4);
  const engine = page.getByTestId('engine');
  await expect(engine).toHaveAttribute('data-engine-kind', 'webgpu');
  await expect(engine).toContainText(/swiftshader/i);
  await expect(engine).toContainText('float32');
  const panels = page.getByTestId('panel');
  await expect(panels).toHaveCount(4);
  for (let i = 0; i < 4; i++) await expect(panels.nth(i)).toHaveAttribute('data-curves', '5');
  await expect(panels.nth(0).getByRole('img')).toHaveAttribute(
    'aria-label',
    '(a) tanh, all weights',
  );
  await expect(panels.nth(1).getByRole('img')).toHaveAttribute(
    'aria-label',
    '(b) identity, all weights',
  );
  await expect(panels.nth(2).getByRole('img')).toHaveAttribute(
    'aria-label',
    '(c) identity, W_1 only',
  );
  await expect(panels.nth(3).getByRole('img')).toHaveAttribute(
    'aria-label',
    '(d) identity, W_2 only',
  );
  await expect(page.getByTestId('agreement')).toContainText('✓');
  await expect(page.getByTestId('preset')).toHaveValue('figure1');
  // The (t₁, t₂) surface (three.js) is bilinear to well under 1% of its range at m = 10⁴.
  const stats = page.getByTestId('surface-stats');
  await expect(stats).toContainText('largest gap');
  const gap = Number(
    (await stats.textContent())?.match(/gap to the bilinear part on the square: ([0-9.e-]+)%/)?.[1],
  );
  expect(gap).toBeLessThan(1);
});

test("exported coefficients show the paper's structure (aligned, m = 10^4)", async ({ page }) => {
  await page.goto('/');
  await waitForFigure(page, 4);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const data = JSON.parse(await readFile((await download.path()) as string, 'utf8'));
  expect(data.settings.family).toBe('aligned');
  expect(data.settings.widths).toEqual([10000, 10000]);
  const byId = Object.fromEntries(data.panels.map((p: { id: string }) => [p.id, p]));
  const all = byId.all.coefficients as number[][];
  expect(all).toHaveLength(5);
  for (const c of all) {
    expect(Math.abs(c[2])).toBeGreaterThan(0.01);
    expect(Math.abs(c[3])).toBeLessThan(0.01 * Math.abs(c[2]));
    expect(Math.abs(c[4])).toBeLessThan(0.01 * Math.abs(c[2]));
  }
  for (const id of ['block-1', 'block-2']) {
    for (const c of byId[id].coefficients as number[][]) {
      expect(Math.abs(c[2])).toBeLessThan(0.01 * Math.abs(c[1]));
    }
  }
  // The tanh panel is a grid evaluation, not a polynomial.
  expect(byId.contrast.coefficients).toBeNull();
  expect(byId.contrast.precision).toBe('float32');
});

test('exported JSON matches what is drawn; PNG and CSV exports produce files', async ({ page }) => {
  await page.goto('/?m=1000&contrast=none');
  await waitForFigure(page, 3);
  const drawn = await drawnCurves(page);
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const data = JSON.parse(await readFile((await json.path()) as string, 'utf8'));
  expect(data.panels.map((p: { id: string }) => p.id)).toEqual(drawn.map((d) => d.id));
  data.panels.forEach((p: { curves: { g: number[] }[]; coefficients: number[][] }, i: number) => {
    expect(p.curves.map((c) => c.g)).toEqual(drawn[i].curves);
    expect(p.coefficients).toEqual(drawn[i].coefficients);
  });
  expect(data.query).toContain('m=1000,1000');

  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-png').click(),
  ]);
  const bytes = await readFile((await png.path()) as string);
  expect(Array.from(bytes.subarray(0, 8))).toEqual([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
  ]);
  expect(bytes.length).toBeGreaterThan(20_000);
  // Two columns of panels, repainted at the default 2× scale.
  expect(bytes.readUInt32BE(16)).toBe(
    2 *
      2 *
      (await page
        .locator('canvas.panel-canvas')
        .first()
        .evaluate((c) => (c as HTMLCanvasElement).width)),
  );

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const text = await readFile((await csv.path()) as string, 'utf8');
  expect(text).toContain('panel,title,direction,kind,x,value,precision');
  expect(text.split('\n').filter((l) => l.startsWith('all,')).length).toBeGreaterThan(5 * 200);
});

test('Figure 1 preset looks as it did (visual regression, fixed seeds)', async ({ page }) => {
  await page.goto('/');
  await waitForFigure(page, 4);
  // Per-panel timings differ from run to run: masked.
  await expect(page.getByTestId('figure')).toHaveScreenshot('figure1.png', {
    mask: [page.getByTestId('panel-ms')],
  });
});
