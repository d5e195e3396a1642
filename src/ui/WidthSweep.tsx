// The width sweep: non-multilinear part against m on log–log axes, with the bound's slope.
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../state/store';
import { drawSweep } from './plot/drawSweep';

export function WidthSweep({ store }: { store: AppStore }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sweep = useStore(store, (s) => s.sweep);
  const linear = useStore(
    store,
    (s) => s.settings.activation === 'identity' || s.settings.placement === 'none',
  );
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas && sweep) drawSweep(canvas, sweep.points, sweep.result);
  }, [sweep]);
  const result = sweep?.result;
  return (
    <section className="sweep" data-testid="sweep">
      <div className="sweep-head">
        <h2>Width sweep</h2>
        <button
          type="button"
          data-testid="run-sweep"
          disabled={!linear || sweep?.running}
          onClick={() => store.getState().runSweep()}
        >
          {sweep?.running ? 'Sweeping…' : 'Sweep m = 16, 32, … (current settings)'}
        </button>
        <span className="muted">
          {linear
            ? 'How fast the part of p(t₁…t_B) that is not multilinear shrinks as every block widens. Theorem 2 bounds it by O(1/√m); along aligned directions it falls faster.'
            : 'Needs a linear network: the sweep measures the exact polynomial.'}
        </span>
      </div>
      {sweep && (
        <>
          <canvas ref={canvasRef} className="sweep-canvas" role="img" aria-label="width sweep" />
          <div className="muted" data-testid="sweep-status">
            {sweep.error
              ? `Sweep failed: ${sweep.error}`
              : sweep.running
                ? `${Math.round((sweep.progress?.fraction ?? 0) * 100)}% — ${sweep.progress?.stage ?? 'starting'}`
                : result
                  ? `measured slope ${result.slope.toFixed(2)} (bound: −0.50) over m = ${result.points[0].width}…${result.points[result.points.length - 1].width}, ${result.precision}, ${((sweep.ms ?? 0) / 1000).toFixed(1)} s`
                  : ''}
          </div>
        </>
      )}
    </section>
  );
}
