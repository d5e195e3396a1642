// Shared canvas set-up for the 2D plots: device-pixel backing store, CSS-pixel drawing units.

import { FONT_STACK } from '../fonts';

/**
 * The part of the Canvas 2D API the plots draw with. A canvas's context is one; so is the SVG
 * recorder (svgContext.ts), which is how an SVG export draws exactly what the canvas shows.
 */
export type PlotContext = Pick<
  CanvasRenderingContext2D,
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'lineJoin'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
  | 'globalAlpha'
  | 'setLineDash'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'rect'
  | 'stroke'
  | 'fillRect'
  | 'strokeRect'
  | 'fillText'
  | 'save'
  | 'restore'
  | 'clip'
  | 'translate'
  | 'rotate'
>;

export interface PreparedCanvas {
  ctx: CanvasRenderingContext2D;
  /** Size in drawing units (CSS pixels / zoom). */
  width: number;
  height: number;
}

/**
 * Sizes the backing store to CSS size × devicePixelRatio (crisp on high-DPI screens and
 * projectors), scales the context so drawing is in CSS pixels, and clears to white.
 */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  fallback: { width: number; height: number },
  dpr = window.devicePixelRatio || 1,
  zoom = 1,
): PreparedCanvas | null {
  // `zoom` > 1 draws everything larger (text, lines) at full sharpness: the drawing units shrink
  // to CSS size / zoom, and the backing store stays CSS size × devicePixelRatio.
  const cssWidth = canvas.clientWidth || fallback.width;
  const cssHeight = canvas.clientHeight || fallback.height;
  if (
    canvas.width !== Math.round(cssWidth * dpr) ||
    canvas.height !== Math.round(cssHeight * dpr)
  ) {
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(cssHeight * dpr);
  }
  const width = cssWidth / zoom;
  const height = cssHeight / zoom;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  return { ctx, width, height };
}

/**
 * The plots' CSS font: the bundled Inter (fonts.ts) first. Canvas text uses it once it is loaded;
 * frameQueue.ts holds the first draws until then (loadFonts).
 */
export const plotFont = (size: number, weight = 400) => `${weight} ${size}px ${FONT_STACK}`;

/** A plot's rectangle inside its canvas, in drawing units. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Space around a plot's rectangle for its title, ticks and axis labels. */
export interface PlotMargins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface StartedPlot extends PreparedCanvas {
  /** The canvas less its margins. */
  plot: PlotArea;
}

/**
 * Prepares the canvas (prepareCanvas), works out the plot's rectangle from the margins and draws
 * the bold title at the top, from `titleX`. Null without a 2D context.
 */
export function startPlot(
  canvas: HTMLCanvasElement,
  fallback: { width: number; height: number },
  margin: PlotMargins,
  dpr: number,
  title: string,
  titleX = margin.left,
): StartedPlot | null {
  const prepared = prepareCanvas(canvas, fallback, dpr);
  if (!prepared) return null;
  const { ctx, width, height } = prepared;
  const plot = {
    left: margin.left,
    top: margin.top,
    width: width - margin.left - margin.right,
    height: height - margin.top - margin.bottom,
  };
  ctx.fillStyle = '#111';
  ctx.font = plotFont(13, 600);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(title, titleX, 17);
  return { ctx, width, height, plot };
}

/** The grey note drawn in place of a plot that has nothing to show yet ("no run yet"). */
export function drawEmptyNote(ctx: PlotContext, margin: PlotMargins, text: string): void {
  ctx.fillStyle = '#777';
  ctx.font = plotFont(13);
  ctx.fillText(text, margin.left + 10, margin.top + 24);
}

/**
 * A light grid line across the plot at height `at` (snapped to the pixel grid), with its tick label
 * left of the plot when one is given. The font and line width are the caller's.
 */
export function drawHorizontalGridLine(
  ctx: PlotContext,
  plot: PlotArea,
  at: number,
  label?: string,
): void {
  const y = Math.round(at) + 0.5;
  ctx.strokeStyle = '#e4e4e4';
  ctx.beginPath();
  ctx.moveTo(plot.left, y);
  ctx.lineTo(plot.left + plot.width, y);
  ctx.stroke();
  if (label === undefined) return;
  ctx.fillStyle = '#333';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText(label, plot.left - 5, y);
}

/**
 * A light grid line down the plot at `at` (snapped to the pixel grid), with its tick label
 * `labelGap` below the plot when one is given. The font and line width are the caller's.
 */
export function drawVerticalGridLine(
  ctx: PlotContext,
  plot: PlotArea,
  at: number,
  label: string | undefined,
  labelGap: number,
): void {
  const x = Math.round(at) + 0.5;
  ctx.strokeStyle = '#e4e4e4';
  ctx.beginPath();
  ctx.moveTo(x, plot.top);
  ctx.lineTo(x, plot.top + plot.height);
  ctx.stroke();
  if (label === undefined) return;
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(label, x, plot.top + plot.height + labelGap);
}

/** The dark frame around the plot's rectangle. */
export function drawPlotBorder(ctx: PlotContext, plot: PlotArea): void {
  ctx.strokeStyle = '#555';
  ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width, plot.height);
}

/** A straight dashed reference line (a bound, y = x, R = 1) from (x0, y0) to (x1, y1). */
export function drawReferenceLine(
  ctx: PlotContext,
  from: [number, number],
  to: [number, number],
  style: { colour: string; width: number; dash: number[] },
): void {
  ctx.strokeStyle = style.colour;
  ctx.lineWidth = style.width;
  ctx.setLineDash(style.dash);
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
  ctx.setLineDash([]);
}

/** Font size and distances from the canvas's bottom and left edges of the axis labels. */
export interface AxisLabelStyle {
  fontSize: number;
  bottomGap: number;
  leftGap: number;
}

const AXIS_LABELS: AxisLabelStyle = { fontSize: 13, bottomGap: 6, leftGap: 14 };

/** Centred x-axis label at the bottom and rotated y-axis label at the left. */
export function drawAxisLabels(
  ctx: PlotContext,
  plot: PlotArea,
  canvasHeight: number,
  xLabel: string,
  yLabel: string,
  style: AxisLabelStyle = AXIS_LABELS,
): void {
  ctx.fillStyle = '#111';
  ctx.font = plotFont(style.fontSize);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(xLabel, plot.left + plot.width / 2, canvasHeight - style.bottomGap);
  ctx.save();
  ctx.translate(style.leftGap, plot.top + plot.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}
