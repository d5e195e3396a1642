// The (t₁, t₂) surface of a two-block linear network, drawn with three.js: a saddle ruled by
// straight lines when g is bilinear. Fed from store subscriptions, not React renders.
//
// three.js draws in a worker (surfaceHost.ts), so neither WebGL nor a frame ever blocks the page.
// The section stays while the figure recomputes settings that will have a surface again, so the
// worker and its WebGL context are made once, not once per figure.
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { PanelResult } from '../../experiments/figure';
import { isLinearFigure } from '../../experiments/settings';
import type { AppState, AppStore } from '../../state/store';
import { note } from '../notes/notes';
import { Tex } from '../notes/Tex';
import { useNoteContext } from '../notes/useNoteContext';
import type { SurfaceHost } from './surfaceHost';
import { surfaceGrid } from './surfaceMesh';

function surfaceSource(state: AppState): PanelResult | null {
  const result = state.results.find((r) => r?.panel.id === 'all') ?? null;
  return result?.blockPolynomial && result.blockPolynomial.layout.degrees.length === 2
    ? result
    : null;
}

/** While computing: will these settings have a surface? (two blocks, linear) */
function surfaceExpected(state: AppState): boolean {
  return state.computing && state.settings.blocks === 2 && isLinearFigure(state.settings);
}

export function SurfaceView({ store }: { store: AppStore }) {
  const shown = useStore(store, (s) => surfaceSource(s) !== null || surfaceExpected(s));
  return shown ? <SurfaceSection store={store} /> : null;
}

function SurfaceSection({ store }: { store: AppStore }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [direction, setDirection] = useState(0);
  const directionRef = useRef(direction);
  const [stats, setStats] = useState<{ range: number; bilinearError: number } | null>(null);
  const count = useStore(store, (s) => surfaceSource(s)?.blockPolynomial?.coefficients.length ?? 0);
  const pending = count === 0;
  const noteContext = useNoteContext(store);
  const push = useRef<(state: AppState) => void>(() => {});

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let host: SurfaceHost | null = null;
    let disposed = false;
    let version = 0;
    let grid: ReturnType<typeof surfaceGrid> | null = null;
    // The stats come from the same grid as the mesh, computed here (well under a millisecond);
    // the mesh itself is built and drawn by the host.
    push.current = (state) => {
      const poly = surfaceSource(state)?.blockPolynomial;
      delete canvas.dataset.drawn;
      if (!poly) {
        grid = null;
        setStats(null);
        return;
      }
      const d = Math.min(directionRef.current, poly.coefficients.length - 1);
      const radius = (state.resultSettings ?? state.settings).radius;
      grid = surfaceGrid({ layout: poly.layout, coefficients: poly.coefficients[d], radius });
      version++;
      setStats({ range: grid.range, bilinearError: grid.bilinearError });
      host?.setGrid(grid, version);
    };
    push.current(store.getState());
    const unsubscribe = store.subscribe((state, previous) => {
      if (surfaceSource(state) !== surfaceSource(previous)) push.current(state);
    });
    const resize = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      host?.resize(box.width, box.height);
    });
    // three.js is loaded on first use, keeping it out of the initial bundle.
    // A canvas hands its control to a worker only once: an effect cleaned up before the import
    // resolved (React's development double mount does this) must not take it.
    const failed = (message: string) => {
      canvas.dataset.error = message;
      console.warn('The surface view needs WebGL:', message);
    };
    import('./surfaceHost')
      .then(({ createSurfaceHost }) =>
        disposed
          ? null
          : createSurfaceHost(canvas, {
              onDrawn: (v) => {
                if (v === version && grid) canvas.dataset.drawn = 'true';
              },
              onError: failed,
            }),
      )
      .then((created) => {
        if (!created) return;
        if (disposed) return created.dispose();
        host = created;
        canvas.dataset.host = created.where;
        if (grid) host.setGrid(grid, version);
        resize.observe(canvas);
      })
      .catch((error) => failed(error instanceof Error ? error.message : String(error)));
    return () => {
      disposed = true;
      push.current = () => {};
      unsubscribe();
      resize.disconnect();
      host?.dispose();
    };
  }, [store]);

  useEffect(() => {
    if (directionRef.current === direction) return;
    directionRef.current = direction;
    push.current(store.getState());
  }, [store, direction]);

  return (
    <section className="surface" data-testid="surface">
      <div className="analysis-head">
        <h2>Surface p(t₁, t₂) = g(W + t₁Δ₁ + t₂Δ₂; x)</h2>
        <label>
          direction{' '}
          <select
            data-testid="surface-direction"
            value={direction}
            disabled={pending}
            onChange={(e) => setDirection(Number(e.target.value))}
          >
            {Array.from({ length: Math.max(count, 1) }, (_, d) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: directions are positional
              <option key={d} value={d}>
                Δ{d + 1}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">
          Δ₁, Δ₂: the direction restricted to block 1 and block 2. Drag to turn, scroll to zoom.
        </span>
      </div>
      <Tex className="math-note" block defer text={note('analysis-surface', noteContext)} />
      <canvas
        ref={canvasRef}
        className={pending ? 'surface-canvas pending' : 'surface-canvas'}
        data-testid="surface-canvas"
        role="img"
        aria-label="surface of p(t1, t2)"
      />
      {stats && !pending ? (
        <div className="muted" data-testid="surface-stats">
          x: t₁ (block 1, blue edge), y: t₂ (block 2, orange edge), both over [−R, R]; z: g − g(0),
          ±{stats.range.toPrecision(3)} · largest gap to the bilinear part on the square:{' '}
          {(stats.bilinearError * 100).toPrecision(2)}% of the range
        </div>
      ) : (
        <div className="muted">computing…</div>
      )}
    </section>
  );
}
