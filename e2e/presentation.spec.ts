import { expect, type Page, test } from '@playwright/test';
import { PRESETS } from '../src/experiments/settings';
import { dontAskFirst, query } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

/** A claim as the headline reads: subscripts are set as <sub>, "W_1" reads "W1". */
const claims = PRESETS.map((p) => p.claim.replace(/_([A-Za-z0-9])/g, '$1'));

// Projector size. The CPU engine (gpu=0): the slides need no WebGPU, and it is quick at m = 10⁴.
test.use({ viewport: { width: 1280, height: 720 } });

/** Waits until the slide's panels all have results and nothing is being computed. */
async function waitForSlide(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const state = (
        window as unknown as { __store: { getState(): { computing: boolean } } }
      ).__store.getState();
      const all = document.querySelectorAll('[data-testid="panel"]');
      const ready = document.querySelectorAll('[data-testid="panel"][data-ready="true"]');
      return !state.computing && all.length > 0 && ready.length === all.length;
    },
    undefined,
    { timeout: 200_000 },
  );
}

test('presentation mode: slides of the presets, arrows change slide and URL, Esc leaves, ? lists the keys', async ({
  page,
}) => {
  await page.goto('/?present=1&gpu=0');
  const slides = page.getByTestId('presentation');
  const claim = page.getByTestId('slide-claim');
  await expect(slides).toBeVisible();
  await expect(page.locator('aside.controls')).toHaveCount(0);
  await expect(claim).toHaveText(claims[0]);
  await expect(page.getByTestId('slide-number')).toHaveText(`1 / ${PRESETS.length}`);
  await waitForSlide(page);
  expect(query(page).get('present')).toBe('1');
  // Everything on one screen: no scrolling.
  expect(
    await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight),
  ).toBe(true);

  // → : the next preset, its settings in the URL.
  const first = page.url();
  await page.keyboard.press('ArrowRight');
  await expect(claim).toHaveText(claims[1]);
  await expect(page.getByTestId('slide-number')).toHaveText(`2 / ${PRESETS.length}`);
  await expect(page).not.toHaveURL(first);
  expect(query(page).get('family')).toBe(PRESETS[1].settings.family);
  expect(query(page).get('present')).toBe('1');
  await waitForSlide(page);

  // PageDown (a clicker) goes on, PageUp and ← come back.
  await page.keyboard.press('PageDown');
  await expect(claim).toHaveText(claims[2]);
  await page.keyboard.press('PageUp');
  await expect(claim).toHaveText(claims[1]);
  await page.keyboard.press('ArrowLeft');
  await expect(claim).toHaveText(claims[0]);
  await expect(page).toHaveURL(first);
  // ← on the first slide stays there.
  await page.keyboard.press('ArrowLeft');
  await expect(claim).toHaveText(claims[0]);
  await waitForSlide(page);

  // Esc leaves: the page with its settings, present=1 gone from the URL.
  await page.keyboard.press('Escape');
  await expect(slides).toHaveCount(0);
  await expect(page.locator('aside.controls')).toBeVisible();
  expect(query(page).get('present')).toBeNull();
  // ← → do nothing outside presentation mode.
  const url = page.url();
  await page.keyboard.press('ArrowRight');
  expect(page.url()).toBe(url);

  // P enters again (and a key typed into a field is not a shortcut).
  await page.getByTestId('blocks').press('p');
  await expect(slides).toHaveCount(0);
  await page.getByTestId('blocks').blur();
  await page.keyboard.press('p');
  await expect(slides).toBeVisible();
  await expect(page.locator('aside.controls')).toHaveCount(0);
  expect(query(page).get('present')).toBe('1');

  // ? lists every shortcut; Esc closes the list, not the presentation.
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcut-help');
  await expect(help).toBeVisible();
  await expect(help).toHaveAttribute('aria-modal', 'true');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  for (const keys of ['p', 'ArrowRight PageDown', 'ArrowLeft PageUp', 'Escape', '?', 'd', 'y']) {
    await expect(help.locator(`[data-testid="shortcut"][data-keys="${keys}"]`)).toBeVisible();
  }
  await expect(help).toContainText('P');
  await expect(help).toContainText('→');
  await expect(help).toContainText('←');
  await expect(help).toContainText('Esc');
  await expect(help.getByTestId('shortcut-help-close')).toBeFocused();
  // Other shortcuts wait while the list is open.
  await page.keyboard.press('ArrowRight');
  await expect(claim).toHaveText(claims[0]);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await expect(slides).toBeVisible();
  // ? toggles it; the Close button closes it.
  await page.keyboard.press('?');
  await expect(help).toBeVisible();
  await page.keyboard.press('?');
  await expect(help).toHaveCount(0);
  await page.keyboard.press('?');
  await help.getByTestId('shortcut-help-close').click();
  await expect(help).toHaveCount(0);

  // D and Y: view settings, in the URL.
  // The URL follows the store after the key's handler: poll it rather than read it once.
  await page.keyboard.press('d');
  await expect.poll(() => query(page).get('dev')).toBe('1');
  await page.keyboard.press('y');
  await expect.poll(() => query(page).get('y')).toBe('shared');
  await page.keyboard.press('d');
  await expect.poll(() => query(page).get('dev')).toBeNull();

  // Browser back returns to the previous slide's URL, and the slide follows.
  await page.keyboard.press('ArrowRight');
  await expect(claim).toHaveText(claims[1]);
  await page.goBack();
  await expect(claim).toHaveText(claims[0]);
});

test('presentation mode: settings that are no preset are a "Custom settings" slide; → goes to the first preset', async ({
  page,
}) => {
  await page.goto('/?present=1&gpu=0&m=1000&contrast=none');
  await expect(page.getByTestId('slide-claim')).toHaveText('Custom settings');
  await waitForSlide(page);
  await expect(page.getByTestId('panel')).toHaveCount(3);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('slide-claim')).toHaveText(claims[0]);
  expect(query(page).get('m')).toBe('10000,10000');
  // The sidebar's button enters presentation mode too. (Esc first cancels a running computation.)
  await waitForSlide(page);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('presentation')).toHaveCount(0);
  await page.getByTestId('enter-presentation').click();
  await expect(page.getByTestId('presentation')).toBeVisible();
  await expect(page.getByTestId('slide-claim')).toHaveText(claims[0]);
});

test('every preset slide fits in 1280×720 without scrolling, headline ≥ 32px', async ({ page }) => {
  await page.goto('/?present=1&gpu=0');
  for (let i = 0; i < PRESETS.length; i++) {
    await expect(page.getByTestId('slide-claim')).toHaveText(claims[i]);
    await waitForSlide(page);
    const layout = await page.evaluate(() => {
      const panels = [...document.querySelectorAll('[data-testid="panel"]')].map((p) =>
        p.getBoundingClientRect(),
      );
      const canvases = [...document.querySelectorAll('canvas.panel-canvas')].map((c) =>
        c.getBoundingClientRect(),
      );
      const claim = document.querySelector('[data-testid="slide-claim"]') as HTMLElement;
      return {
        fits:
          document.documentElement.scrollHeight <= window.innerHeight &&
          panels.every((r) => r.bottom <= window.innerHeight && r.right <= window.innerWidth),
        smallestCanvas: Math.min(...canvases.map((r) => r.height)),
        headline: Number.parseFloat(getComputedStyle(claim).fontSize),
      };
    });
    expect(layout.fits, PRESETS[i].id).toBe(true);
    expect(layout.smallestCanvas, PRESETS[i].id).toBeGreaterThanOrEqual(150);
    expect(layout.headline).toBeGreaterThanOrEqual(32);
    if (i < PRESETS.length - 1) await page.keyboard.press('ArrowRight');
  }
});

test("Figure 1's slide looks as it did (1280×720, fixed seeds)", async ({ page }) => {
  await page.goto('/?present=1&gpu=0');
  await expect(page.getByTestId('slide-claim')).toHaveText(claims[0]);
  await waitForSlide(page);
  // Run times are hidden on slides; masked too, in case a readout shows one.
  await expect(page).toHaveScreenshot('presentation-figure1.png', {
    mask: [page.getByTestId('panel-ms')],
  });
});
