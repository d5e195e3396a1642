// Control over long work: a progress bar with stage and time left, Cancel (button and Esc) that
// keeps the last finished figure; print-ready exports of the figure and the analyses.
import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst, drawnCurves, query, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

type StoreWindow = {
  __store: {
    getState(): {
      applyPreset(id: string): void;
      computing: boolean;
      settings: { radius: number; widths: number[] };
      resultSettings: { widths: number[] } | null;
    };
  };
};

/** Starts a CPU job of several seconds (the deep-blocks preset: m = 4096, four layers a block). */
async function startLongJob(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as unknown as StoreWindow).__store.getState().applyPreset('deep-blocks'),
  );
  const bar = page.getByTestId('progress');
  await expect(bar).toBeVisible({ timeout: 20_000 });
  // A stage and, once past 5 %, an estimate of the time left.
  await expect(page.getByTestId('progress-stage')).toContainText('%');
  await expect(page.getByTestId('progress-eta')).toHaveText(/estimating…|about .* left/);
}

/**
 * Milliseconds, measured in the page, from the reader's action (the click on Cancel or the Esc
 * key, as the page receives it) until the progress bar has left the document.
 */
async function timeUntilGone(page: Page, act: () => Promise<void>): Promise<number> {
  await page.evaluate(() => {
    const w = window as unknown as { __gone: Promise<number> };
    w.__gone = new Promise<number>((resolve) => {
      let t0 = 0;
      const start = (event: Event) => {
        const target = event.target as HTMLElement | null;
        if (event.type === 'keydown' || target?.closest('[data-testid="cancel"]'))
          t0 = performance.now();
      };
      window.addEventListener('pointerdown', start, { capture: true });
      window.addEventListener('keydown', start, { capture: true });
      const observer = new MutationObserver(() => {
        if (t0 && !document.querySelector('[data-testid="progress"]')) {
          observer.disconnect();
          resolve(performance.now() - t0);
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
  });
  await act();
  await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 5_000 });
  return page.evaluate(() => (window as unknown as { __gone: Promise<number> }).__gone);
}

test('a long CPU job shows progress; Cancel and Esc stop it and keep the last figure', async ({
  page,
}) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const before = await drawnCurves(page);
  const url = page.url();

  await startLongJob(page);
  const ms = await timeUntilGone(page, () => page.getByTestId('cancel').click());
  console.log(`Cancel → progress bar gone: ${ms.toFixed(0)} ms`);
  expect(ms).toBeLessThan(500);
  // The previous figure stays drawn, with its settings (and the URL says them again).
  await expect(page.getByTestId('timing')).toContainText('cancelled');
  await expect(page.locator('[data-testid="panel"][data-ready="true"]')).toHaveCount(4);
  expect(await drawnCurves(page)).toEqual(before);
  expect(query(page).toString()).toBe(new URL(url).searchParams.toString());

  // Esc cancels too.
  await startLongJob(page);
  const esc = await timeUntilGone(page, () => page.keyboard.press('Escape'));
  console.log(`Esc → progress bar gone: ${esc.toFixed(0)} ms`);
  expect(esc).toBeLessThan(500);
  expect(await drawnCurves(page)).toEqual(before);
  expect(
    await page.evaluate(() => (window as unknown as StoreWindow).__store.getState().computing),
  ).toBe(false);

  // The worker is free again: a new request computes.
  await page.evaluate(() =>
    (window as unknown as StoreWindow).__store.getState().applyPreset('figure1'),
  );
  await waitForFigure(page, 4);
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('PNG export of the figure is 2× its CSS size, with the complete caption', async ({ page }) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-png').click(),
  ]);
  expect(download.suggestedFilename()).toBe('bottleneck-figure.png');
  const bytes = await readFile((await download.path()) as string);
  const [w, h] = pngSize(bytes);
  const css = await page
    .locator('canvas.panel-canvas')
    .first()
    .evaluate((c) => [c.clientWidth, c.clientHeight]);
  // Two columns of panels at twice their CSS size; two rows and a caption strip below.
  expect(w).toBe(2 * 2 * css[0]);
  expect(h).toBeGreaterThan(2 * 2 * css[1]);
  // The caption's lines (drawn into the bottom strip): not blank, and nothing past the right edge.
  const strip = await page.evaluate(
    async ({ data, rows }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${data}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d') as CanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      const top = rows;
      const pixels = ctx.getImageData(0, top, c.width, c.height - top).data;
      let ink = 0;
      let rightmost = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] < 200) {
          ink++;
          rightmost = Math.max(rightmost, (i / 4) % c.width);
        }
      }
      return { ink, rightmost, width: c.width };
    },
    { data: bytes.toString('base64'), rows: 2 * 2 * css[1] },
  );
  expect(strip.ink).toBeGreaterThan(500);
  expect(strip.rightmost).toBeLessThan(strip.width - 4);
});

test('width sweep and block structure export CSV and JSON that parse, and a 2× PNG', async ({
  page,
}) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  for (const kind of ['blocks', 'sweep'] as const) {
    await page.getByTestId(`run-${kind}`).click();
    await expect(page.getByTestId(`${kind}-export-json`)).toBeVisible({ timeout: 200_000 });
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`${kind}-export-json`).click(),
    ]);
    expect(json.suggestedFilename()).toBe(`bottleneck-${kind}.json`);
    const parsed = JSON.parse(await readFile((await json.path()) as string, 'utf8'));
    expect(typeof parsed.query).toBe('string');
    expect(parsed.settings.seed).toEqual(expect.any(Number));
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`${kind}-export-csv`).click(),
    ]);
    const rows = (await readFile((await csv.path()) as string, 'utf8'))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(rows.length).toBeGreaterThan(1);
    const columns = rows[0].split(',').length;
    for (const row of rows) expect(row.split(',').length).toBe(columns);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`${kind}-export-png`).click(),
    ]);
    const [w] = pngSize(await readFile((await png.path()) as string));
    const cssW = await page
      .getByTestId(`analysis-${kind}`)
      .locator('canvas')
      .evaluateAll((cs) => cs.reduce((a, c) => a + (c as HTMLCanvasElement).clientWidth, 0));
    expect(w).toBe(2 * cssW);
  }
});
