// The theorem made visible: the degree table, the deviation view and the model q, on the WebGPU
// engine (SwiftShader, float32) with fixed seeds.
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst, query, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

/** Reads one panel's readout numbers (data attributes of its model-gap / deviation readouts). */
async function panelNumbers(page: Page, panelId: string) {
  const panel = page.locator(`[data-testid="panel"][data-panel-id="${panelId}"]`);
  const deviation = panel.getByTestId('deviation-readout');
  const model = panel.getByTestId('model-gap');
  return {
    deviation: Number(await deviation.getAttribute('data-relative')),
    deviationDegree: Number(await deviation.getAttribute('data-degree')),
    hasModel: (await model.count()) > 0,
    gap: (await model.count()) > 0 ? Number(await model.getAttribute('data-gap')) : Number.NaN,
    span: (await model.count()) > 0 ? Number(await model.getAttribute('data-span')) : Number.NaN,
    kind: (await model.count()) > 0 ? await model.getAttribute('data-kind') : null,
  };
}

async function degreeRows(page: Page) {
  const rows = page.getByTestId('degree-row');
  await expect(page.getByTestId('degree-table')).toBeVisible();
  return rows.evaluateAll((els) =>
    els.map((el) => ({
      blocks: el.getAttribute('data-blocks'),
      degree: Number(el.getAttribute('data-degree')),
      predicted: Number(el.getAttribute('data-predicted')),
      consistent: el.getAttribute('data-consistent'),
      excess: Number(el.getAttribute('data-excess')),
    })),
  );
}

test('degree verdict: B = 3, L_b = 3, d = 2 at m = 256 is within the theorem’s scale in every row; tanh inside a block is not', async ({
  page,
}) => {
  // A network no preset uses (CPU engine, float64). The old fixed 10⁻³ rule read degree |S| + 1.
  await page.goto(
    '/?gpu=0&B=3&L=3,3,3&m=256,256,256&r=1,1&d=2&k=1&family=aligned&dirs=3&seed=99&dseed=5',
  );
  await waitForFigure(page);
  const rows = await degreeRows(page);
  expect(rows).toHaveLength(7);
  for (const row of rows) {
    expect(row.consistent).toBe('1');
    expect(row.excess).toBeGreaterThan(0);
    expect(row.excess * Math.sqrt(256)).toBeLessThan(16);
  }
  await expect(page.getByTestId('degrees-status')).toContainText('7 of 7 rows within');
  // The verdict against m, one click away: every row under K/√m, one slope per row.
  await page.getByTestId('run-verdict').click();
  await expect(page.getByTestId('verdict-status')).toContainText('7 of 7 rows within', {
    timeout: 120_000,
  });
  await expect(page.getByTestId('verdict-series')).toHaveCount(7);
  // Its export carries every row at every width.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('verdict-export-json').click(),
  ]);
  const path = await download.path();
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  expect(doc.verdict.series).toHaveLength(7);
  expect(doc.verdict.series[0].points.length).toBe(doc.verdict.widths.length);
  expect(
    doc.verdict.series.every((s: { points: { consistent: boolean }[] }) =>
      s.points.every((p) => p.consistent),
    ),
  ).toBe(true);
  // tanh inside both blocks: no theorem, and said so; a row exceeds the theorem's scale.
  await page.getByTestId('preset').selectOption('tanh-inside');
  await waitForFigure(page, 3);
  await expect(page.getByTestId('degrees-no-theorem')).toContainText('does not apply');
  const tanh = await degreeRows(page);
  expect(tanh.map((r) => r.blocks)).toEqual(['1', '2', '1,2']);
  expect(tanh.some((r) => r.consistent === '0')).toBe(true);
});

test('degree table: B = 3 (aligned, m = 10⁴) has 7 rows, each at degree |S|', async ({ page }) => {
  await page.goto('/?B=3&L=2,2,2&m=10000&r=1,1&contrast=none&R=1.5&seed=2024&dseed=7');
  await waitForFigure(page, 4);
  const rows = await degreeRows(page);
  expect(rows).toHaveLength(7);
  for (const row of rows) {
    const size = (row.blocks ?? '').split(',').length;
    expect(row.degree).toBe(size);
    expect(row.predicted).toBe(size);
  }
});

test('degree table: B = 2 with L_b = 4 (deep blocks preset): the all-blocks row still says 2', async ({
  page,
}) => {
  // The CPU engine (float64): four 4096 × 4096 layers take minutes on SwiftShader's WebGPU.
  await page.goto('/?gpu=0&m=100');
  await waitForFigure(page);
  await page.getByTestId('preset').selectOption('deep-blocks');
  await waitForFigure(page, 3);
  const rows = await degreeRows(page);
  expect(rows.map((r) => r.blocks)).toEqual(['1', '2', '1,2']);
  expect(rows[2].degree).toBe(2);
  await expect(page.getByTestId('degree-row').nth(2)).toContainText('(L = 4)');
});

test('Figure 1: model q drawn within 1e-3 of the span; W_1-only deviation flat; the toggle redraws only', async ({
  page,
}) => {
  await page.goto('/');
  await waitForFigure(page, 4);
  const all = await panelNumbers(page, 'all');
  expect(all.hasModel).toBe(true);
  expect(all.kind).toBe('multilinear');
  expect(all.span).toBeGreaterThan(1);
  expect(all.gap / all.span).toBeLessThan(1e-3);
  // The tanh panel gets a least-squares fit instead, and says so.
  expect((await panelNumbers(page, 'contrast')).kind).toBe('fit');
  // Single-block panels carry no model; their deviation from a line is below 0.1% of the span.
  const identity = await panelNumbers(page, 'block-1');
  expect(identity.hasModel).toBe(false);
  expect(identity.deviationDegree).toBe(1);
  expect(identity.deviation).toBeLessThan(1e-3);
  // The toggle redraws without recomputing, and lives in the URL.
  const timing = await page.getByTestId('timing').textContent();
  await page.getByTestId('deviation-toggle').check();
  expect(query(page).get('dev')).toBe('1');
  await expect(page.getByTestId('timing')).toHaveText(timing ?? '');
});

test('deviation view: plain for tanh inside both blocks; a preset keeps the toggle', async ({
  page,
}) => {
  await page.goto('/?dev=1&contrast=none&act=tanh&place=inside-blocks&R=3');
  await waitForFigure(page, 3);
  await expect(page.getByTestId('deviation-toggle')).toBeChecked();
  const tanh = await panelNumbers(page, 'block-1');
  expect(tanh.deviation).toBeGreaterThan(0.05);
  await page.getByTestId('preset').selectOption('wide-linear');
  await waitForFigure(page, 1);
  expect(query(page).get('dev')).toBe('1');
});

test('y axes: the shared option is one axis for every panel, in the URL', async ({ page }) => {
  await page.goto('/?y=shared&m=1000&contrast=none');
  await waitForFigure(page, 3);
  await expect(page.getByTestId('y-axis')).toHaveValue('shared');
  await page.getByTestId('y-axis').selectOption('fit');
  expect(query(page).get('y')).toBeNull();
  await page.goto('/?y=sideways');
  await expect(page.getByTestId('url-problems')).toContainText(
    'must be one of fit, shared, radius',
  );
});
