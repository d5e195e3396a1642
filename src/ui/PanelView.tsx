// One panel: a canvas redrawn straight from store subscriptions (no React re-render per result),
// and a readout of the numbers behind it.

import { type JSX, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { PanelResult } from '../experiments/figure';
import { median, span } from '../experiments/theorem';
import type { AppState, AppStore } from '../state/store';
import { note } from './notes/notes';
import { Tex } from './notes/Tex';
import { drawPanel, sharedExtent } from './plot/drawPanel';
import { cancelDraw, queueDraw } from './plot/frameQueue';

function draw(canvas: HTMLCanvasElement, state: AppState, index: number): void {
  const panel = state.panels[index];
  if (!panel) return;
  // R belongs to the results; the axis and the deviation toggle are view settings (no recompute).
  const settings = state.resultSettings ?? state.settings;
  const { yAxis, deviation } = state.settings;
  drawPanel(canvas, state.results[index] ?? null, {
    radius: settings.radius,
    yAxis,
    deviation,
    sharedRange: yAxis === 'shared' ? sharedExtent(state.results, deviation) : null,
    title: panel.title,
    pending: state.computing,
    // On a slide the plots are large: draw their text larger too, as far as the plot's height and
    // width leave room for its axes (a 480 × 320 panel at zoom 1 is the reference).
    zoom: state.settings.present
      ? Math.min(1.6, Math.max(1, Math.min(canvas.clientWidth / 480, canvas.clientHeight / 300)))
      : 1,
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
        state.settings.yAxis !== previous.settings.yAxis ||
        state.settings.deviation !== previous.settings.deviation ||
        (state.settings.yAxis === 'shared' && state.results !== previous.results)
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
        <PanelNote store={store} index={index} />
      </figcaption>
    </figure>
  );
}

const fmt = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 1e-2 && Math.abs(v) < 1e3 ? v.toFixed(3) : v.toExponential(1);

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
          title="size of the non-multilinear terms of p(t_1…t_B) on the cube |t_b| ≤ R: Σ |p_α| R^|α| over terms with some exponent ≥ 2 (Theorem 2: O(1/√m))"
        >
          {result.panel.blockMask.length === 1 ? 'non-linear part' : 'non-multilinear part'}{' '}
          {fmt(median(result.nonMultilinear))}
        </span>
      )}
      {result.model && <ModelGap result={result} />}
      <DeviationReadout result={result} />
      {floor > 0 && <span className="muted"> · float32 noise floor ≈ {fmt(floor)}</span>}
      <span className="muted" data-testid="panel-ms">
        {' '}
        · {Math.round(result.ms)} ms
      </span>
    </span>
  );
}

const percent = (v: number) => (v >= 1e-3 ? `${(v * 100).toPrecision(2)}%` : `${fmt(v * 100)}%`);

/**
 * max |g − q| over |t| ≤ R (median over directions) beside the curve's span and 1/√m for the
 * narrowest block: Theorem 2 allows a gap of O(1/√m) relative to g's O(1) size.
 */
function ModelGap({ result }: { result: PanelResult }) {
  const model = result.model;
  if (!model) return null;
  const gap = median(model.gap);
  const curveSpan = median(result.curves.map((c) => span(c.values)));
  const m = Math.min(...result.panel.spec.blocks.map((b) => b.width));
  return (
    <span
      className="coef"
      data-testid="model-gap"
      data-gap={gap}
      data-span={curveSpan}
      data-kind={model.kind}
      title={
        model.kind === 'multilinear'
          ? 'dashed: the multilinear part of p(t_1…t_B) along t_b = t (Theorem 2; eq. 18 for B = 2)'
          : 'dashed: a least-squares polynomial of the degree the theorem predicts — a fit, not the theorem’s model'
      }
    >
      max |g − {model.kind === 'multilinear' ? 'q' : 'fit'}| {fmt(gap)} (
      {percent(curveSpan > 0 ? gap / curveSpan : 0)} of the span
      {model.kind === 'multilinear' ? `; 1/√m = ${fmt(1 / Math.sqrt(m))}` : ''})
    </span>
  );
}

/** The largest deviation from the best polynomial of the predicted degree, over g's span. */
function DeviationReadout({ result }: { result: PanelResult }) {
  const relative = median(result.deviation.relative);
  return (
    <span
      className="coef"
      data-testid="deviation-readout"
      data-relative={relative}
      data-degree={result.deviation.degree}
      title="max over |t| ≤ R of |g − its least-squares polynomial of the predicted degree|, over the span of g (median over directions)"
    >
      off degree {result.deviation.degree}: {percent(relative)}
    </span>
  );
}

/** What the panel plots and which result of the paper it shows, typeset, folded by default. */
function PanelNote({ store, index }: { store: AppStore; index: number }) {
  const panel = useStore(store, (s) => s.panels[index] ?? null);
  const family = useStore(store, (s) => s.settings.family);
  const deviation = useStore(store, (s) => s.settings.deviation);
  const [open, setOpen] = useState(false);
  if (!panel) return null;
  const id =
    panel.id === 'contrast' ? 'panel-contrast' : panel.id === 'all' ? 'panel-all' : 'panel-block';
  const block = panel.blockMask.every(Boolean) ? undefined : panel.blockMask.indexOf(true) + 1;
  const text = note(id, {
    blocks: panel.blockMask.length,
    block,
    family,
    linear: panel.exact,
    deviation,
    activation: panel.spec.activation,
    placement: panel.spec.placement,
  });
  return (
    // Typeset only once opened: four to seven notes would otherwise be set with every figure.
    <details
      className="panel-note"
      data-testid="panel-note"
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary>What this panel shows</summary>
      {open && <Tex className="math-note" block text={text} />}
    </details>
  );
}
