import { expect, test } from '@playwright/test';
import { crashWorker, dontAskFirst, storeState, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

test('a crash of the compute worker shows a banner and stops everything saying "computing"', async ({
  page,
}) => {
  await page.goto('/?m=1000&contrast=none');
  await waitForFigure(page, 3);

  // Put work in flight: a new figure, then the block-structure analysis on its settings.
  await page.getByTestId('width').fill('2000');
  await page.getByTestId('width').press('Enter');
  await page.getByTestId('run-blocks').click();
  await expect(page.getByTestId('run-blocks')).toHaveText('Computing…');

  // The worker throws from a timer: an error nothing catches, as a real crash.
  await crashWorker(page);
  const banner = page.getByTestId('worker-error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('The compute worker stopped');
  await expect(banner).toContainText('Simulated crash of the compute worker');
  await expect(banner.getByRole('button', { name: 'Reload' })).toBeVisible();

  await expect(page.getByTestId('timing')).toHaveText('compute worker stopped');
  await expect(page.getByTestId('status')).not.toContainText(/computing/i);
  await expect(page.getByTestId('analysis-blocks')).not.toContainText(/computing/i);
  await expect(page.getByTestId('blocks-status')).toContainText('Failed');
  const state = await storeState(page);
  expect(state.computing).toBe(false);
  expect(state.running).toEqual([]);

  // A change of settings now promises nothing either.
  await page.getByTestId('width').fill('500');
  await page.getByTestId('width').press('Enter');
  await expect(page.getByTestId('timing')).toHaveText('compute worker stopped');
  expect((await storeState(page)).computing).toBe(false);

  // Reload starts a fresh worker with the settings of the address.
  await banner.getByRole('button', { name: 'Reload' }).click();
  await waitForFigure(page, 3);
  await expect(banner).toBeHidden();
  expect(new URL(page.url()).searchParams.get('m')).toBe('500,500');
});
