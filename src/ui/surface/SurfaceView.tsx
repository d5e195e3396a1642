// The (t₁, t₂) surface of a two-block linear network, drawn with three.js: a saddle ruled by
// straight lines when g is bilinear. Rebuilt from store subscriptions, not React renders.
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { PanelResult } from '../../experiments/figure';
import type { AppState, AppStore } from '../../state/store';
import type { SurfaceScene } from './surfaceScene';

function surfaceSource(state: AppState): PanelResult | null {
  const result = state.results.find((r) => r?.panel.id === 'all') ?? null;
  return result?.blockPolynomial && result.blockPolynomial.layout.degrees.length === 2
    ? result
    : null;
}

export function SurfaceView({ store }: { store: AppStore }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [direction, setDirection] = useState(0);
  const [stats, setStats] = useState<{ range: number; bilinearError: number } | null>(null);
  const available = useStore(store, (s) => surfaceSource(s) !== null);
  const count = useStore(store, (s) => surfaceSource(s)?.blockPolynomial?.coefficients.length ?? 0);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!available || !canvas) return;
    let scene: SurfaceScene | null = null;
    let unsubscribe = () => {};
    let disposed = false;
    const resize = new ResizeObserver(() => scene?.resize());
    const update = (state: AppState) => {
      if (!scene) return;
      const source = surfaceSource(state);
      const poly = source?.blockPolynomial;
      if (!poly) return;
      const d = Math.min(direction, poly.coefficients.length - 1);
      const radius = (state.resultSettings ?? state.settings).radius;
      setStats(scene.setData({ layout: poly.layout, coefficients: poly.coefficients[d], radius }));
    };
    // three.js is loaded on first use, keeping it out of the initial bundle.
    import('./surfaceScene')
      .then(({ SurfaceScene }) => {
        if (disposed) return;
        scene = new SurfaceScene(canvas);
        update(store.getState());
        unsubscribe = store.subscribe((state, previous) => {
          if (surfaceSource(state) !== surfaceSource(previous)) update(state);
        });
        resize.observe(canvas);
      })
      .catch((error) => {
        setStats(null);
        console.warn('The surface view needs WebGL', error);
      });
    return () => {
      disposed = true;
      unsubscribe();
      resize.disconnect();
      scene?.dispose();
    };
  }, [store, available, direction]);

  if (!available) return null;
  return (
    <section className="surface" data-testid="surface">
      <div className="analysis-head">
        <h2>Surface p(t₁, t₂) = g(W + t₁Δ₁ + t₂Δ₂; x)</h2>
        <label>
          direction{' '}
          <select
            data-testid="surface-direction"
            value={direction}
            onChange={(e) => setDirection(Number(e.target.value))}
          >
            {Array.from({ length: count }, (_, d) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: directions are positional
              <option key={d} value={d}>
                Δ{d + 1}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">
          Δ₁, Δ₂: the direction restricted to block 1 and block 2. Bilinear means a saddle whose t₁
          and t₂ grid lines are straight. Drag to turn, scroll to zoom.
        </span>
      </div>
      <canvas
        ref={canvasRef}
        className="surface-canvas"
        role="img"
        aria-label="surface of p(t1, t2)"
      />
      {stats && (
        <div className="muted" data-testid="surface-stats">
          x: t₁ (block 1, blue edge), y: t₂ (block 2, orange edge), both over [−R, R]; z: g − g(0),
          ±{stats.range.toPrecision(3)} · largest gap to the bilinear part on the square:{' '}
          {(stats.bilinearError * 100).toPrecision(2)}% of the range
        </div>
      )}
    </section>
  );
}
