// Exported data: the curves, the exact coefficients, and the settings that made them.
import type { PanelResult } from './figure';
import { type FigureSettings, settingsToQuery } from './settings';

export const PAPER = 'A note on Linear Bottleneck networks and their Transition to Multilinearity';

export function figureJson(settings: FigureSettings, results: (PanelResult | null)[]): string {
  const panels = results.filter((r): r is PanelResult => r !== null);
  return JSON.stringify(
    {
      paper: PAPER,
      query: settingsToQuery(settings),
      settings,
      panels: panels.map((r) => ({
        id: r.panel.id,
        title: r.panel.title,
        blockMask: r.panel.blockMask,
        exact: r.panel.exact,
        engine: r.engine,
        precision: r.engine.precision,
        noiseFloor: r.noiseFloor,
        /** c_0 … c_L of t ↦ g(W + tΔ; x) per direction (exact panels). */
        coefficients: r.coefficients,
        nonMultilinear: r.nonMultilinear,
        curves: r.curves.map((c) => ({
          direction: c.direction,
          t: Array.from(c.ts),
          g: Array.from(c.values),
        })),
      })),
    },
    null,
    1,
  );
}

export function figureCsv(settings: FigureSettings, results: (PanelResult | null)[]): string {
  const lines = [
    `# ${PAPER}`,
    `# settings: ?${settingsToQuery(settings)}`,
    '# kind=curve: x is t, value is g(W + tΔ; x); kind=coefficient: x is the power j, value is c_j',
    'panel,title,direction,kind,x,value,precision',
  ];
  for (const r of results) {
    if (!r) continue;
    const title = `"${r.panel.title.replace(/"/g, '""')}"`;
    r.curves.forEach((c) => {
      c.ts.forEach((t, i) => {
        lines.push(
          `${r.panel.id},${title},${c.direction + 1},curve,${t},${c.values[i]},${r.engine.precision}`,
        );
      });
    });
    r.coefficients?.forEach((cs, d) => {
      cs.forEach((v, j) => {
        lines.push(`${r.panel.id},${title},${d + 1},coefficient,${j},${v},${r.engine.precision}`);
      });
    });
  }
  return `${lines.join('\n')}\n`;
}
