import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

/** The panels' canvases, as viewport boxes. */
async function canvasBoxes(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[data-testid="panel"] canvas'), (c) => {
      const r = c.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    }),
  );
}

async function horizontalScroll(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
  }));
}

for (const gpu of [true, false]) {
  test(`1280×720${gpu ? '' : ', CPU fallback'}: every panel of Figure 1 is whole in the first screen`, async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(gpu ? '/' : '/?gpu=0');
    await waitForFigure(page, 4);
    if (!gpu) await expect(page.getByTestId('cpu-fallback-banner')).toBeVisible();
    const boxes = await canvasBoxes(page);
    console.log(`1280×720 ${gpu ? 'webgpu' : 'gpu=0'} canvases:`, JSON.stringify(boxes));
    expect(boxes).toHaveLength(4);
    for (const b of boxes) {
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.right).toBeLessThanOrEqual(1280);
      expect(b.bottom).toBeLessThanOrEqual(720);
      expect(b.bottom - b.top).toBeGreaterThanOrEqual(150);
    }
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
  });
}

test('390×844: the figure comes first, one panel a row; the settings open in a drawer', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const boxes = await canvasBoxes(page);
  console.log('390×844 first panel canvas:', JSON.stringify(boxes[0]));
  const first = await page.getByTestId('panel').first().boundingBox();
  console.log('390×844 first panel box:', JSON.stringify(first));
  expect(first?.y ?? 1e9).toBeLessThan(844);
  // One a row, at the figure's full width.
  for (let i = 1; i < boxes.length; i++) expect(boxes[i].top).toBeGreaterThan(boxes[i - 1].bottom);
  for (const b of boxes) expect(b.right - b.left).toBeGreaterThan(300);
  // The settings are a drawer, closed at first.
  const toggle = page.getByTestId('settings-toggle');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('aside.controls')).toBeHidden();
  await toggle.click();
  await expect(page.locator('aside.controls')).toBeVisible();
  await expect(page.getByTestId('blocks')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.locator('aside.controls')).toBeHidden();
  // The header does not overflow.
  const header = await page.evaluate(() => {
    const h = document.querySelector('.topbar') as HTMLElement;
    return { scrollWidth: h.scrollWidth, clientWidth: h.clientWidth };
  });
  expect(header.scrollWidth).toBeLessThanOrEqual(header.clientWidth);
});

const LONG = `/?gpu=0&family=${'x'.repeat(5000)}`;
for (const width of [390, 768, 1280, 1920]) {
  test(`no sideways scroll at ${width} px, also with a 5,000-character bad value in the URL`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: width < 700 ? 844 : width < 1000 ? 1024 : 1080 });
    for (const url of ['/?gpu=0', LONG]) {
      await page.goto(url);
      await waitForFigure(page, 4);
      if (url === LONG) await expect(page.getByTestId('url-problems')).toBeVisible();
      const s = await horizontalScroll(page);
      console.log(`${width} px ${url === LONG ? 'long URL' : 'plain'}:`, JSON.stringify(s));
      expect(s.scrollWidth).toBeLessThanOrEqual(s.innerWidth);
    }
  });
}

test('short links: ?preset=tanh-inside loads it with no message; ?preset=nope names the problem', async ({
  page,
}) => {
  await page.goto('/?gpu=0&preset=tanh-inside');
  await waitForFigure(page);
  await expect(page.getByTestId('preset')).toHaveValue('tanh-inside');
  await expect(page.getByTestId('url-problems')).toHaveCount(0);
  await page.goto('/?gpu=0&preset=nope');
  await waitForFigure(page);
  const problems = page.getByTestId('url-problems');
  await expect(problems).toContainText('preset=nope');
  await expect(problems).toContainText('tanh-inside');
  await problems.getByRole('button', { name: 'Dismiss' }).click();
  await expect(problems).toHaveCount(0);
});

test('Copy link copies the address; Reset returns to the preset, or to Figure 1', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?gpu=0&preset=tanh-inside');
  await waitForFigure(page);
  const copy = page.getByTestId('copy-link');
  await copy.click();
  await expect(copy).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  await expect(copy).toHaveText('Copy link');

  // A preset's own settings: Reset keeps them.
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('preset')).toHaveValue('tanh-inside');

  // Custom settings: Reset goes to Figure 1.
  await page.getByTestId('directions').fill('2');
  await page.getByTestId('directions').press('Enter');
  await expect(page.getByTestId('preset')).toHaveValue('');
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('preset')).toHaveValue('figure1');
  await waitForFigure(page, 4);
});

test('the settings sidebar collapses, and stays collapsed after a reload (not in the URL)', async ({
  page,
}) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const toggle = page.getByTestId('settings-toggle');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('aside.controls')).toBeVisible();
  const url = page.url();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('aside.controls')).toBeHidden();
  expect(page.url()).toBe(url);
  await page.reload();
  await waitForFigure(page, 4);
  await expect(page.getByTestId('settings-toggle')).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('aside.controls')).toBeHidden();
  await page.getByTestId('settings-toggle').click();
  await expect(page.locator('aside.controls')).toBeVisible();
});

test('the preset note folds to one line and opens on demand', async ({ page }) => {
  await page.goto('/?gpu=0');
  await waitForFigure(page, 4);
  const note = page.getByTestId('note');
  const closed = (await note.boundingBox())?.height ?? 0;
  expect(closed).toBeLessThan(40);
  await note.locator('summary').click();
  await expect(note).toHaveAttribute('open', '');
  expect((await note.boundingBox())?.height ?? 0).toBeGreaterThan(closed);
});
