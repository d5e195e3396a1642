import { expect, test } from '@playwright/test';
import { dontAskFirst, drawnCurves, query, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

// A lighter start than Figure 1 (m = 1000, no tanh panel) so each change recomputes quickly.
const START = '/?m=1000&contrast=none';

test('changing B, width, family and seed changes the plot and the URL; reload restores; back/forward work', async ({
  page,
}) => {
  await page.goto(START);
  await waitForFigure(page, 3);
  const history: { url: string; curves: Awaited<ReturnType<typeof drawnCurves>> }[] = [];
  const record = async () => history.push({ url: page.url(), curves: await drawnCurves(page) });
  await record();

  // B = 3: one more single-block panel, cubic.
  await page.getByTestId('blocks').fill('3');
  await page.getByTestId('blocks').press('Enter');
  await waitForFigure(page, 4);
  expect(query(page).get('B')).toBe('3');
  await record();

  // Width.
  await page.getByTestId('width').fill('300');
  await page.getByTestId('width').press('Enter');
  await waitForFigure(page, 4);
  expect(query(page).get('m')).toBe('300,300,300');
  await record();

  // Family.
  await page.getByTestId('family').selectOption('gaussian');
  await waitForFigure(page, 4);
  expect(query(page).get('family')).toBe('gaussian');
  await record();

  // New network seed.
  const seedBefore = query(page).get('seed');
  await page.getByTestId('new-network').click();
  await waitForFigure(page, 4);
  expect(query(page).get('seed')).not.toBe(seedBefore);
  await record();

  for (let i = 1; i < history.length; i++) {
    expect(history[i].url).not.toBe(history[i - 1].url);
    expect(history[i].curves).not.toEqual(history[i - 1].curves);
  }

  // Reload: same settings, identical numbers (seeds in the URL).
  await page.reload();
  await waitForFigure(page, 4);
  expect(page.url()).toBe(history[4].url);
  expect(await drawnCurves(page)).toEqual(history[4].curves);

  // Back twice, then forward once.
  await page.goBack();
  await waitForFigure(page, 4);
  expect(page.url()).toBe(history[3].url);
  expect(await drawnCurves(page)).toEqual(history[3].curves);
  await expect(page.getByTestId('family')).toHaveValue('gaussian');
  await page.goBack();
  await waitForFigure(page, 4);
  expect(page.url()).toBe(history[2].url);
  await expect(page.getByTestId('family')).toHaveValue('aligned');
  await page.goForward();
  await waitForFigure(page, 4);
  expect(page.url()).toBe(history[3].url);
  expect(await drawnCurves(page)).toEqual(history[3].curves);
});

test('a malformed URL shows which parameters were wrong and still draws a valid figure', async ({
  page,
}) => {
  await page.goto('/?B=abc&m=-5&family=zigzag&R=1e9&bogus=1&contrast=none');
  await waitForFigure(page, 3);
  const problems = page.getByTestId('url-problems');
  await expect(problems).toBeVisible();
  for (const text of ['B=abc', 'm=-5', 'family=zigzag', 'R=1e9', 'bogus=1'])
    await expect(problems).toContainText(text);
  await expect(problems).toContainText('must be an integer from 1 to 6');
  // Defaults stood in: the URL now holds valid values.
  expect(query(page).get('B')).toBe('2');
  expect(query(page).get('family')).toBe('aligned');
  const curves = await drawnCurves(page);
  expect(
    curves.every((p) => p.curves.length === 5 && p.curves.every((c) => c.every(Number.isFinite))),
  ).toBe(true);
});

test('an impossible width typed in a control is refused with a message, nothing recomputes', async ({
  page,
}) => {
  await page.goto(START);
  await waitForFigure(page, 3);
  const url = page.url();
  await page.getByTestId('width').fill('100000');
  await page.getByTestId('width').press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'from 10 to 65536' })).toBeVisible();
  expect(page.url()).toBe(url);
});

test('the width sweep measures the non-multilinear part falling at least as fast as the bound', async ({
  page,
}) => {
  // The CPU engine (float64): 13 widths × 2 families × 8 networks take about 4 minutes on
  // SwiftShader's software WebGPU, 8 s here. The GPU engine's polynomials are checked in gpu.test.ts.
  await page.goto('/?contrast=none&gpu=0');
  await waitForFigure(page, 3);
  await page.getByTestId('run-sweep').click();
  await expect(page.getByTestId('sweep-status')).toContainText('slopes of size', {
    timeout: 120_000,
  });
  interface Series {
    family: string;
    slope: number;
    points: { width: number; median: number }[];
  }
  const sweep = await page.evaluate(() => {
    const s = (
      window as unknown as {
        __store: {
          getState(): { analyses: { sweep: { result: { family: string; series: Series[] } } } };
        };
      }
    ).__store.getState().analyses.sweep;
    return s.result;
  });
  // The current family (aligned) first, then chained.
  expect(sweep.family).toBe('aligned');
  expect(sweep.series.map((s) => s.family)).toEqual(['aligned', 'chained']);
  const own = sweep.series[0];
  expect(own.points.map((p) => p.width)[0]).toBe(16);
  expect(own.points.length).toBeGreaterThanOrEqual(8);
  // Theorem 2: at least like 1/√m; model.md §5: faster along aligned directions.
  expect(own.slope).toBeLessThan(-0.5);
  expect(own.points[own.points.length - 1].median).toBeLessThan(own.points[0].median / 100);
  // The slopes table carries the same numbers, one row per family.
  const rows = page.getByTestId('sweep-slopes').getByTestId('sweep-slope');
  await expect(rows).toHaveCount(2);
  const first = rows.first();
  await expect(first).toHaveAttribute('data-family', 'aligned');
  expect(Number(await first.getAttribute('data-slope'))).toBeCloseTo(own.slope, 10);
  for (const attribute of ['data-slope-cb', 'data-slope-cb1']) {
    expect(Number.isFinite(Number(await first.getAttribute(attribute)))).toBe(true);
  }
});

test('the block-structure analysis finds mixed derivatives small within blocks and O(1) across', async ({
  page,
}) => {
  await page.goto('/?contrast=none');
  await waitForFigure(page, 3);
  await page.getByTestId('run-blocks').click();
  await expect(page.getByTestId('blocks-status')).toContainText('across bottlenecks', {
    timeout: 120_000,
  });
  const blocks = await page.evaluate(() => {
    const state = (
      window as unknown as {
        __store: {
          getState(): {
            analyses: {
              blocks: {
                result: { withinBlocks: number; acrossBlocks: number; blockOfLayer: number[] };
              };
            };
          };
        };
      }
    ).__store.getState();
    return state.analyses.blocks.result;
  });
  expect(blocks.blockOfLayer).toEqual([0, 0, 1, 1]);
  // Lemma 1(b) at m = 10⁴: within-block mixed derivatives are O(1/√m), across-block ones O(1).
  expect(blocks.acrossBlocks).toBeGreaterThan(0.5);
  expect(blocks.withinBlocks).toBeLessThan(0.01 * blocks.acrossBlocks);
});
