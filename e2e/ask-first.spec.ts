// Ask first: a job estimated over 10 s (estimate.ts: the cost model ÷ a rate measured on the
// engine's first use) waits for Run anyway / Don't run. The CPU test lowers the threshold with the
// test hook window.__askFirstThresholdMs (Figure-size jobs take a few seconds on the CPU engine,
// which is capped below 10 s on two cores); everything else is the real path: calibration,
// estimate, dialog, answer.
import { expect, type Page, test } from '@playwright/test';
import { drawnCurves, waitForFigure } from './helpers';

type StoreWindow = {
  __askFirstThresholdMs?: number;
  __store: {
    getState(): {
      applyPreset(id: string): void;
      update(patch: Record<string, unknown>): void;
      settings: { widths: number[]; layers: number[]; directionSeed: number };
      resultSettings: { widths: number[] } | null;
      calibration: {
        rate: number;
        overheadMs: number;
        ms: number;
        points: { width: number; ms: number }[];
      } | null;
      lastMs: number | null;
    };
  };
};

const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as StoreWindow).__store.getState();
    return {
      widths: s.settings.widths,
      resultWidths: s.resultSettings?.widths ?? null,
      calibration: s.calibration,
      lastMs: s.lastMs,
    };
  });

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  const box = await page.getByTestId('ask-first').boundingBox();
  expect(box).not.toBeNull();
  expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= innerWidth).toBe(true);
  for (const id of ['confirm-run', 'confirm-cancel']) {
    const b = await page.getByTestId(id).boundingBox();
    expect((b?.x ?? 0) + (b?.width ?? 1e9)).toBeLessThanOrEqual(innerWidth);
  }
}

test('CPU engine: a job over the threshold asks first; Don’t run keeps the figure, Run anyway runs it', async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  // The default view is never asked about (nor measured: it cannot take 10 s anywhere).
  await expect(page.getByTestId('ask-first')).toHaveCount(0);
  expect((await state(page)).calibration).toBeNull();
  const before = await drawnCurves(page);

  // Deep blocks (m = 4096, 7·10⁹ multiply-adds): a few seconds on the CPU engine, under 10 s, so
  // the test hook lowers the threshold to 500 ms. The first such job measures the engine.
  await page.evaluate(() => {
    const w = window as unknown as StoreWindow;
    w.__askFirstThresholdMs = 500;
    w.__store.getState().applyPreset('deep-blocks');
  });
  const dialog = page.getByTestId('ask-first');
  await expect(dialog).toBeVisible({ timeout: 20_000 });
  await expect(dialog).toHaveAttribute('role', 'alertdialog');
  await expect(dialog).toHaveAccessibleName(/This figure would take about/);
  await expect(page.getByTestId('ask-first-estimate')).toHaveText(
    /^This figure would take about \d+(\.\d)? (s|min \d\d s) on CPU engine \(float64\)\.$/,
  );
  await expect(dialog).toContainText('adapter: CPU');
  await expect(page.getByTestId('confirm-cancel')).toBeFocused();
  const estimateMs = Number(await dialog.getAttribute('data-estimate-ms'));
  const { calibration } = await state(page);
  console.log(
    `calibration: ${((calibration?.rate ?? 0) / 1e9).toFixed(2)}·10⁹ multiply-adds/s + ` +
      `${calibration?.overheadMs.toFixed(1)} ms, measured in ${calibration?.ms.toFixed(0)} ms; ` +
      `deep blocks estimated ${estimateMs} ms; points ${JSON.stringify(calibration?.points)}`,
  );
  expect(calibration?.rate).toBeGreaterThan(1e8);
  expect(estimateMs).toBeGreaterThan(500);
  // Nothing runs while the reader is asked.
  await page.waitForTimeout(400);
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(page.getByTestId('timing')).toHaveText('waiting for an answer: run this figure?');
  await page.screenshot({ path: testInfo.outputPath('ask-first-1280.png') });

  // At 390 px the dialog fits (no horizontal scroll, buttons inside the screen).
  await page.setViewportSize({ width: 390, height: 844 });
  await noHorizontalScroll(page);
  await dialog.screenshot({ path: testInfo.outputPath('ask-first-390.png') });
  await page.setViewportSize({ width: 1280, height: 720 });
  await noHorizontalScroll(page);

  // Don't run: the last figure stays (ready), the new settings stay to be changed.
  await page.getByTestId('confirm-cancel').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('html')).toHaveAttribute('data-state', 'ready');
  expect(await drawnCurves(page)).toEqual(before);
  const after = await state(page);
  expect(after.widths).toEqual([4096, 4096]);
  expect(after.resultWidths).toEqual([10_000, 10_000]);
  await expect(page.getByTestId('not-run')).toContainText(/would take about/);
  await expect(page.getByTestId('timing')).toContainText('last figure');

  // Esc is Don't run too.
  await page.evaluate(() =>
    (window as unknown as StoreWindow).__store.getState().update({ directionSeed: 8 }),
  );
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('html')).toHaveAttribute('data-state', 'ready');
  expect(await drawnCurves(page)).toEqual(before);

  // Run anyway: the job runs, with its progress bar, and replaces the figure.
  await page.evaluate(() =>
    (window as unknown as StoreWindow).__store.getState().update({ directionSeed: 9 }),
  );
  await expect(dialog).toBeVisible();
  const asked = Number(await dialog.getAttribute('data-estimate-ms'));
  await page.getByTestId('confirm-run').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('progress')).toBeVisible({ timeout: 10_000 });
  await waitForFigure(page, 3);
  expect(await drawnCurves(page)).not.toEqual(before);
  const done = await state(page);
  expect(done.resultWidths).toEqual([4096, 4096]);
  console.log(`deep blocks: estimated ${asked} ms, took ${done.lastMs?.toFixed(0)} ms`);
  await expect(page.getByTestId('not-run')).toHaveCount(0);
});

test('WebGPU (SwiftShader), the real 10 s threshold: a heavy shared link asks before computing', async ({
  page,
}) => {
  // Deep blocks at m = 4096: 1.2·10¹⁰ multiply-adds, minutes on SwiftShader's software WebGPU.
  await page.goto('/?L=4,4&m=4096&contrast=none');
  const dialog = page.getByTestId('ask-first');
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('ask-first-estimate')).toHaveText(
    /^This figure would take about (\d+ s|\d+ min \d\d s) on SwiftShader \(float32\)\.$/,
  );
  expect(Number(await dialog.getAttribute('data-estimate-ms'))).toBeGreaterThan(10_000);
  await expect(dialog).toContainText('nothing is computed');
  const { calibration } = await state(page);
  console.log(
    `SwiftShader calibration: ${((calibration?.rate ?? 0) / 1e9).toFixed(3)}·10⁹ multiply-adds/s + ` +
      `${calibration?.overheadMs.toFixed(0)} ms a request, measured in ${calibration?.ms.toFixed(0)} ms; ` +
      `asked: ${await page.getByTestId('ask-first-estimate').innerText()}`,
  );
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await page.getByTestId('confirm-cancel').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('not-run')).toContainText('would take about');
  await expect(page.getByTestId('panel').and(page.locator('[data-ready="true"]'))).toHaveCount(0);
  expect((await state(page)).widths).toEqual([4096, 4096]);
});
