// Live controls and the transition (docs/live.md), in Chromium on the CPU engine (float64, so a
// figure is the same whichever way it was reached): a drag draws figures before the release, the
// release's figure equals the one computed directly, one history entry per gesture; play grows m
// and stop stays put; reduced motion plays in steps.

import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst, drawnCurves, query, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

/** Width of the figure on screen, recorded at every change of the store's shownSettings. */
async function recordShown(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __shown: number[];
      __store: {
        subscribe(
          f: (
            s: { shownSettings: { widths: number[] } | null },
            p: { shownSettings: unknown },
          ) => void,
        ): void;
      };
    };
    w.__shown = [];
    w.__store.subscribe((s, p) => {
      if (s.shownSettings && s.shownSettings !== p.shownSettings)
        w.__shown.push(s.shownSettings.widths[0]);
    });
  });
}
const shown = (page: Page) =>
  page.evaluate(() => (window as unknown as { __shown: number[] }).__shown.slice());

test('a drag across the width slider draws figures before release; the release is one history entry', async ({
  page,
}) => {
  await page.goto('/?gpu=0&m=2000');
  await waitForFigure(page, 4);
  await recordShown(page);
  const before = await page.evaluate(() => history.length);
  const slider = page.getByTestId('width-slider');
  const box = await slider.boundingBox();
  if (!box) throw new Error('no slider');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.6, y);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(box.x + box.width * (0.6 - i * 0.012), y);
    await page.waitForTimeout(100);
  }
  const during = new Set(await shown(page));
  await page.mouse.up();
  await waitForFigure(page, 4);
  // Several distinct figures reached the screen while the hand moved.
  expect(during.size).toBeGreaterThanOrEqual(3);
  // One new history entry for the gesture; the URL and aria-valuetext name the figure shown.
  expect(await page.evaluate(() => history.length)).toBe(before + 1);
  const m = Number(query(page).get('m')?.split(',')[0]);
  expect(m).toBeLessThan(2000);
  await expect(slider).toHaveAttribute('aria-valuetext', String(m));
  await expect(page.locator('[data-testid="panel"][data-stale="true"]')).toHaveCount(0);
  const afterDrag = await drawnCurves(page);
  // The same width computed directly: the same figure, coefficient for coefficient.
  await page.goto(`/?gpu=0&m=${m}`);
  await waitForFigure(page, 4);
  const direct = await drawnCurves(page);
  expect(afterDrag.map((p) => p.coefficients)).toEqual(direct.map((p) => p.coefficients));
  expect(afterDrag[0].curves).toEqual(direct[0].curves);
  // Back returns to where the gesture started.
  await page.goBack();
  await page.goBack();
  await expect.poll(() => query(page).get('m')).toBe('2000,2000');
});

test('play grows m with one seed and a trace; stop stays put; reduced motion plays in steps', async ({
  page,
}) => {
  await page.goto('/?gpu=0&contrast=none&m=500&seed=31&dseed=4');
  await waitForFigure(page, 3);
  await recordShown(page);
  await page.getByTestId('animate-width').click();
  await expect(page.getByTestId('animate-width')).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(async () => new Set(await shown(page)).size, { timeout: 60_000 })
    .toBeGreaterThan(4);
  const widths = await shown(page);
  // From 16 up: the network grows.
  expect(widths[0]).toBe(16);
  expect(widths.at(-1)).toBeGreaterThan(widths[0]);
  await expect(page.getByTestId('transition-points')).toHaveAttribute('data-count', /\d+/);
  expect(query(page).get('seed')).toBe('31');
  await page.getByTestId('animate-width').click();
  await waitForFigure(page, 3);
  const stopped = query(page).get('m');
  await page.waitForTimeout(1500);
  expect(query(page).get('m')).toBe(stopped);
  await expect(page.getByTestId('animate-width')).toHaveAttribute('aria-pressed', 'false');

  // Reduced motion: one step per doubling of m.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.evaluate(() => {
    (window as unknown as { __shown: number[] }).__shown.length = 0;
  });
  await page.keyboard.press('w');
  await expect.poll(async () => (await shown(page)).length, { timeout: 60_000 }).toBeGreaterThan(2);
  await page.keyboard.press('w');
  const steps = await shown(page);
  expect(steps.slice(0, 3)).toEqual([16, 32, 64]);
  await expect(page.getByTestId('animate-status')).toContainText('stopped at');
});
