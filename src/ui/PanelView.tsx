// One panel: a canvas redrawn straight from store subscriptions (no React re-render per result),
// and a readout of the numbers behind it.

import {
  type JSX,
  type KeyboardEvent as ReactKeyboardEvent,
  type PointerEvent as ReactPointerEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { useStore } from 'zustand';
import type { PanelResult } from '../experiments/figure';
import { median, span } from '../experiments/theorem';
import { evaluatePolynomial } from '../model/polynomial';
import type { AppState, AppStore } from '../state/store';
import { note } from './notes/notes';
import { Tex } from './notes/Tex';
import {
  DARK_THEME,
  DIRECTION_DASHES,
  directionColour,
  drawPanel,
  type PanelLayout,
  panelPlotOptions,
} from './plot/drawPanel';
import './plot/readout.css';

/** Fired (bubbling) from a panel's canvas once a new result's readouts are in the DOM. */
export const PANEL_RESULT_EVENT = 'panel-result';

import { cancelDraw, queueDraw } from './plot/frameQueue';

/** What the last draw laid out, in drawing units, and the zoom from drawing units to CSS pixels. */
interface Drawn {
  layout: PanelLayout;
  zoom: number;
}

const darkQuery = () =>
  typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia('(prefers-color-scheme: dark)')
    : null;

function draw(canvas: HTMLCanvasElement, state: AppState, index: number): Drawn | null {
  const panel = state.panels[index];
  if (!panel) return null;
  // R belongs to the results; the axis and the deviation toggle are view settings (no recompute).
  const settings = state.resultSettings ?? state.settings;
  // On a slide the plots are large: draw their text larger too, as far as the plot's height and
  // width leave room for its axes (a 480 × 320 panel at zoom 1 is the reference).
  const zoom = state.settings.present
    ? Math.min(1.6, Math.max(1, Math.min(canvas.clientWidth / 480, canvas.clientHeight / 300)))
    : 1;
  const layout = drawPanel(canvas, state.results[index] ?? null, {
    ...panelPlotOptions(settings, state.settings, state.results, panel.title),
    pending: state.computing,
    zoom,
    // The screen follows the reader's colour scheme; the exports (figureSvg, CSV) stay light.
    theme: darkQuery()?.matches ? DARK_THEME : undefined,
  });
  if (!layout) return null;
  // The plot and legend rectangles in CSS pixels, for tests and tools.
  const rect = (r: { left: number; top: number; width: number; height: number } | null) =>
    r
      ? [r.left, r.top, r.width, r.height].map((v) => Math.round(v * zoom * 10) / 10).join(' ')
      : '';
  canvas.dataset.plotRect = rect(layout.plot);
  canvas.dataset.legendRect = rect(layout.legend);
  return { layout, zoom };
}

/** The readout's cursor: a sample index of the panel's t grid and a direction. */
interface Cursor {
  index: number;
  direction: number;
}

/** The number shown in the readout: 6 significant digits. */
const show = (v: number) => String(Number(v.toPrecision(6)));

/**
 * The value the readout gives at a cursor: on exact panels the polynomial (g, or g − fit in the
 * deviation view) evaluated at the sample t; on grid panels the grid point itself.
 */
function cursorValue(result: PanelResult, deviation: boolean, cursor: Cursor) {
  const curves = deviation ? result.deviation.curves : result.curves;
  const exact = deviation ? result.deviation.coefficients : result.coefficients;
  const curve = curves[cursor.direction];
  const t = curve.ts[cursor.index];
  const coefficients = exact?.[cursor.direction];
  const value = coefficients ? evaluatePolynomial(coefficients, t) : curve.values[cursor.index];
  return { t, value, how: coefficients ? 'exact polynomial' : 'nearest grid point' };
}

export function PanelView({ store, index }: { store: AppStore; index: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawnRef = useRef<Drawn | null>(null);
  // Bumped after each draw, so the readout's marker follows a new layout.
  const [drawCount, setDrawCount] = useState(0);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    // Every draw waits for an animation frame, shared with the other panels (frameQueue.ts):
    // worker messages landing in one frame draw once, and never inside the message handler. A
    // resize keeps the old bitmap, scaled, until the new one is drawn. The first draw comes
    // from the ResizeObserver's first notification.
    const redraw = () =>
      queueDraw(canvas, () => {
        drawnRef.current = draw(canvas, store.getState(), index);
        setDrawCount((n) => n + 1);
      });
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
    const dark = darkQuery();
    dark?.addEventListener?.('change', redraw);
    return () => {
      cancelDraw(canvas);
      unsubscribe();
      resize.disconnect();
      dark?.removeEventListener?.('change', redraw);
    };
  }, [store, index]);
  const result = useStore(store, (state) => state.results[index] ?? null);
  const title = useStore(store, (state) => state.panels[index]?.title ?? '');
  const deviation = useStore(store, (state) => state.settings.deviation);
  const stale = useStore(store, (state) =>
    result ? state.stalePanels.includes(result.panel.id) : false,
  );
  // The readouts under the canvas change with the result: the figure fits its panels to the
  // screen again in this same commit, before it is painted (App.tsx useFitFigure).
  // biome-ignore lint/correctness/useExhaustiveDependencies: on a new result only
  useLayoutEffect(() => {
    canvasRef.current?.dispatchEvent(new Event(PANEL_RESULT_EVENT, { bubbles: true }));
  }, [result]);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  // A new result (or view) may have another grid: start the cursor afresh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on these changes only
  useEffect(() => setCursor(null), [result, deviation]);

  const onPointer = useCallback(
    (event: ReactPointerEvent<HTMLCanvasElement>) => {
      const drawn = drawnRef.current;
      if (!result || !drawn || result.curves.length === 0) return;
      const box = event.currentTarget.getBoundingClientRect();
      const x = (event.clientX - box.left) / drawn.zoom;
      const y = (event.clientY - box.top) / drawn.zoom;
      const { plot } = drawn.layout;
      if (
        x < plot.left ||
        x > plot.left + plot.width ||
        y < plot.top ||
        y > plot.top + plot.height
      ) {
        if (event.pointerType !== 'touch') setCursor(null);
        return;
      }
      const ts = result.curves[0].ts;
      const t = drawn.layout.t(x);
      let index = 0;
      for (let i = 1; i < ts.length; i++)
        if (Math.abs(ts[i] - t) < Math.abs(ts[index] - t)) index = i;
      // The curve nearest the pointer, vertically, at that t.
      let direction = 0;
      let best = Number.POSITIVE_INFINITY;
      result.curves.forEach((_, d) => {
        const { value } = cursorValue(result, deviation, { index, direction: d });
        const distance = Math.abs(drawn.layout.y(value) - y);
        if (distance < best) {
          best = distance;
          direction = d;
        }
      });
      setCursor((c) =>
        c && c.index === index && c.direction === direction ? c : { index, direction },
      );
    },
    [result, deviation],
  );

  const onKeyDown = useCallback(
    (event: ReactKeyboardEvent<HTMLCanvasElement>) => {
      if (!result || result.curves.length === 0) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      const n = result.curves[0].ts.length;
      const dirs = result.curves.length;
      const step = event.shiftKey ? 10 : 1;
      const start = cursor ?? { index: Math.floor(n / 2), direction: 0 };
      let next: Cursor | null = null;
      if (event.key === 'ArrowRight')
        next = { ...start, index: Math.min(n - 1, start.index + step) };
      else if (event.key === 'ArrowLeft')
        next = { ...start, index: Math.max(0, start.index - step) };
      else if (event.key === 'ArrowUp')
        next = { ...start, direction: (start.direction + 1) % dirs };
      else if (event.key === 'ArrowDown')
        next = { ...start, direction: (start.direction + dirs - 1) % dirs };
      else if (event.key === 'Home') next = { ...start, index: 0 };
      else if (event.key === 'End') next = { ...start, index: n - 1 };
      if (!next) return;
      // The arrows move the readout here: no page scroll, no slide step (shortcuts.ts).
      event.preventDefault();
      event.stopPropagation();
      setCursor(next);
    },
    [result, cursor],
  );

  const reading = result && cursor ? cursorValue(result, deviation, cursor) : null;
  const drawn = drawnRef.current;
  const text =
    reading && cursor
      ? `Δ${cursor.direction + 1}: t = ${show(reading.t)}, ${deviation ? 'g − fit' : 'g'} = ${show(reading.value)} (${reading.how})`
      : '';
  void drawCount;
  return (
    <figure
      data-testid="panel"
      data-panel-id={result?.panel.id ?? ''}
      data-curves={result?.curves.length ?? 0}
      data-ready={result ? 'true' : 'false'}
      data-stale={stale ? 'true' : undefined}
      className={stale ? 'panel stale' : 'panel'}
      style={{ position: 'relative' }}
      title={stale ? 'σ panel: follows when the slider rests' : undefined}
    >
      <canvas
        ref={canvasRef}
        className="panel-canvas"
        role="img"
        aria-label={title}
        aria-describedby={`panel-${index}-readout`}
        tabIndex={0}
        data-arrow-keys="readout"
        onPointerMove={onPointer}
        onPointerDown={onPointer}
        onPointerLeave={(e) => {
          if (e.pointerType !== 'touch') setCursor(null);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setCursor(null)}
      />
      {reading && cursor && drawn && canvasRef.current && (
        <CursorMarker
          canvas={canvasRef.current}
          drawn={drawn}
          t={reading.t}
          value={reading.value}
          direction={cursor.direction}
          text={text}
        />
      )}
      <span
        id={`panel-${index}-readout`}
        className="cursor-live"
        aria-live="polite"
        data-testid="cursor-readout"
        data-direction={cursor ? cursor.direction + 1 : ''}
        data-t={reading?.t ?? ''}
        data-value={reading?.value ?? ''}
        data-how={reading?.how ?? ''}
      >
        {text}
      </span>
      <figcaption>
        <Readout result={result} />
        <PanelNote store={store} index={index} />
      </figcaption>
    </figure>
  );
}

/** A marker on the curve at the cursor and a label beside it, over the canvas (HTML). */
function CursorMarker(props: {
  canvas: HTMLCanvasElement;
  drawn: Drawn;
  t: number;
  value: number;
  direction: number;
  text: string;
}) {
  const { canvas, drawn, t, value, direction, text } = props;
  const { layout, zoom } = drawn;
  const x = layout.x(t);
  const y = Math.min(
    layout.plot.top + layout.plot.height,
    Math.max(layout.plot.top, layout.y(value)),
  );
  const left = canvas.offsetLeft + x * zoom;
  const top = canvas.offsetTop + y * zoom;
  // The label on the side with more room, above the marker unless near the top.
  const right = x < layout.plot.left + layout.plot.width / 2;
  const below = y < layout.plot.top + 30;
  const dash = DIRECTION_DASHES[direction % DIRECTION_DASHES.length];
  return (
    <>
      <span
        className="cursor-marker"
        aria-hidden="true"
        style={{ left, top, borderColor: directionColour(direction) }}
      />
      <span
        className="cursor-label"
        data-testid="cursor-label"
        aria-hidden="true"
        style={{
          left: right ? left + 10 : undefined,
          right: right ? undefined : (canvas.offsetParent?.clientWidth ?? 0) - left + 10,
          top: below ? top + 10 : undefined,
          bottom: below ? undefined : (canvas.offsetParent?.clientHeight ?? 0) - top + 10,
          borderLeftColor: directionColour(direction),
          borderLeftStyle: dash.length === 0 ? 'solid' : 'dashed',
        }}
      >
        {text}
      </span>
    </>
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
    layers: panel.spec.blocks.map((b) => b.layers),
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
