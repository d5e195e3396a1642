// The panels' pointer and keyboard readout: direction, t and g at the curve nearest the pointer,
// equal to the exported data; and the legend in its own strip, never over the plot.
import { readFile } from 'node:fs/promises';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { dontAskFirst, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

/** A canvas's rectangle from its data attribute ("left top width height", CSS pixels). */
async function rect(canvas: Locator, attribute: string) {
  const raw = (await canvas.getAttribute(attribute)) ?? '';
  const [left, top, width, height] = raw.split(' ').map(Number);
  return { left, top, width, height };
}

async function reading(panel: Locator) {
  const live = panel.getByTestId('cursor-readout');
  return {
    text: (await live.textContent()) ?? '',
    direction: Number(await live.getAttribute('data-direction')),
    t: (await live.getAttribute('data-t')) ?? '',
    value: Number(await live.getAttribute('data-value')),
    how: await live.getAttribute('data-how'),
  };
}

/** The CSV export's curve rows of one panel: direction → (t as written → value). */
async function csvCurves(page: Page, panelId: string) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const csv = await readFile((await download.path()) as string, 'utf8');
  const rows = new Map<number, Map<string, number>>();
  for (const line of csv.split('\n')) {
    const m = /^([^,]+),"(?:[^"]|"")*",(\d+),curve,([^,]+),([^,]+),/.exec(line);
    if (!m || m[1] !== panelId) continue;
    const d = Number(m[2]);
    if (!rows.has(d)) rows.set(d, new Map());
    rows.get(d)?.set(m[3], Number(m[4]));
  }
  return rows;
}

test('hover and keys read g off the (b) all-weights panel, as the CSV export has it', async ({
  page,
}) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const panel = page.locator('[data-testid="panel"][data-panel-id="all"]');
  const canvas = panel.locator('canvas.panel-canvas');
  await expect(canvas).toHaveAttribute('tabindex', '0');
  await expect(canvas).toHaveAttribute('aria-label', /all/);
  await expect(canvas).toHaveAttribute('data-legend-rect', /\d/);
  const plot = await rect(canvas, 'data-plot-rect');
  expect(plot.width).toBeGreaterThan(200);

  // Hover three quarters along t, half way up.
  await canvas.hover({
    position: { x: plot.left + plot.width * 0.75, y: plot.top + plot.height * 0.5 },
  });
  await expect(panel.getByTestId('cursor-label')).toBeVisible();
  const hovered = await reading(panel);
  const m = /^Δ(\d): t = (\S+), g = (\S+) \(exact polynomial\)$/.exec(hovered.text);
  expect(m, hovered.text).not.toBeNull();
  const [, direction, shownT, shownG] = m as RegExpExecArray;
  expect(Number(direction)).toBe(hovered.direction);
  expect(Number(shownT)).toBeGreaterThan(0);
  await expect(panel.getByTestId('cursor-label')).toHaveText(hovered.text);

  // The cursor sits on a sample t: the CSV holds that very t, with g to the digits shown.
  const csv = await csvCurves(page, 'all');
  const value = csv.get(hovered.direction)?.get(hovered.t);
  expect(value, `CSV row for t = ${hovered.t}`).toBeDefined();
  const shown = Number(shownG);
  const halfUlp = 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(shown))) - 5);
  expect(Math.abs((value as number) - shown)).toBeLessThanOrEqual(halfUlp * 1.001);
  expect(Math.abs((value as number) - hovered.value)).toBeLessThan(1e-9);

  // Keyboard: focus, → three times moves t on; ↑ picks the next direction; the live region says so.
  await page.mouse.move(0, 0);
  await canvas.focus();
  await page.keyboard.press('ArrowRight');
  const first = await reading(panel);
  expect(first.text).toMatch(/^Δ1: t = /);
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  const moved = await reading(panel);
  expect(Number(moved.t)).toBeGreaterThan(Number(first.t));
  expect(csv.get(1)?.get(moved.t)).toBeCloseTo(moved.value, 9);
  await page.keyboard.press('ArrowUp');
  const up = await reading(panel);
  expect(up.direction).toBe(2);
  expect(up.t).toBe(moved.t);
  expect(up.text).toMatch(/^Δ2: /);
  await expect(panel.getByTestId('cursor-readout')).toHaveAttribute('aria-live', 'polite');
  // The arrows stay with the panel: the page did not scroll.
  expect(await page.evaluate(() => window.scrollX)).toBe(0);
});

test('the legend has its own strip: it never overlaps a plot area', async ({ page }) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const canvases = page.locator('canvas.panel-canvas');
  await expect(canvases).toHaveCount(4);
  for (const canvas of await canvases.all()) {
    // Drawn with its result (draws wait for an animation frame).
    await expect(canvas).toHaveAttribute('data-legend-rect', /\d/);
    const plot = await rect(canvas, 'data-plot-rect');
    const legend = await rect(canvas, 'data-legend-rect');
    expect(legend.height).toBeGreaterThan(0);
    const box = await canvas.boundingBox();
    expect(legend.left + legend.width).toBeLessThanOrEqual((box?.width ?? 0) + 0.5);
    // Above the plot, not beside or over it.
    expect(legend.top + legend.height).toBeLessThanOrEqual(plot.top);
  }
});
