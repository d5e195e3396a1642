// Pieces shared by the log–log plots (the width sweep's, drawSweep.ts, and the training page's,
// training/drawTraining.ts): the frame a plot draws into, clipping to it, the decade range of the
// y axis and its scale, and the legend box.

import { type PlotArea, plotFont } from './canvas';

/** A drawn plot frame: its context, x and y scales (data → drawing units) and rectangle. */
export interface Frame {
  ctx: CanvasRenderingContext2D;
  sx: (x: number) => number;
  sy: (y: number) => number;
  plot: PlotArea;
}

/** Clips drawing to the plot's rectangle until the caller's `ctx.restore()`. */
export function clipToPlot(frame: Frame): void {
  const { ctx, plot } = frame;
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.left, plot.top, plot.width, plot.height);
  ctx.clip();
}

/** Decades [lo, hi] of a log axis, widened by one decade each side when they span fewer than 2. */
export function atLeastTwoDecades(lo: number, hi: number): [number, number] {
  return hi - lo < 2 ? [lo - 1, hi + 1] : [lo, hi];
}

/** The y scale of a log axis over decades [lo, hi]: 10^lo at the plot's bottom, 10^hi on top. */
export function logScaleY(plot: PlotArea, lo: number, hi: number): (v: number) => number {
  return (v) => plot.top + (1 - (Math.log10(v) - lo) / (hi - lo)) * plot.height;
}

export interface LegendEntry {
  colour: string;
  dash: number[];
  text: string;
  width?: number;
}

/** Legend box in a corner of the plot, a line per entry: its line style, then its text. */
export function legend(
  frame: Frame,
  entries: LegendEntry[],
  corner: 'top-right' | 'bottom-left' | 'top-left' | 'bottom-right' = 'top-right',
): void {
  const { ctx, plot } = frame;
  ctx.font = plotFont(12);
  const line = 17;
  const swatch = 22;
  const textWidth = Math.max(...entries.map((e) => ctx.measureText(e.text).width));
  const boxW = swatch + 8 + textWidth + 12;
  const boxH = entries.length * line + 8;
  const right = corner === 'top-right' || corner === 'bottom-right';
  const upper = corner === 'top-right' || corner === 'top-left';
  const left = right ? plot.left + plot.width - boxW - 6 : plot.left + 6;
  const top = upper ? plot.top + 6 : plot.top + plot.height - boxH - 6;
  ctx.fillStyle = 'rgba(255,255,255,0.88)';
  ctx.fillRect(left, top, boxW, boxH);
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, boxW, boxH);
  entries.forEach((e, i) => {
    const y = top + 4 + line * i + line / 2;
    ctx.strokeStyle = e.colour;
    ctx.lineWidth = e.width ?? 2.5;
    ctx.setLineDash(e.dash);
    ctx.beginPath();
    ctx.moveTo(left + 6, y);
    ctx.lineTo(left + 6 + swatch, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(e.text, left + swatch + 12, y);
  });
}
