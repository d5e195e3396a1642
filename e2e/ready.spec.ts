import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

// The page's ready signal, <html data-state="computing|ready|error"> (src/state/pageState.ts,
// docs/testing.md): every value it takes is recorded from before the app's script runs, with what
// the page showed at that moment, so the tests can say that `ready` never came early.

interface Snapshot {
  state: string | null;
  /** Panels on the page, those with a result (data-ready), those whose canvas is drawn. */
  panels: number;
  panelsReady: number;
  panelsDrawn: number;
  /** What the store said at that moment (null before the app's script ran). */
  computing: boolean | null;
  running: string[];
  /** Canvases of the analysis sections, and those drawn. */
  analysisCanvases: number;
  analysisDrawn: number;
}

/** Records every change of data-state (each with a snapshot of the page) into window.__states. */
async function recordStates(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const states: unknown[] = [];
    Object.assign(window, { __states: states });
    const snapshot = (state: string | null) => {
      const panels = [...document.querySelectorAll('[data-testid="panel"]')];
      const canvases = [
        ...document.querySelectorAll<HTMLCanvasElement>(
          '[data-testid="analysis-sweep"] canvas, [data-testid="analysis-blocks"] canvas',
        ),
      ];
      const store = (
        window as unknown as {
          __store?: {
            getState(): {
              computing: boolean;
              analyses: Record<string, { running: boolean } | undefined>;
            };
          };
        }
      ).__store?.getState();
      return {
        state,
        panels: panels.length,
        panelsReady: panels.filter((p) => p.getAttribute('data-ready') === 'true').length,
        panelsDrawn: panels.filter(
          (p) => p.querySelector('canvas')?.getAttribute('data-drawn') === 'true',
        ).length,
        computing: store ? store.computing : null,
        running: store
          ? Object.entries(store.analyses)
              .filter(([, a]) => a?.running)
              .map(([kind]) => kind)
          : [],
        analysisCanvases: canvases.length,
        analysisDrawn: canvases.filter((c) => c.dataset.drawn === 'true').length,
      };
    };
    // Observed synchronously enough: a record's new value is the next record's old value (or the
    // value now); the snapshot is taken when the records are delivered, within the same task.
    new MutationObserver((records) => {
      const changes = records.filter((r) => r.attributeName === 'data-state');
      for (let i = 0; i < changes.length; i++) {
        const value =
          i + 1 < changes.length
            ? changes[i + 1].oldValue
            : document.documentElement.getAttribute('data-state');
        states.push(snapshot(value));
      }
    }).observe(document, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-state'],
      attributeOldValue: true,
    });
  });
}

const states = (page: Page) =>
  page.evaluate(() => (window as unknown as { __states: Snapshot[] }).__states.slice());
const clearStates = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { __states: Snapshot[] }).__states.length = 0;
  });
const html = (page: Page) => page.locator('html');

/** Every `ready` came with everything drawn and nothing in flight. */
function expectReadyOnlyWhenDrawn(log: Snapshot[], panels: number): void {
  for (const s of log.filter((s) => s.state === 'ready')) {
    expect(s).toMatchObject({
      panels,
      panelsReady: panels,
      panelsDrawn: panels,
      computing: false,
      running: [],
      analysisDrawn: s.analysisCanvases,
    });
  }
}

test('data-state turns ready only once every panel is drawn, in the bundled font', async ({
  page,
}) => {
  await recordStates(page);
  await page.goto('/');
  // Before the app's script: the page says computing (index.html).
  await expect(html(page)).toHaveAttribute('data-state', /computing|ready/);
  await expect(html(page)).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
  const log = await states(page);
  expect(log.map((s) => s.state)).not.toContain('error');
  expect(log[log.length - 1].state).toBe('ready');
  expectReadyOnlyWhenDrawn(log, 4);
  // Figure 1's (t₁, t₂) surface is part of the figure: drawn too.
  await expect(page.getByTestId('surface-canvas')).toHaveAttribute('data-drawn', 'true');
  // The first ready came after the last panel result: never between the plan and the results.
  const firstReady = log.findIndex((s) => s.state === 'ready');
  expect(log.slice(0, firstReady).every((s) => s.state === 'computing')).toBe(true);

  // The bundled Inter is loaded and is what the page's text and the canvases use.
  const fonts = await page.evaluate(() => ({
    loaded: [...document.fonts]
      .filter((f) => f.status === 'loaded')
      .map((f) => f.family.replace(/"/g, '')),
    body: getComputedStyle(document.body).fontFamily,
    check: document.fonts.check('600 14px InterVariable'),
  }));
  expect(fonts.loaded).toContain('InterVariable');
  expect(fonts.body.startsWith('InterVariable')).toBe(true);
  expect(fonts.check).toBe(true);
  await expect(html(page)).toHaveAttribute('data-motion', 'on');

  // A view-only change (the y axes) recomputes nothing but redraws: computing at once (in the
  // same task as the change), then ready again once the panels are redrawn.
  await clearStates(page);
  const during = await page.evaluate(() => {
    const store = (
      window as unknown as {
        __store: { getState(): { requestId: number; update(p: object): void } };
      }
    ).__store;
    const before = store.getState().requestId;
    store.getState().update({ yAxis: 'shared' });
    return {
      state: document.documentElement.dataset.state,
      recomputed: store.getState().requestId !== before,
    };
  });
  expect(during).toEqual({ state: 'computing', recomputed: false });
  await expect(html(page)).toHaveAttribute('data-state', 'ready');
  const redraw = await states(page);
  expect(redraw.map((s) => s.state)).toEqual(['computing', 'ready']);
  expectReadyOnlyWhenDrawn(redraw, 4);

  // A new request (new directions) goes back to computing at once.
  await clearStates(page);
  await page.getByTestId('new-directions').click();
  await expect(html(page)).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
  const again = await states(page);
  expect(again[0].state).toBe('computing');
  expect(again[again.length - 1].state).toBe('ready');
  expectReadyOnlyWhenDrawn(again, 4);
});

test('running the width sweep sets computing, then ready once its plots are drawn', async ({
  page,
}) => {
  await recordStates(page);
  // The CPU engine: the sweep takes seconds there (minutes on SwiftShader's WebGPU).
  await page.goto('/?contrast=none&gpu=0');
  await expect(html(page)).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
  for (let run = 0; run < 2; run++) {
    await clearStates(page);
    await page.getByTestId('run-sweep').click();
    await expect(html(page)).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
    await expect(page.getByTestId('sweep-status')).toContainText('slopes of size');
    const log = await states(page);
    expect(log[0]).toMatchObject({ state: 'computing', running: ['sweep'] });
    expect(log[log.length - 1].state).toBe('ready');
    expectReadyOnlyWhenDrawn(log, 3);
    // Ready came after the sweep's two plots were drawn with its result (the second run reuses
    // the canvases of the first: a stale drawing must not count).
    const ready = log[log.length - 1];
    expect(ready.analysisCanvases).toBe(2);
    expect(ready.analysisDrawn).toBe(2);
    expect(log.filter((s) => s.state === 'ready')).toHaveLength(1);
  }
});

test('a computation that fails sets error', async ({ page }) => {
  await recordStates(page);
  // Over the CPU engine's cap: blocks of 4 layers at m = 65536.
  await page.goto('/?gpu=0&m=65536&L=4,4');
  await expect(page.getByTestId('compute-error')).toBeVisible({ timeout: 60_000 });
  await expect(html(page)).toHaveAttribute('data-state', 'error');
  const log = await states(page);
  expect(log.map((s) => s.state)).not.toContain('ready');
  // A new request leaves the error at once: computing, then ready.
  await clearStates(page);
  const during = await page.evaluate(() => {
    (window as unknown as { __store: { getState(): { update(p: object): void } } }).__store
      .getState()
      .update({ widths: [1000, 1000] });
    return document.documentElement.dataset.state;
  });
  expect(during).toBe('computing');
  await expect(html(page)).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
  expectReadyOnlyWhenDrawn(await states(page), 4);
});

test('?motion=0 turns animations off', async ({ page }) => {
  await page.goto('/?motion=0&gpu=0&contrast=none&m=100');
  await expect(html(page)).toHaveAttribute('data-motion', 'off');
  await expect(html(page)).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
  const style = await page.evaluate(() => {
    const probe = document.createElement('div');
    probe.style.transition = 'opacity 1s';
    probe.style.animation = 'x 1s infinite';
    document.body.append(probe);
    const s = getComputedStyle(probe);
    const out = { transition: s.transitionDuration, animation: s.animationName };
    probe.remove();
    return out;
  });
  expect(style).toEqual({ transition: '0s', animation: 'none' });
});

test('prefers-reduced-motion turns animations off', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/?gpu=0&contrast=none&m=100');
  await expect(html(page)).toHaveAttribute('data-motion', 'off');
});

// The example of docs/testing.md, as it is there.
test('a screenshot of Figure 1, once it is drawn', async ({ page }, testInfo) => {
  await page.goto('/?gpu=0&motion=0&seed=2024&dseed=7');
  await expect(page.locator('html')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('panel')).toHaveCount(4);
  await page.getByTestId('figure').screenshot({ path: testInfo.outputPath('figure1.png') });
});
