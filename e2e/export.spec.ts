import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { dontAskFirst, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

test('SVG export: Figure 1 parses and holds 4 panels × 5 curve paths, text as text', async ({
  page,
}) => {
  await page.goto('/');
  await waitForFigure(page, 4);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-svg').click(),
  ]);
  expect(download.suggestedFilename()).toBe('bottleneck-figure.svg');
  const svg = await readFile((await download.path()) as string, 'utf8');
  expect(svg.startsWith('<?xml')).toBe(true);

  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const groups = Array.from(doc.querySelectorAll('g[data-panel-id]'));
    return {
      errors: doc.getElementsByTagName('parsererror').length,
      root: doc.documentElement.tagName,
      panels: groups.map((g) => ({
        id: g.getAttribute('data-panel-id'),
        curves: Array.from(g.querySelectorAll('path[data-curve]'), (p) => ({
          direction: p.getAttribute('data-curve'),
          moves: (p.getAttribute('d')?.match(/M/g) ?? []).length,
          lines: (p.getAttribute('d')?.match(/L/g) ?? []).length,
        })),
        models: g.querySelectorAll('path[data-role="model"]').length,
        texts: Array.from(g.querySelectorAll('text'), (t) => t.textContent),
      })),
      caption: doc.querySelector('text[data-role="caption"]')?.textContent ?? '',
    };
  }, svg);
  expect(parsed.errors).toBe(0);
  expect(parsed.root).toBe('svg');
  expect(parsed.panels.map((p) => p.id)).toEqual(['contrast', 'all', 'block-1', 'block-2']);
  const titles = await page
    .locator('canvas.panel-canvas')
    .evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label')));
  parsed.panels.forEach((panel, i) => {
    expect(panel.curves.map((c) => c.direction)).toEqual(['0', '1', '2', '3', '4']);
    for (const c of panel.curves) {
      expect(c.moves).toBe(1);
      expect(c.lines).toBeGreaterThan(100);
    }
    expect(panel.texts).toContain(titles[i]);
  });
  // The dashed model on the all-weights panels (q, and the fit on the tanh panel).
  expect(parsed.panels.map((p) => p.models)).toEqual([5, 5, 0, 0]);
  // Drawn by the GPU engine, which the caption names, with the page's settings query.
  expect(parsed.caption).toContain('webgpu (float32)');
  expect(parsed.caption).toMatch(/^\?B=2&.*m=10000,10000.*contrast=tanh/);

  // A browser draws it as an image.
  const size = await page.evaluate(async (text) => {
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  }, svg);
  expect(size[0]).toBe(960);
  expect(size[1]).toBeGreaterThan(640);
});
