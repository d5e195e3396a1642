import { execFileSync } from 'node:child_process';
import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst, query } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

// Small settings: the CPU trainer (float64) finishes in about a second.
const SMALL = '/?view=train&gpu=0&B=2&L=2&m=64&d=8&k=4&r=1&n=6&steps=300&lr=0.2&seed=1';

async function waitForTraining(page: Page, state = 'done'): Promise<void> {
  await expect(page.getByTestId('training-view')).toHaveAttribute('data-state', state, {
    timeout: 15_000,
  });
}

/** The values of the settings fields, by URL key. */
async function fieldValues(page: Page): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const key of ['B', 'L', 'm', 'bw', 'd', 'k', 'r', 'n', 'steps', 'lr', 'seed']) {
    values[key] = await page.getByTestId(`training-field-${key}`).inputValue();
  }
  return values;
}

test('a small run trains the network and both models to the end on the CPU engine', async ({
  page,
}) => {
  await page.goto(SMALL);
  await waitForTraining(page);
  const view = page.getByTestId('training-view');
  await expect(view).toHaveAttribute('data-models', 'network,ntk,block');
  // One legend row per model, named, each with a final loss.
  const rows = page.getByTestId('training-model');
  await expect(rows).toHaveCount(3);
  for (const [model, name] of [
    ['network', 'network'],
    ['ntk', 'NTK model'],
    ['block', 'block model'],
  ]) {
    await expect(rows.and(page.locator(`[data-model="${model}"]`))).toContainText(name);
    const loss = Number(await view.getAttribute(`data-final-loss-${model}`));
    expect(Number.isFinite(loss)).toBe(true);
  }
  // The network and the block model fit the data; the plots are drawn.
  expect(Number(await view.getAttribute('data-final-loss-network'))).toBeLessThan(1e-3);
  for (const id of [
    'training-loss',
    'training-kernel',
    'training-distances',
    'training-predictions',
  ])
    await expect(page.getByTestId(id)).toHaveAttribute('data-drawn', 'true');
  await expect(page.getByTestId('training-engine')).toContainText('float64');
  await expect(page.getByTestId('training-progress')).toHaveCount(0);
  await expect(page.getByTestId('nav-training')).toHaveAttribute('aria-current', 'page');
});

test('Pause holds a run, Resume continues it, Cancel stops it', async ({ page }) => {
  // Long enough to catch it running.
  await page.goto('/?view=train&gpu=0&m=256&steps=20000&seed=1');
  const view = page.getByTestId('training-view');
  await expect(page.getByTestId('training-progress')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('training-pause').click();
  await waitForTraining(page, 'paused');
  await page.getByTestId('training-resume').click();
  await waitForTraining(page, 'running');
  await page.getByTestId('training-cancel').click();
  await waitForTraining(page, 'cancelled');
  await expect(page.getByTestId('training-progress')).toHaveCount(0);
  await expect(page.getByTestId('status')).toContainText('cancelled');
  // Nothing late turns it back on.
  await page.waitForTimeout(500);
  await expect(view).toHaveAttribute('data-state', 'cancelled');
});

test('the page-wide ready signal follows the training job; Esc cancels it', async ({ page }) => {
  await page.goto(SMALL);
  await waitForTraining(page);
  await expect(page.locator('html')).toHaveAttribute('data-state', 'ready');
  await page.goto('/?view=train&gpu=0&m=256&steps=20000&seed=2');
  await expect(page.getByTestId('training-progress')).toBeVisible({ timeout: 10_000 });
  await expect(page.locator('html')).toHaveAttribute('data-state', 'computing');
  await page.keyboard.press('Escape');
  await waitForTraining(page, 'cancelled');
  await expect(page.getByTestId('training-progress')).toHaveCount(0);
  await expect(page.locator('html')).toHaveAttribute('data-state', 'ready');
});

test('a reload of the URL restores the settings and runs again to the end', async ({ page }) => {
  await page.goto(SMALL);
  await waitForTraining(page);
  // Change a setting through the panel: the URL follows and it runs again.
  await page.getByTestId('training-field-steps').fill('200');
  await page.getByTestId('training-field-steps').press('Enter');
  await waitForTraining(page);
  expect(query(page).get('steps')).toBe('200');
  expect(query(page).get('view')).toBe('train');
  const before = await fieldValues(page);
  const loss = await page.getByTestId('training-view').getAttribute('data-final-loss-network');
  await page.reload();
  await waitForTraining(page);
  expect(await fieldValues(page)).toEqual(before);
  // Deterministic: the same seed gives the same numbers.
  await expect(page.getByTestId('training-view')).toHaveAttribute(
    'data-final-loss-network',
    loss ?? '',
  );
});

test('a bad value in the URL names the problem and the defaults stand in', async ({ page }) => {
  await page.goto('/?view=train&gpu=0&m=0&steps=100&bogus=1');
  const problems = page.getByTestId('url-problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText('m=0');
  await expect(problems).toContainText('must be an integer from 1 to 8192');
  await expect(problems).toContainText('bogus=1');
  await waitForTraining(page);
  await expect(page.getByTestId('training-field-m')).toHaveValue('256');
});

test('the tabs switch between the figure and the training page', async ({ page }) => {
  await page.goto('/?view=train&gpu=0&m=64&steps=100');
  await waitForTraining(page);
  await page.getByTestId('nav-figure').click();
  await expect(page.getByTestId('figure')).toBeVisible();
  expect(query(page).get('view')).toBeNull();
  await page.getByTestId('nav-training').click();
  await expect(page.getByTestId('training-view')).toBeVisible();
  expect(query(page).get('view')).toBe('train');
  expect(query(page).get('m')).toBe('64');
});

for (const [width, height] of [
  [1280, 720],
  [390, 844],
] as const) {
  test(`${width}×${height}: no sideways scroll; the plots ${width > 700 ? 'in a 2 × 2 grid, whole in the first screen' : 'one a row'}`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height });
    await page.goto(SMALL);
    await waitForTraining(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      width,
    );
    const boxes = await Promise.all(
      ['training-loss', 'training-kernel', 'training-distances', 'training-predictions'].map(
        async (id) =>
          (await page.getByTestId(id).boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 },
      ),
    );
    const columns = new Set(boxes.map((b) => Math.round(b.x))).size;
    expect(columns).toBe(width > 700 ? 2 : 1);
    for (const b of boxes) {
      expect(b.x + b.width).toBeLessThanOrEqual(width);
      if (width > 700) expect(b.y + b.height).toBeLessThanOrEqual(height);
    }
  });
}

test('the width sweep leaves diverged runs out and names them per width, as the CLI does', async ({
  page,
}) => {
  // B = 3 with a step 0.5/λ_max fixed from K_0: some seeds diverge within a few steps.
  await page.goto('/?view=train&gpu=0&B=3&L=2&bw=1&d=8&k=4&r=1&n=6&steps=30&lr=0.5&seed=1');
  await waitForTraining(page);
  await page.getByTestId('training-sweep').click();
  const view = page.getByTestId('training-view');
  await expect(view).toHaveAttribute('data-job', 'sweep');
  await waitForTraining(page);
  // The same runs on the command line (the same code, float64 on the CPU): its per-(B, m) lines.
  const out = execFileSync(
    'node',
    [
      'scripts/cli.mjs',
      'train',
      ...['--blocks', '3', '--widths', '64,128,256,512,1024', '--seed', '1', '--seeds', '3'],
      ...['--steps', '30', '--lr', '0.5'],
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const cliNotes = [
    ...out.matchAll(/^B = 3, (m = \d+: .*runs? diverged.*?)(?: \(seeds? [\d, ]+\))$/gm),
  ].map((m) => m[1].replace(/ diverged$/, ' diverged, no point'));
  expect(cliNotes.length).toBeGreaterThan(0); // the settings do make runs diverge
  const text = await page.getByTestId('training-sweep-diverged').innerText();
  expect(text).toBe(
    `Diverged runs are left out of the medians and slopes: ${cliNotes.join('; ')}.`,
  );
  await expect(page.getByTestId('training-sweep-canvas')).toHaveAttribute('data-drawn', 'true');
});

test('axe: no serious or critical violation on the training page', async ({ page }) => {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  await page.goto(SMALL);
  await waitForTraining(page);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes[0]?.target.join(' ')}`);
  expect(bad).toEqual([]);
});
