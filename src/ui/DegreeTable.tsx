// Theorem 2 as a table: for every set S of perturbed blocks, the part of t ↦ g above degree |S|
// against the theorem's 1/√m and the verdict it gives, beside the measured degrees (the 10⁻³
// rule and the exact degree) and the degree in each block. Read off the all-weights panel's
// per-block polynomial for a linear network; for σ ≠ identity, off the grid panels (no theorem).
// Rules: experiments/degrees.ts and docs/views.md "The degree verdict". Below it, the verdict
// against m (experiments/degreeSweep.ts), one click away.

import { useEffect, useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import { type DegreeRow, VERDICT_CONSTANT } from '../experiments/degrees';
import { figureDegreeTable } from '../experiments/figure';
import { isLinearFigure } from '../experiments/settings';
import { MAX_POLYNOMIAL_TERMS } from '../model/polynomial';
import type { AppStore } from '../state/store';
import { AnalysisSection } from './AnalysisSection';
import { exportVerdict } from './exports';
import { note } from './notes/notes';
import { Tex } from './notes/Tex';
import { useNoteContext } from './notes/useNoteContext';
import { formatSlope } from './plot/drawSweep';
import { drawVerdictSweep, rowColour } from './plot/drawVerdictSweep';
import { cancelDraw, queueDraw } from './plot/frameQueue';

/** A size for the table: 3 significant digits, or "0". */
const fmt = (v: number) =>
  v === 0 ? '0' : v >= 1e-2 && v < 1e3 ? v.toPrecision(3) : v.toExponential(1);

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const toSub = (n: number) => String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
const blockSet = (blocks: number[]) => `{${blocks.map((b) => `W${toSub(b)}`).join(', ')}}`;

/** The row's verdict in words: within the theorem's scale, or not. */
function verdictText(row: DegreeRow): string {
  return row.consistent
    ? `degree ${row.predicted} (+ a part of size ${fmt(row.excessRelative)}, under the theorem's 1/√m)`
    : `exceeds the theorem's scale (excess·√m = ${fmt(row.scaledExcess)} > ${VERDICT_CONSTANT})`;
}

export function DegreeTable({ store }: { store: AppStore }) {
  const results = useStore(store, (s) => s.results);
  const linear = useStore(store, (s) => isLinearFigure(s.settings));
  const activation = useStore(store, (s) => s.settings.activation);
  const table = useMemo(() => figureDegreeTable(results), [results]);
  const all = results.find((r) => r?.panel.id === 'all') ?? null;
  const noteContext = useNoteContext(store);
  let message: string | null = null;
  if (!all) message = 'Waiting for the all-weights panel…';
  else if (!table)
    message = `p(t₁…t_B) would have over ${MAX_POLYNOMIAL_TERMS} terms (Π (L_b + 1)): use fewer or shallower blocks.`;
  const rows = table?.rows ?? [];
  const width = rows[0]?.width ?? 0;
  const within = rows.filter((r) => r.consistent).length;
  const byThreshold = rows.filter((r) => r.degree === r.predicted).length;
  const exact = table?.source === 'exact';
  return (
    <section className="analysis" data-testid="analysis-degrees">
      <div className="analysis-head">
        <h2>Degree table (Theorem 2)</h2>
        <span className="muted">
          Verdict: the part of t ↦ g above degree |S| (its non-multilinear terms Σ|p_α|R^|α|,
          relative to g's size on the ball), times √m, against the theorem's O(1/√m): within its
          scale while excess·√m ≤ {VERDICT_CONSTANT}, a constant measured across widths, families,
          depths and radii (docs/views.md). Threshold degree: the largest j with |c_j| above 10⁻³ of
          the largest (fixed, blind to m). Exact degree: the largest j above round-off — the
          polynomial's true degree, up to Σ L_b. Worst direction; Δ restricted to the blocks of S.
        </span>
      </div>
      <Tex className="math-note" block defer text={note('analysis-degrees', noteContext)} />
      {!linear && (
        <p className="degree-caveat" data-testid="degrees-no-theorem">
          σ = {activation}: the theorem does not apply (it is about linear networks, σ = identity),
          and g is not a polynomial. Rows come from the figure's grid panels — all weights and each
          block alone — as the gap between g and its least-squares polynomial of degree |S|, judged
          on the same scale.
        </p>
      )}
      {message ? (
        <p className="muted">{message}</p>
      ) : (
        <>
          <section
            className="degree-table-scroll"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls both ways; axe's scrollable-region-focusable asks for keyboard access
            tabIndex={0}
            aria-label="degree table"
          >
            <table className="degree-table" data-testid="degree-table">
              <thead>
                <tr>
                  <th scope="col">perturbed blocks S</th>
                  <th scope="col">verdict</th>
                  <th
                    scope="col"
                    title="the part above degree |S|, relative to g's size on the ball: the verdict's quantity"
                  >
                    excess (relative)
                  </th>
                  <th
                    scope="col"
                    title={
                      exact
                        ? 'Σ|p_α| R^|α| over the non-multilinear terms, g units'
                        : 'max |g − fit| on the grid, g units'
                    }
                  >
                    absolute
                  </th>
                  <th scope="col">1/√m</th>
                  <th scope="col">excess·√m</th>
                  {exact && (
                    <th scope="col" title="the largest j with |c_j| above 10⁻³ of the largest">
                      degree, 10⁻³ rule
                    </th>
                  )}
                  {exact && (
                    <th scope="col" title="the largest j with |c_j| above round-off">
                      exact degree
                    </th>
                  )}
                  <th scope="col">predicted |S|</th>
                  {exact && <th scope="col">per block, 10⁻³ rule (L_b)</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr
                    key={row.blocks.join()}
                    data-testid="degree-row"
                    data-blocks={row.blocks.join(',')}
                    data-consistent={row.consistent ? '1' : '0'}
                    data-excess={String(row.excessRelative)}
                    data-scaled-excess={String(row.scaledExcess)}
                    data-degree={row.degree ?? undefined}
                    data-exact-degree={row.exactDegree ?? undefined}
                    data-predicted={row.predicted}
                    className={row.consistent ? undefined : 'mismatch'}
                  >
                    <th scope="row">{blockSet(row.blocks)}</th>
                    <td className="verdict">{verdictText(row)}</td>
                    <td>{fmt(row.excessRelative)}</td>
                    <td>{fmt(row.excess)}</td>
                    <td>{fmt(row.theoremScale)}</td>
                    <td>{fmt(row.scaledExcess)}</td>
                    {exact && (
                      <td title={`per direction: ${row.perDirection.join(', ')}`}>{row.degree}</td>
                    )}
                    {exact && <td>{row.exactDegree}</td>}
                    <td>{row.predicted}</td>
                    {exact && (
                      <td>
                        {row.blocks.map((b, i) => (
                          <span key={b} className="block-degree">
                            W{toSub(b)}: {row.blockDegrees[i]}{' '}
                            <span className="muted">(L = {row.layers[i]})</span>
                          </span>
                        ))}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <div className="muted" data-testid="degrees-status">
            {within} of {rows.length} rows within the theorem's scale (excess·√m ≤{' '}
            {VERDICT_CONSTANT} at m = {width}
            {exact ? '' : ', no theorem for σ ≠ identity'})
            {exact ? ` · old rule: ${byThreshold} of ${rows.length} at threshold degree |S|` : ''} ·{' '}
            {all?.engine.precision}
          </div>
        </>
      )}
      <VerdictSweep store={store} />
    </section>
  );
}

const PLOT_STYLE = { flex: '1 1 440px', minWidth: 0, maxWidth: 640, height: 300 } as const;

/** The verdict against m: each row's relative excess on log–log axes, K/√m and 1/√m. */
function VerdictSweep({ store }: { store: AppStore }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sweep = useStore(store, (s) => s.analyses.verdict);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !sweep) return;
    const result = sweep.result ?? null;
    queueDraw(canvas, () => drawVerdictSweep(canvas, result));
    return () => cancelDraw(canvas);
  }, [sweep]);
  const result = sweep && !sweep.running ? sweep.result : null;
  const partial = sweep?.result ?? null;
  return (
    <AnalysisSection
      store={store}
      kind="verdict"
      title="Verdict against m"
      button="Sweep the verdict over m = 16, 32, …"
      about="The same network at every width (one seed: each narrower network is a corner of the wider one), each row's excess against m on log–log axes: where the theorem holds it stays under K/√m and falls like 1/√m or faster; a row it does not cover (σ inside a block) runs flat and crosses the line."
      needsLinear={false}
      summary={
        result
          ? `${result.series.filter((s) => s.points.at(-1)?.consistent).length} of ${result.series.length} rows within the scale at m = ${result.widths.at(-1)}; slopes ${result.series.map((s) => formatSlope(s.slope)).join(', ')} (theorem ≤ −0.50), seed ${result.seed}, ${result.precision}`
          : null
      }
    >
      <div className="verdict-sweep">
        <canvas
          ref={canvasRef}
          className="sweep-canvas"
          style={PLOT_STYLE}
          role="img"
          aria-label="degree verdict: excess above degree |S| against m, with K/√m and 1/√m"
        />
        {partial && (
          <table className="muted verdict-legend" data-testid="verdict-slopes">
            <thead>
              <tr>
                <th scope="col">row S</th>
                <th scope="col">slope against m</th>
                <th scope="col">verdict at m = {partial.series[0]?.points.at(-1)?.width ?? '…'}</th>
              </tr>
            </thead>
            <tbody>
              {partial.series.map((s, r) => {
                const last = s.points.at(-1);
                return (
                  <tr
                    key={s.blocks.join()}
                    data-testid="verdict-series"
                    data-blocks={s.blocks.join(',')}
                    data-slope={String(s.slope)}
                    data-consistent={last?.consistent ? '1' : '0'}
                  >
                    <th scope="row">
                      <span className="swatch" style={{ background: rowColour(r) }} />{' '}
                      {blockSet(s.blocks)}
                    </th>
                    <td>{formatSlope(s.slope)}</td>
                    <td>{last ? (last.consistent ? 'within' : 'exceeds') : '…'}</td>
                  </tr>
                );
              })}
              <tr>
                <th scope="row">
                  <span className="swatch dashed" /> verdict
                </th>
                <td colSpan={2}>{partial.verdictConstant}/√m (dashed); theorem 1/√m (dotted)</td>
              </tr>
            </tbody>
          </table>
        )}
      </div>
      {result && (
        <div className="exports" data-testid="verdict-exports" style={{ marginTop: 6 }}>
          <button
            type="button"
            data-testid="verdict-export-csv"
            onClick={() => exportVerdict(store.getState(), 'csv')}
          >
            CSV
          </button>{' '}
          <button
            type="button"
            data-testid="verdict-export-json"
            onClick={() => exportVerdict(store.getState(), 'json')}
          >
            JSON
          </button>
        </div>
      )}
    </AnalysisSection>
  );
}
