// Theorem 2 as a table: for every set S of perturbed blocks, the measured degree of t ↦ g beside
// the predicted |S|, the degree in each block beside its depth L_b, and the non-multilinear part.
// Read off the all-weights panel's per-block polynomial (experiments/degrees.ts): no extra pass.

import { useStore } from 'zustand';
import { MAX_POLYNOMIAL_TERMS } from '../model/polynomial';
import type { AppStore } from '../state/store';
import { note } from './notes/notes';
import { Tex } from './notes/Tex';
import { useNoteContext } from './notes/useNoteContext';

const fmt = (v: number) => (v === 0 ? '0' : v >= 1e-2 ? v.toFixed(3) : v.toExponential(1));

export function DegreeTable({ store }: { store: AppStore }) {
  const result = useStore(store, (s) => s.results.find((r) => r?.panel.id === 'all') ?? null);
  const linear = useStore(store, (s) => s.panels.find((p) => p.id === 'all')?.exact ?? true);
  const rows = result?.degreeTable ?? null;
  const noteContext = useNoteContext(store);
  let message: string | null = null;
  if (!linear)
    message = 'Needs a linear network (σ = identity): degrees are read off the exact polynomial.';
  else if (!result) message = 'Waiting for the all-weights panel…';
  else if (!rows)
    message = `p(t₁…t_B) would have over ${MAX_POLYNOMIAL_TERMS} terms (Π (L_b + 1)): use fewer or shallower blocks.`;
  const matches = rows?.filter((r) => r.degree === r.predicted).length ?? 0;
  return (
    <section className="analysis" data-testid="analysis-degrees">
      <div className="analysis-head">
        <h2>Degree table (Theorem 2)</h2>
        <span className="muted">
          Measured degree: the largest j with |c_j| above the float32 noise floor and 10⁻³ of the
          largest |c_j| (j ≥ 1), worst direction; Δ restricted to the blocks of S.
        </span>
      </div>
      <Tex className="math-note" block defer text={note('analysis-degrees', noteContext)} />
      {message ? (
        <p className="muted">{message}</p>
      ) : (
        <>
          <div className="degree-table-scroll">
            <table className="degree-table" data-testid="degree-table">
              <thead>
                <tr>
                  <th scope="col">perturbed blocks S</th>
                  <th scope="col">measured degree</th>
                  <th scope="col">predicted |S|</th>
                  <th scope="col">degree in each block (L_b)</th>
                  <th scope="col">non-multilinear part</th>
                </tr>
              </thead>
              <tbody>
                {rows?.map((row) => (
                  <tr
                    key={row.blocks.join()}
                    data-testid="degree-row"
                    data-blocks={row.blocks.join(',')}
                    data-degree={row.degree}
                    data-predicted={row.predicted}
                    className={row.degree === row.predicted ? undefined : 'mismatch'}
                  >
                    <th scope="row">{`{${row.blocks.map((b) => `W${toSub(b)}`).join(', ')}}`}</th>
                    <td title={`per direction: ${row.perDirection.join(', ')}`}>{row.degree}</td>
                    <td>{row.predicted}</td>
                    <td>
                      {row.blocks.map((b, i) => (
                        <span key={b} className="block-degree">
                          W{toSub(b)}: {row.blockDegrees[i]}{' '}
                          <span className="muted">(L = {row.layers[i]})</span>
                        </span>
                      ))}
                    </td>
                    <td>{fmt(row.nonMultilinear)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="muted" data-testid="degrees-status">
            {matches} of {rows?.length} rows at the predicted degree · {result?.engine.precision}
          </div>
        </>
      )}
    </section>
  );
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const toSub = (n: number) => String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
