// One panel: a canvas redrawn straight from store subscriptions (no React re-render per result),
// and a readout of the numbers behind it.

import { type JSX, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { PanelResult } from '../experiments/figure';
import type { AppState, AppStore } from '../state/store';
import { drawPanel } from './plot/drawPanel';
import { cancelDraw, queueDraw } from './plot/frameQueue';

function draw(canvas: HTMLCanvasElement, state: AppState, index: number): void {
  const panel = state.panels[index];
  if (!panel) return;
  const settings = state.resultSettings ?? state.settings;
  drawPanel(canvas, state.results[index] ?? null, {
    radius: settings.radius,
    fitY: settings.fitY,
    title: panel.title,
    pending: state.computing,
  });
}

export function PanelView({ store, index }: { store: AppStore; index: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    // Every draw waits for an animation frame, shared with the other panels (frameQueue.ts):
    // worker messages landing in one frame draw once, and never inside the message handler. A
    // resize keeps the old bitmap, scaled, until the new one is drawn. The first draw comes
    // from the ResizeObserver's first notification.
    const redraw = () => queueDraw(canvas, () => draw(canvas, store.getState(), index));
    const unsubscribe = store.subscribe((state, previous) => {
      if (
        state.results[index] !== previous.results[index] ||
        state.panels[index] !== previous.panels[index] ||
        state.computing !== previous.computing ||
        state.settings.fitY !== previous.settings.fitY
      ) {
        redraw();
      }
    });
    const resize = new ResizeObserver(redraw);
    resize.observe(canvas);
    return () => {
      cancelDraw(canvas);
      unsubscribe();
      resize.disconnect();
    };
  }, [store, index]);
  const result = useStore(store, (state) => state.results[index] ?? null);
  const title = useStore(store, (state) => state.panels[index]?.title ?? '');
  return (
    <figure
      className="panel"
      data-testid="panel"
      data-panel-id={result?.panel.id ?? ''}
      data-curves={result?.curves.length ?? 0}
      data-ready={result ? 'true' : 'false'}
    >
      <canvas ref={canvasRef} className="panel-canvas" role="img" aria-label={title} />
      <figcaption>
        <Readout result={result} />
      </figcaption>
    </figure>
  );
}

const fmt = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 1e-2 && Math.abs(v) < 1e3 ? v.toFixed(3) : v.toExponential(1);

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median |c_j| over directions, marking those under the float32 noise floor. */
function Readout({ result }: { result: PanelResult | null }) {
  if (!result) return <span className="muted">…</span>;
  const floor = result.noiseFloor;
  const parts: JSX.Element[] = [];
  if (result.coefficients) {
    const degree = Math.max(...result.coefficients.map((c) => c.length)) - 1;
    for (let j = 0; j <= degree; j++) {
      const m = median(result.coefficients.map((c) => Math.abs(c[j] ?? 0)));
      const noise = floor > 0 && m < floor;
      parts.push(
        <span
          key={j}
          className={noise ? 'coef noise' : 'coef'}
          title={noise ? 'below the float32 noise floor' : undefined}
        >
          |c<sub>{j}</sub>| {noise ? `< ${fmt(floor)}` : fmt(m)}
        </span>,
      );
    }
  }
  return (
    <span className="readout" data-testid="readout">
      {result.coefficients ? (
        <span className="muted">median over directions: </span>
      ) : (
        <span className="muted">grid evaluation (σ not linear: no exact polynomial)</span>
      )}
      {parts}
      {result.nonMultilinear && (
        <span
          className="coef"
          title="size of the non-multilinear terms of p(t_1…t_B) on the cube |t_b| ≤ R, relative to all non-constant terms (Theorem 2: → 0 as m grows)"
        >
          non-multilinear part {fmt(median(result.nonMultilinear))}
        </span>
      )}
      {floor > 0 && <span className="muted"> · float32 noise floor ≈ {fmt(floor)}</span>}
      <span className="muted" data-testid="panel-ms">
        {' '}
        · {Math.round(result.ms)} ms
      </span>
    </span>
  );
}
