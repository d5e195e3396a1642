// Exported data: the curves, the exact coefficients, the per-block polynomial, the degree table
// (with its verdict) and the settings that made them: what the screen shows, checkable offline.
import { multiIndex } from '../model/polynomial';
import { VERDICT_CONSTANT } from './degrees';
import { figureDegreeTable, type PanelResult } from './figure';
import { type FigureSettings, settingsToQuery } from './settings';

export const PAPER = 'A note on Linear Bottleneck networks and their Transition to Multilinearity';

export function figureJson(settings: FigureSettings, results: (PanelResult | null)[]): string {
  const panels = results.filter((r): r is PanelResult => r !== null);
  return JSON.stringify(
    {
      paper: PAPER,
      query: settingsToQuery(settings),
      settings,
      degreeTable: degreeTableJson(results),
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
        /** Absolute non-multilinear part per direction (Σ |p_α| R^{|α|}, g's units). */
        nonMultilinear: r.nonMultilinear,
        /**
         * p(t_1 … t_B) per direction (all-weights exact panels): coefficient i multiplies
         * Π_b t_b^{exponents[i][b]}.
         */
        blockPolynomial: blockPolynomialJson(r.blockPolynomial),
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

function blockPolynomialJson(poly: PanelResult['blockPolynomial']) {
  if (!poly) return null;
  const { layout, coefficients } = poly;
  return {
    degrees: layout.degrees,
    exponents: Array.from({ length: layout.size }, (_, c) => multiIndex(layout, c)),
    coefficients,
  };
}

/** The degree table as the screen shows it, with the rule behind its verdict. */
function degreeTableJson(results: (PanelResult | null)[]) {
  const table = figureDegreeTable(results);
  if (!table) return null;
  return {
    source: table.source,
    theoremApplies: table.source === 'exact',
    rule: `consistent with Theorem 2 when excess · √m ≤ ${VERDICT_CONSTANT} (excess: the part above degree |S|, absolute, worst direction; m: the narrowest block)`,
    verdictConstant: VERDICT_CONSTANT,
    rows: table.rows.map((row) => ({
      blocks: row.blocks,
      predicted: row.predicted,
      source: row.source,
      width: row.width,
      excess: row.excess,
      excessRelative: row.excessRelative,
      theoremScale: row.theoremScale,
      scaledExcess: row.scaledExcess,
      consistent: row.consistent,
      degreeByThreshold: row.degree,
      exactDegree: row.exactDegree,
      perDirection: row.perDirection,
      blockDegrees: row.blockDegrees,
      layers: row.layers,
      medianExcess: row.nonMultilinear,
    })),
  };
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
