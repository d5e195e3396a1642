// Which weight path the figure's panels ran (stored or generated) and what the store holds, for
// the status line.

import type { StoreReport } from '../engine/types';
import type { PanelResult } from '../experiments/figure';

/** A panel result that may carry the engine's store report (read defensively: optional). */
type WithStore = PanelResult & { store?: StoreReport };

export interface WeightsSummary {
  path: StoreReport['path'];
  /** e.g. "weights stored · 96 MiB" or "weights generated (over the 512 MiB budget)". */
  text: string;
  /** One line per panel, for a tooltip. */
  detail: string;
}

export function formatBytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  if (mib >= 1024) return `${(mib / 1024).toFixed(mib >= 10 * 1024 ? 0 : 1)} GiB`;
  if (mib > 0 && mib < 10) return `${mib.toFixed(1)} MiB`;
  return `${Math.round(mib)} MiB`;
}

function describe(report: StoreReport): string {
  const over =
    report.budgetBytes > 0 ? ` (over the ${formatBytes(report.budgetBytes)} budget)` : '';
  switch (report.path) {
    case 'stored':
      return `weights stored · ${formatBytes(report.bytes)}`;
    case 'generated':
      return `weights generated${over}`;
    case 'mixed':
      return `weights partly stored · ${formatBytes(report.bytes)}, the rest generated${over}`;
  }
}

/**
 * The path over all panels drawn so far ('mixed' when panels differ or any panel mixed) and the
 * bytes the store holds after the last of them. Null when no result carries a store report.
 */
export function summariseWeights(results: readonly (PanelResult | null)[]): WeightsSummary | null {
  const reported = results.flatMap((r) => {
    const store = (r as WithStore | null)?.store;
    return r && store ? [{ title: r.panel.title, store }] : [];
  });
  if (reported.length === 0) return null;
  const paths = new Set(reported.map((r) => r.store.path));
  const path: StoreReport['path'] = paths.size === 1 ? reported[0].store.path : 'mixed';
  const last = reported[reported.length - 1].store;
  const budgetBytes = Math.max(...reported.map((r) => r.store.budgetBytes));
  return {
    path,
    text: describe({ ...last, path, budgetBytes }),
    detail: reported
      .map(
        ({ title, store }) =>
          `${title}: ${store.storedMatrices} matrices stored, ${store.generatedMatrices} generated; store ${formatBytes(store.bytes)} of ${formatBytes(store.budgetBytes)}`,
      )
      .join('\n'),
  };
}
