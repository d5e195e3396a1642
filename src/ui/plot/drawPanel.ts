// Draws one panel (curves of t ↦ g(W + tΔ; x)) on a 2D canvas at device-pixel resolution:
// axes with 1-2-5 ticks, labels, legend, precision note. Pure drawing, no React, no store.
// `paintPanel` draws through `PlotContext`, a subset of the Canvas 2D API, so the same code paints
// the canvas and the SVG export (svgContext.ts, figureSvg.ts).

import type { PanelResult } from '../../experiments/figure';
import type { FigureSettings, YAxis } from '../../experiments/settings';
import { evaluatePolynomial } from '../../model/polynomial';
import { type PlotContext, plotFont, prepareCanvas } from './canvas';

export type { PlotContext };

/**
 * One colour per direction: Okabe–Ito's first six, then a muted plum and a red chosen so that all
 * eight stay pairwise ≥ 10.8 CIEDE2000 apart under simulated protanopia, deuteranopia and
 * tritanopia (Machado et al. 2009, tests/palette.test.ts), and readable on white and dark grounds.
 */
export const DIRECTION_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#775566',
  '#BB0000',
];

/**
 * The second channel: one dash pattern per direction (drawing units, for 2-unit lines), in the
 * legend as on the curves. None is the model's 5–4 dash (thin, dark).
 */
export const DIRECTION_DASHES: readonly (readonly number[])[] = [
  [],
  [9, 4],
  [2, 2.5],
  [9, 3, 2, 3],
  [16, 4],
  [9, 3, 2, 3, 2, 3],
  [3, 6],
  [16, 3, 5, 3],
];

/**
 * `dash` started `offset` units into its period, as a dash array that begins with a dash (maybe of
 * length 0, invisible with butt caps): the same as a canvas lineDashOffset, which the SVG export
 * has no need to know about. Curves that coincide then show their dashes in turn.
 */
export function shiftedDash(dash: readonly number[], offset: number): number[] {
  if (dash.length === 0) return [];
  const full = dash.length % 2 === 0 ? [...dash] : [...dash, ...dash];
  const period = full.reduce((a, b) => a + b, 0);
  let o = ((offset % period) + period) % period;
  let i = 0;
  while (o >= full[i]) {
    o -= full[i];
    i = (i + 1) % full.length;
  }
  // Now `o` units into segment i: the rest of it, then the others, then its first `o` units. A
  // 0-length dash or gap keeps dashes and gaps alternating (even length, starting with a dash).
  const out: number[] = i % 2 === 1 ? [0] : [];
  out.push(full[i] - o);
  for (let k = 1; k < full.length; k++) out.push(full[(i + k) % full.length]);
  out.push(o);
  if (i % 2 === 0) out.push(0);
  return out;
}

/** The dash array direction `d`'s curve is drawn with (its pattern, offset by direction). */
export function directionDash(d: number): number[] {
  const dash = DIRECTION_DASHES[d % DIRECTION_DASHES.length];
  return shiftedDash(dash, d * 5);
}

export const directionColour = (d: number) => DIRECTION_COLOURS[d % DIRECTION_COLOURS.length];

/** The panel's colours: light (the default, and always the exports') or dark (on screen). */
export interface PanelTheme {
  /** Painted under everything; null: the caller's ground (white) is kept. */
  background: string | null;
  title: string;
  text: string;
  grid: string;
  frame: string;
  muted: string;
  model: string;
}

export const LIGHT_THEME: PanelTheme = {
  background: null,
  title: '#111',
  text: '#333',
  grid: '#e4e4e4',
  frame: '#555',
  muted: '#555',
  model: '#222',
};

export const DARK_THEME: PanelTheme = {
  background: '#16191d',
  title: '#eceff1',
  text: '#c9ced3',
  grid: '#2e343b',
  frame: '#8b949c',
  muted: '#9aa3ab',
  model: '#f2f2f2',
};

export interface PlotOptions {
  radius: number;
  /** fit: y fitted to this panel; shared: `sharedRange`; radius: y spans at least R. */
  yAxis: YAxis;
  /** Plot g minus its least-squares polynomial of the predicted degree instead of g. */
  deviation: boolean;
  /** The data extent of every panel together (yAxis 'shared'), from `dataExtent`. */
  sharedRange: [number, number] | null;
  title: string;
  pending: boolean;
  /** Draw text and lines this much larger (presentation mode: readable on a projector). */
  zoom?: number;
  /** Colours (default light: the exports are always on white). */
  theme?: PanelTheme;
}

/**
 * The plot options every drawing of a figure's panel starts from (the screen, the PNG and the
 * SVG): R from the settings the results were computed with, the view settings (y axes,
 * deviation view) from `view`, and the shared y range over all panels when it is asked for.
 */
export function panelPlotOptions(
  settings: Pick<FigureSettings, 'radius'>,
  view: Pick<FigureSettings, 'yAxis' | 'deviation'>,
  results: (PanelResult | null)[],
  title: string,
): PlotOptions {
  const { yAxis, deviation } = view;
  return {
    radius: settings.radius,
    yAxis,
    deviation,
    sharedRange: yAxis === 'shared' ? sharedExtent(results, deviation) : null,
    title,
    pending: false,
  };
}

/** Where paintPanel put things, in drawing units: the plot area, the legend, and the axes. */
export interface PanelLayout {
  plot: { left: number; top: number; width: number; height: number };
  legend: { left: number; top: number; width: number; height: number } | null;
  /** t ↦ x and value ↦ y in drawing units. */
  x(t: number): number;
  y(v: number): number;
  /** Inverse of x. */
  t(x: number): number;
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => span / s <= count + 1) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

export function formatTick(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(v) || 1;
  if (step >= 1e4 || (step < 1e-3 && v !== 0)) return v.toExponential(1);
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(digits + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0));
}

/** The values a panel plots: g, or its deviation from the fit in the deviation view. */
function plotted(result: PanelResult, deviation: boolean) {
  return deviation ? result.deviation.curves : result.curves;
}

/**
 * [min, max] of what a panel plots, widened to a smallest span: round-off must not fill an axis.
 * The smallest span is 4× the float32 noise floor (0 in float64) or 1e-12 of g's own span.
 */
export function dataExtent(result: PanelResult, deviation: boolean): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let glo = Number.POSITIVE_INFINITY;
  let ghi = Number.NEGATIVE_INFINITY;
  for (const c of plotted(result, deviation)) {
    for (const v of c.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  for (const c of result.curves) {
    for (const v of c.values) {
      if (v < glo) glo = v;
      if (v > ghi) ghi = v;
    }
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  const mid = (lo + hi) / 2;
  const minSpan = Math.max(
    4 * result.noiseFloor,
    1e-12 * (ghi - glo),
    Math.abs(mid) * 1e-12,
    Number.MIN_VALUE,
  );
  const half = Math.max(hi - lo, minSpan) / 2;
  return [mid - half, mid + half];
}

/** The union of panels' extents (the shared axis). */
export function sharedExtent(results: (PanelResult | null)[], deviation: boolean) {
  const extents = results.flatMap((r) => (r ? [dataExtent(r, deviation)] : []));
  if (extents.length === 0) return null;
  return [Math.min(...extents.map((e) => e[0])), Math.max(...extents.map((e) => e[1]))] as [
    number,
    number,
  ];
}

export function yRange(result: PanelResult, options: PlotOptions): [number, number] {
  let [lo, hi] =
    options.yAxis === 'shared' && options.sharedRange
      ? options.sharedRange
      : dataExtent(result, options.deviation);
  if (options.yAxis === 'radius' && !options.deviation && hi - lo < options.radius) {
    const mid = (lo + hi) / 2;
    lo = mid - options.radius / 2;
    hi = mid + options.radius / 2;
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/**
 * The part of the Canvas 2D API that `paintPanel` draws with: a canvas context, or `SvgContext`
 * (svgContext.ts), which records the same calls as SVG elements. Nothing outside this list may be
 * used by paintPanel, so the canvas and the SVG export cannot drift apart.
 */

/**
 * Labels what is drawn next with data attributes (the SVG export: `data-curve` on each curve,
 * `data-role="model"` on the dashed model), until the next call; null stops. A canvas ignores it.
 */
export type PlotTag = (attributes: Record<string, string> | null) => void;

const noTag: PlotTag = () => {};

/** Default panel size in CSS pixels (a canvas not laid out yet, the SVG export). */
export const PANEL_SIZE = { width: 480, height: 320 } as const;

export function drawPanel(
  canvas: HTMLCanvasElement,
  result: PanelResult | null,
  options: PlotOptions,
  dpr = window.devicePixelRatio || 1,
): PanelLayout | null {
  const prepared = prepareCanvas(canvas, PANEL_SIZE, dpr, options.zoom ?? 1);
  if (!prepared) return null;
  return paintPanel(prepared.ctx, prepared.width, prepared.height, result, options);
}

/** Legend geometry (drawing units): a row of entries, wrapping, in a strip above the plot. */
const LEGEND = { rowH: 16, sample: 28, gap: 4, pad: 12, charW: 7.2 } as const;

interface LegendEntry {
  label: string;
  colour: string;
  dash: number[];
  width: number;
  model: boolean;
}

/** Places entries left to right from `left`, wrapping at `maxWidth`: [x, row] of each. */
function legendRows(entries: LegendEntry[], maxWidth: number): [number, number][] {
  const out: [number, number][] = [];
  let x = 0;
  let row = 0;
  for (const e of entries) {
    if (x > 0 && x + e.width > maxWidth) {
      x = 0;
      row++;
    }
    out.push([x, row]);
    x += e.width + LEGEND.pad;
  }
  return out;
}

/**
 * Paints one panel on a `width` × `height` area (drawing units) of `ctx`: title, legend (a strip
 * between title and plot: it never covers a curve), grid, ticks, axis labels, the curves clipped
 * to the plot, the dashed model, and provenance. Light by default (the white of the exports);
 * `options.theme` DARK_THEME paints its own dark ground. Returns where the plot and legend went.
 */
export function paintPanel(
  ctx: PlotContext,
  cssWidth: number,
  cssHeight: number,
  result: PanelResult | null,
  options: PlotOptions,
  tag: PlotTag = noTag,
): PanelLayout {
  const font = plotFont;
  const theme = options.theme ?? LIGHT_THEME;

  if (theme.background) {
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, cssWidth, cssHeight);
  }

  const model = result && !options.deviation ? result.model : null;
  const modelLabel = model
    ? model.kind === 'multilinear'
      ? 'model q'
      : `fit, deg ${model.degree}`
    : null;
  const margin = { left: 62, right: 14, top: 30, bottom: 42 };
  const entries: LegendEntry[] = (result?.curves ?? []).map((_, d) => {
    const label = `Δ${d + 1}`;
    return {
      label,
      colour: directionColour(d),
      dash: [...DIRECTION_DASHES[d % DIRECTION_DASHES.length]],
      width: LEGEND.sample + LEGEND.gap + label.length * LEGEND.charW,
      model: false,
    };
  });
  if (modelLabel)
    entries.push({
      label: modelLabel,
      colour: theme.model,
      dash: [5, 4],
      width: LEGEND.sample + LEGEND.gap + modelLabel.length * LEGEND.charW,
      model: true,
    });
  const plotW = cssWidth - margin.left - margin.right;
  const places = legendRows(entries, plotW);
  const legendRowsN = entries.length > 0 ? Math.max(...places.map((p) => p[1])) + 1 : 0;
  const legendTop = 28;
  if (legendRowsN > 0) margin.top = legendTop + legendRowsN * LEGEND.rowH + 6;
  const plotH = cssHeight - margin.top - margin.bottom;

  ctx.fillStyle = theme.title;
  ctx.font = font(14, 600);
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillText(options.title, margin.left, 20);

  const R = options.radius;
  const [y0, y1] = result ? yRange(result, options) : [-1, 1];
  const sx = (t: number) => margin.left + ((t + R) / (2 * R)) * plotW;
  const sy = (v: number) => margin.top + (1 - (v - y0) / (y1 - y0)) * plotH;
  const plot = { left: margin.left, top: margin.top, width: plotW, height: plotH };
  const layout: PanelLayout = {
    plot,
    legend:
      legendRowsN > 0
        ? {
            left: margin.left,
            top: legendTop,
            width: Math.max(...entries.map((e, k) => places[k][0] + e.width)),
            height: legendRowsN * LEGEND.rowH,
          }
        : null,
    x: sx,
    y: sy,
    t: (x: number) => ((x - margin.left) / plotW) * 2 * R - R,
  };

  // Grid and ticks.
  const xt = niceTicks(-R, R, 6);
  const yt = niceTicks(y0, y1, 5);
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.font = font(12);
  ctx.fillStyle = theme.text;
  for (const t of xt) {
    const x = Math.round(sx(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, margin.top);
    ctx.lineTo(x, margin.top + plotH);
    ctx.stroke();
    ctx.textAlign = 'center';
    ctx.fillText(formatTick(t, xt), x, margin.top + plotH + 16);
  }
  for (const v of yt) {
    const y = Math.round(sy(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(margin.left, y);
    ctx.lineTo(margin.left + plotW, y);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(formatTick(v, yt), margin.left - 6, y);
  }
  ctx.textBaseline = 'alphabetic';
  ctx.strokeStyle = theme.frame;
  ctx.strokeRect(margin.left + 0.5, margin.top + 0.5, plotW, plotH);

  axisLabels(
    ctx,
    plot,
    cssHeight,
    options.deviation ? `g − best degree-${result?.deviation.degree ?? '?'} fit` : 'g(W + tΔ; x)',
    theme.title,
  );
  ctx.textAlign = 'center';

  if (!result) {
    ctx.fillStyle = theme.muted;
    ctx.font = font(13);
    ctx.fillText(
      options.pending ? 'computing…' : 'no result',
      margin.left + plotW / 2,
      margin.top + plotH / 2,
    );
    return layout;
  }

  // Curves, clipped to the plot. Polynomials are evaluated at one point per pixel.
  const steps = Math.max(2, Math.round(plotW));
  const tracePolynomial = (c: ArrayLike<number>) => {
    for (let i = 0; i <= steps; i++) {
      const t = -R + (2 * R * i) / steps;
      const y = sy(evaluatePolynomial(c, t));
      if (i === 0) ctx.moveTo(sx(t), y);
      else ctx.lineTo(sx(t), y);
    }
  };
  ctx.save();
  ctx.beginPath();
  ctx.rect(margin.left, margin.top, plotW, plotH);
  ctx.clip();
  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  const exact = options.deviation ? result.deviation.coefficients : result.coefficients;
  // Each direction its colour and its dash pattern, offset by direction: where curves coincide,
  // the later one's gaps show the earlier ones, so several curves read as several.
  plotted(result, options.deviation).forEach((curve, d) => {
    ctx.strokeStyle = directionColour(d);
    ctx.setLineDash(directionDash(d));
    tag({ 'data-curve': String(d) });
    ctx.beginPath();
    if (exact?.[d]) tracePolynomial(exact[d]);
    else {
      curve.ts.forEach((t, i) => {
        if (i === 0) ctx.moveTo(sx(t), sy(curve.values[i]));
        else ctx.lineTo(sx(t), sy(curve.values[i]));
      });
    }
    ctx.stroke();
  });
  ctx.setLineDash([]);
  tag(null);
  // The model q (Theorem 2) or its least-squares stand-in, dashed over g.
  if (model) {
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.5;
    // Dark dashes over each coloured g: where q and g agree, the dashes sit on the curve.
    ctx.strokeStyle = theme.model;
    ctx.globalAlpha = 0.75;
    model.coefficients.forEach((c, d) => {
      tag({ 'data-role': 'model', 'data-direction': String(d) });
      ctx.beginPath();
      tracePolynomial(c);
      ctx.stroke();
    });
    tag(null);
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
  }
  ctx.restore();

  // Legend: a strip between the title and the plot, each entry its line sample (colour and dash)
  // and label.
  ctx.font = font(12);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  tag({ 'data-role': 'legend' });
  entries.forEach((e, k) => {
    const [x0, row] = places[k];
    const x = margin.left + x0;
    const y = legendTop + row * LEGEND.rowH + LEGEND.rowH / 2;
    ctx.strokeStyle = e.colour;
    ctx.lineWidth = e.model ? 1.5 : 2.5;
    ctx.setLineDash(e.dash);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + LEGEND.sample, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = theme.title;
    ctx.fillText(e.label, x + LEGEND.sample + LEGEND.gap, y);
  });
  tag(null);

  // Provenance: bottom right, under the x axis's label line.
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = theme.muted;
  ctx.font = font(11);
  const how = result.coefficients
    ? 'exact polynomial'
    : `${result.curves[0]?.ts.length ?? 0}-point grid`;
  ctx.fillText(
    `${how} · ${result.engine.precision} · ${result.engine.kind === 'webgpu' ? 'WebGPU' : 'CPU'}`,
    margin.left + plotW - 6,
    margin.top + plotH - 6,
  );
  return layout;
}

/** Centred x-axis label at the bottom and rotated y-axis label at the left, in `colour`. */
function axisLabels(
  ctx: PlotContext,
  plot: { left: number; top: number; width: number; height: number },
  canvasHeight: number,
  yLabel: string,
  colour: string,
): void {
  ctx.fillStyle = colour;
  ctx.font = plotFont(13);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('t', plot.left + plot.width / 2, canvasHeight - 6);
  ctx.save();
  ctx.translate(14, plot.top + plot.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}
