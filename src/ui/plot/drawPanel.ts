// Draws one panel (curves of t ↦ g(W + tΔ; x)) on a 2D canvas at device-pixel resolution:
// axes with 1-2-5 ticks, labels, legend, precision note. Pure drawing, no React, no store.
// `paintPanel` draws through `PlotContext`, a subset of the Canvas 2D API, so the same code paints
// the canvas and the SVG export (svgContext.ts, figureSvg.ts).

import type { PanelResult } from '../../experiments/figure';
import type { YAxis } from '../../experiments/settings';
import { evaluatePolynomial } from '../../model/polynomial';
import { drawAxisLabels, type PlotContext, plotFont, prepareCanvas } from './canvas';

export type { PlotContext };

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies (yellow darkened for white). */
export const DIRECTION_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#000000',
  '#B8A000',
];

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
): void {
  const prepared = prepareCanvas(canvas, PANEL_SIZE, dpr, options.zoom ?? 1);
  if (!prepared) return;
  paintPanel(prepared.ctx, prepared.width, prepared.height, result, options);
}

/**
 * Paints one panel on a white `width` × `height` area (drawing units) of `ctx`: title, grid, ticks,
 * axis labels, the curves clipped to the plot, the dashed model, legend and provenance.
 */
export function paintPanel(
  ctx: PlotContext,
  cssWidth: number,
  cssHeight: number,
  result: PanelResult | null,
  options: PlotOptions,
  tag: PlotTag = noTag,
): void {
  const font = plotFont;

  const margin = { left: 62, right: 14, top: 30, bottom: 42 };
  const plotW = cssWidth - margin.left - margin.right;
  const plotH = cssHeight - margin.top - margin.bottom;

  ctx.fillStyle = '#111';
  ctx.font = font(14, 600);
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillText(options.title, margin.left, 20);

  const R = options.radius;
  const [y0, y1] = result ? yRange(result, options) : [-1, 1];
  const sx = (t: number) => margin.left + ((t + R) / (2 * R)) * plotW;
  const sy = (v: number) => margin.top + (1 - (v - y0) / (y1 - y0)) * plotH;

  // Grid and ticks.
  const xt = niceTicks(-R, R, 6);
  const yt = niceTicks(y0, y1, 5);
  ctx.strokeStyle = '#e4e4e4';
  ctx.lineWidth = 1;
  ctx.font = font(12);
  ctx.fillStyle = '#333';
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
  ctx.strokeStyle = '#555';
  ctx.strokeRect(margin.left + 0.5, margin.top + 0.5, plotW, plotH);

  const plot = { left: margin.left, top: margin.top, width: plotW, height: plotH };
  drawAxisLabels(
    ctx,
    plot,
    cssHeight,
    't',
    options.deviation ? `g − best degree-${result?.deviation.degree ?? '?'} fit` : 'g(W + tΔ; x)',
  );
  ctx.textAlign = 'center';

  if (!result) {
    ctx.fillStyle = '#777';
    ctx.font = font(13);
    ctx.fillText(
      options.pending ? 'computing…' : 'no result',
      margin.left + plotW / 2,
      margin.top + plotH / 2,
    );
    return;
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
  plotted(result, options.deviation).forEach((curve, d) => {
    ctx.strokeStyle = DIRECTION_COLOURS[d % DIRECTION_COLOURS.length];
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
  tag(null);
  // The model q (Theorem 2) or its least-squares stand-in, dashed over g.
  const model = options.deviation ? null : result.model;
  if (model) {
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.5;
    // Dark dashes over each coloured g: where q and g agree, the dashes sit on the curve.
    ctx.strokeStyle = '#222';
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

  // Legend (top left inside the plot) and provenance (bottom right).
  ctx.font = font(12);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const rowH = 15;
  const boxW = 52;
  const modelLabel = model
    ? model.kind === 'multilinear'
      ? 'model q'
      : `fit, deg ${model.degree}`
    : null;
  const boxH = (result.curves.length + (modelLabel ? 1 : 0)) * rowH + 6;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(margin.left + 6, margin.top + 6, modelLabel ? 96 : boxW, boxH);
  if (modelLabel) {
    const y = margin.top + 6 + 3 + rowH * result.curves.length + rowH / 2;
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(margin.left + 11, y);
    ctx.lineTo(margin.left + 27, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#222';
    ctx.fillText(modelLabel, margin.left + 31, y);
  }
  result.curves.forEach((_, d) => {
    const y = margin.top + 6 + 3 + rowH * d + rowH / 2;
    ctx.strokeStyle = DIRECTION_COLOURS[d % DIRECTION_COLOURS.length];
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(margin.left + 11, y);
    ctx.lineTo(margin.left + 27, y);
    ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.fillText(`Δ${d + 1}`, margin.left + 31, y);
  });
  ctx.textAlign = 'right';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = '#555';
  ctx.font = font(11);
  const how = result.coefficients
    ? 'exact polynomial'
    : `${result.curves[0]?.ts.length ?? 0}-point grid`;
  ctx.fillText(
    `${how} · ${result.engine.precision} · ${result.engine.kind === 'webgpu' ? 'WebGPU' : 'CPU'}`,
    margin.left + plotW - 6,
    margin.top + plotH - 6,
  );
}
