import { expect, test } from '@playwright/test';
import { dontAskFirst, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

// Run by the 'no-webgpu' project: Chromium without the WebGPU flags, where requestAdapter()
// returns null, as on a browser or machine without a usable GPU.
test('without WebGPU the CPU fallback banner appears and the figure still draws', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('cpu-fallback-banner')).toBeVisible();
  await expect(page.getByTestId('cpu-fallback-banner')).toContainText('CPU');
  await waitForFigure(page, 4);
  await expect(page.getByTestId('engine')).toHaveAttribute('data-engine-kind', 'cpu');
  await expect(page.getByTestId('engine')).toContainText('float64');
  const panels = page.getByTestId('panel');
  for (let i = 0; i < 4; i++) await expect(panels.nth(i)).toHaveAttribute('data-curves', '5');
  await expect(panels.nth(1).getByTestId('readout')).toContainText('|c');
});
