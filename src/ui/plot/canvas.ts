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

/** Centred x-axis label at the bottom and rotated y-axis label at the left. */
export function drawAxisLabels(
  ctx: PlotContext,
  plot: { left: number; top: number; width: number; height: number },
  canvasHeight: number,
  xLabel: string,
  yLabel: string,
): void {
  ctx.fillStyle = '#111';
  ctx.font = plotFont(13);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(xLabel, plot.left + plot.width / 2, canvasHeight - 6);
  ctx.save();
  ctx.translate(14, plot.top + plot.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}
