// The width sweep: per direction family, the non-multilinear size and the derivative scales
// |c_B|, |c_{B+1}| against m on log–log axes, with fitted slopes beside the theorem's.
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { SweepResult } from '../experiments/sweep';
import type { AppStore } from '../state/store';
import { AnalysisSection } from './AnalysisSection';
import { exportCanvasesPng, exportSweep } from './exports';
import { note, sweepAbout } from './notes/notes';
import { useNoteContext } from './notes/useNoteContext';
import {
  drawSweepCoefficients,
  drawSweepSize,
  FAMILY_COLOURS,
  formatSlope,
} from './plot/drawSweep';
import { cancelDraw, queueDraw } from './plot/frameQueue';

const PLOT_STYLE = { flex: '1 1 440px', minWidth: 0, height: 300 } as const;

/** "aligned −1.01 / 0.01 / −0.90": the three slopes of each family, theorem last. */
function summaryLine(result: SweepResult): string {
  const B = result.blocks;
  const t = result.theorem;
  const families = result.series
    .map(
      (s) =>
        `${s.family} ${formatSlope(s.slope)} / ${formatSlope(s.slopeCB)} / ${formatSlope(s.slopeCB1)}`,
    )
    .join(', ');
  const widths = `${result.widths[0]}…${result.widths[result.widths.length - 1]}`;
  const samples = result.series[0]?.points[0]?.perDirection.length ?? 0;
  return (
    `slopes of size / |c_${B}| / |c_${B + 1}|: ${families} (theorem ≤ ${formatSlope(t.nonMultilinear)} / ${formatSlope(t.cB)} along aligned directions / ≤ ${formatSlope(t.cB1)})` +
    `${result.cB1Vanishes ? `; c_${B + 1} ≡ 0 (one layer per block)` : ''}` +
    ` over m = ${widths}, ${result.seeds.length} networks, ${samples} samples per point, fitted from m = ${result.fitFrom}, ${result.precision}`
  );
}

export function WidthSweep({ store }: { store: AppStore }) {
  const sizeRef = useRef<HTMLCanvasElement>(null);
  const coefficientsRef = useRef<HTMLCanvasElement>(null);
  const sweep = useStore(store, (s) => s.analyses.sweep);
  const noteContext = useNoteContext(store);
  useEffect(() => {
    const size = sizeRef.current;
    const coefficients = coefficientsRef.current;
    if (!size || !coefficients || !sweep) return;
    // While running, result is the partial one (slopes NaN: the legends say "…").
    const result = sweep.result ?? null;
    queueDraw(size, () => drawSweepSize(size, result));
    queueDraw(coefficients, () => drawSweepCoefficients(coefficients, result));
    return () => {
      cancelDraw(size);
      cancelDraw(coefficients);
    };
  }, [sweep]);
  const result = sweep && !sweep.running ? sweep.result : null;
  const B = result?.blocks ?? 0;
  return (
    <AnalysisSection
      note={note('analysis-sweep', noteContext)}
      store={store}
      kind="sweep"
      title="Width sweep"
      button="Sweep m = 16, 32, … (current settings)"
      about={sweepAbout(noteContext.layers)}
      summary={result ? summaryLine(result) : null}
    >
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
        <canvas
          ref={sizeRef}
          className="sweep-canvas"
          style={PLOT_STYLE}
          role="img"
          aria-label="width sweep: non-multilinear size against m"
        />
        <canvas
          ref={coefficientsRef}
          className="sweep-canvas"
          style={PLOT_STYLE}
          role="img"
          aria-label="width sweep: derivative scales against m"
        />
      </div>
      {result && (
        <div className="exports" data-testid="sweep-exports" style={{ marginTop: 6 }}>
          <button
            type="button"
            data-testid="sweep-export-png"
            onClick={() => {
              const size = sizeRef.current;
              const coefficients = coefficientsRef.current;
              if (!size || !coefficients) return;
              exportCanvasesPng(
                store.getState(),
                [size, coefficients],
                (dpr) => {
                  drawSweepSize(size, result, dpr);
                  drawSweepCoefficients(coefficients, result, dpr);
                },
                'Width sweep',
                'bottleneck-sweep.png',
              );
            }}
          >
            PNG
          </button>{' '}
          <button
            type="button"
            data-testid="sweep-export-csv"
            onClick={() => exportSweep(store.getState(), 'csv')}
          >
            CSV
          </button>{' '}
          <button
            type="button"
            data-testid="sweep-export-json"
            onClick={() => exportSweep(store.getState(), 'json')}
          >
            JSON
          </button>
        </div>
      )}
      {result && (
        // Fitted slopes per family for tests and readers; data-slope-cb1 is "none" when
        // c_{B+1} ≡ 0 (one layer per block), "NaN" when too few widths are above the noise floor.
        <table
          className="muted"
          data-testid="sweep-slopes"
          style={{ marginTop: 6, borderSpacing: '16px 2px', marginLeft: -16 }}
        >
          <thead>
            <tr>
              <th style={{ textAlign: 'left' }}>slope against m</th>
              <th style={{ textAlign: 'left' }}>non-multilinear size</th>
              <th style={{ textAlign: 'left' }}>|c_{B}|</th>
              <th style={{ textAlign: 'left' }}>|c_{B + 1}|</th>
            </tr>
          </thead>
          <tbody>
            {result.series.map((s) => (
              <tr
                key={s.family}
                data-testid="sweep-slope"
                data-family={s.family}
                data-slope={String(s.slope)}
                data-slope-cb={String(s.slopeCB)}
                data-slope-cb1={s.slopeCB1 === null ? 'none' : String(s.slopeCB1)}
              >
                <td style={{ color: FAMILY_COLOURS[s.family], fontWeight: 600 }}>{s.family}</td>
                <td>{formatSlope(s.slope)}</td>
                <td>{formatSlope(s.slopeCB)}</td>
                <td>{s.slopeCB1 === null ? `0 (c_${B + 1} ≡ 0)` : formatSlope(s.slopeCB1)}</td>
              </tr>
            ))}
            <tr>
              <td>theorem</td>
              <td>
                {result.cB1Vanishes
                  ? '0 (one layer per block)'
                  : `≤ ${formatSlope(result.theorem.nonMultilinear)}`}
              </td>
              <td>
                {formatSlope(result.theorem.cB)} along aligned, tilted, gradient (Ω(1)); ≤ 0 others
              </td>
              <td>
                {result.cB1Vanishes ? `0 (c_${B + 1} ≡ 0)` : `≤ ${formatSlope(result.theorem.cB1)}`}
              </td>
            </tr>
          </tbody>
        </table>
      )}
    </AnalysisSection>
  );
}
