import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { dontAskFirst, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

const VIEWS = [
  { name: 'default view', url: '/' },
  { name: 'CPU fallback', url: '/?gpu=0' },
  { name: 'presentation mode', url: '/?present=1' },
];

for (const view of VIEWS) {
  test(`axe: no serious or critical violation on the ${view.name}`, async ({ page }) => {
    await page.goto(view.url);
    if (view.url.includes('present')) {
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="panel"][data-ready="true"]').length > 0,
        null,
        { timeout: 200_000 },
      );
    } else {
      await waitForFigure(page);
      // The sections below the figure are rendered in stages.
      await page.waitForTimeout(500);
    }
    const results = await new AxeBuilder({ page }).analyze();
    const summary = (impact: string) =>
      results.violations
        .filter((v) => v.impact === impact)
        .map((v) => `${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes[0]?.target.join(' ')}`);
    for (const line of summary('moderate')) console.log(`${view.name}, moderate: ${line}`);
    for (const line of summary('minor')) console.log(`${view.name}, minor: ${line}`);
    const bad = [...summary('serious'), ...summary('critical')];
    console.log(
      `${view.name}: ${results.violations.length} violations, ${bad.length} serious/critical`,
    );
    expect(bad).toEqual([]);
  });
}
