import { expect, test } from '@playwright/test';
import { dontAskFirst, drawnCurves, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

test('a lost GPU device shows a banner, recomputes on the CPU, and the GPU can be retried', async ({
  page,
}) => {
  await page.goto('/?m=1000&contrast=none');
  await waitForFigure(page, 3);
  await expect(page.getByTestId('engine')).toHaveAttribute('data-engine-kind', 'webgpu');
  const onGpu = await drawnCurves(page);

  await page.evaluate(() => (window as unknown as { __loseGpuDevice(): void }).__loseGpuDevice());
  const banner = page.getByTestId('device-lost-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('lost');
  await expect(page.getByTestId('engine')).toHaveAttribute('data-engine-kind', 'cpu');
  await waitForFigure(page, 3);
  // Same figure, now float64: equal to float32 rounding.
  const onCpu = await drawnCurves(page);
  onCpu.forEach((panel, p) => {
    panel.curves.forEach((curve, d) => {
      const scale = Math.max(...curve.map(Math.abs));
      curve.forEach((v, i) => {
        expect(Math.abs(v - onGpu[p].curves[d][i])).toBeLessThan(1e-4 * scale);
      });
    });
  });

  await banner.getByRole('button', { name: 'Retry the GPU' }).click();
  await expect(page.getByTestId('engine')).toHaveAttribute('data-engine-kind', 'webgpu');
  await expect(banner).toBeHidden();
  await waitForFigure(page, 3);
});
