// The width sweep's two log–log plots against m, one colour per direction family:
// - drawSweepSize: the non-multilinear size, every sample a faint dot, the median a line, the
//   bound's slope −1/2 dashed from above the highest first median (Theorem 2);
// - drawSweepCoefficients: median |c_B| (solid) and |c_{B+1}| (dashed), the derivative scales of
//   Lemmas 3 and 2, faint dots per sample.
// Legends give each family's fitted slope beside the theorem's; the float32 noise floor is a grey
// band (one per family: darker where it is round-off for several).

import type { SweepPoint, SweepResult, SweepSeries } from '../../experiments/sweep';
import type { DirectionFamily } from '../../model/directions';
import {
  drawAxisLabels,
  drawEmptyNote,
  drawHorizontalGridLine,
  drawPlotBorder,
  drawReferenceLine,
  drawVerticalGridLine,
  plotFont,
  startPlot,
} from './canvas';
import { DIRECTION_COLOURS } from './drawPanel';
import { atLeastTwoDecades, clipToPlot, type Frame, legend, logScaleY } from './logAxes';

/** A fixed colour per family, from the direction palette (aligned blue, chained vermilion). */
export const FAMILY_COLOURS: Record<DirectionFamily, string> = {
  aligned: DIRECTION_COLOURS[0],
  chained: DIRECTION_COLOURS[4],
  gaussian: DIRECTION_COLOURS[2],
  tilted: DIRECTION_COLOURS[3],
  gradient: DIRECTION_COLOURS[1],
};

/** A slope for a legend: "−0.62", or "…" while it is not fitted yet. */
export function formatSlope(slope: number | null): string {
  if (slope === null) return '—';
  if (!Number.isFinite(slope)) return '…';
  const s = slope.toFixed(2);
  return s === '-0.00' ? '0.00' : s.replace('-', '−');
}

const SIZE = { width: 600, height: 300 };
const MARGIN = { left: 58, right: 12, top: 28, bottom: 40 };

/** Frame, grid, ticks and labels of a log–log plot against m; null when nothing is positive. */
export function logLogFrame(
  canvas: HTMLCanvasElement,
  dpr: number,
  title: string,
  yLabel: string,
  widths: number[],
  values: number[],
  empty: string,
): Frame | null {
  const started = startPlot(canvas, SIZE, MARGIN, dpr, title);
  if (!started) return null;
  const { ctx, height: h, plot } = started;
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (widths.length === 0 || positive.length === 0) {
    drawEmptyNote(ctx, MARGIN, empty);
    return null;
  }
  const x0 = Math.log10(widths[0]) - 0.12;
  const x1 = Math.log10(widths[widths.length - 1]) + 0.12;
  const [y0, y1] = atLeastTwoDecades(
    Math.floor(Math.log10(Math.min(...positive))),
    Math.ceil(Math.log10(Math.max(...positive))),
  );
  const sx = (width: number) => plot.left + ((Math.log10(width) - x0) / (x1 - x0)) * plot.width;
  const sy = logScaleY(plot, y0, y1);

  ctx.font = plotFont(12);
  ctx.lineWidth = 1;
  // Every decade a grid line; labels on as many as fit (about 22 px apart).
  const every = Math.max(1, Math.ceil((22 * (y1 - y0)) / plot.height));
  for (let e = y0; e <= y1; e++) {
    drawHorizontalGridLine(ctx, plot, sy(10 ** e), (e - y0) % every === 0 ? `1e${e}` : undefined);
  }
  // Every width a grid line; labels on every other one when they would touch.
  const label = Math.max(...widths.map((v) => ctx.measureText(String(v)).width)) + 8;
  const step = Math.max(1, Math.ceil(label / (sx(widths[1] ?? widths[0] * 2) - sx(widths[0]))));
  widths.forEach((width, i) => {
    drawVerticalGridLine(ctx, plot, sx(width), i % step === 0 ? String(width) : undefined, 15);
  });
  drawPlotBorder(ctx, plot);
  drawAxisLabels(ctx, plot, h, 'hidden width m (log)', yLabel);
  return { ctx, sx, sy, plot };
}

/** Grey below a noise floor (float32 only; a floor of 0 draws nothing). */
function noiseBand(frame: Frame, floor: number): void {
  if (!(floor > 0)) return;
  const { ctx, sy, plot } = frame;
  const y = Math.max(plot.top, sy(floor));
  ctx.fillStyle = 'rgba(120,120,120,0.12)';
  ctx.fillRect(plot.left, y, plot.width, plot.top + plot.height - y);
}

/** Faint dots of each sample, shifted sideways per family so families do not cover each other. */
function dots(
  frame: Frame,
  series: SweepSeries,
  offset: number,
  values: (p: SweepPoint) => number[],
  hollow = false,
): void {
  const { ctx, sx, sy } = frame;
  ctx.fillStyle = FAMILY_COLOURS[series.family];
  ctx.strokeStyle = FAMILY_COLOURS[series.family];
  ctx.globalAlpha = 0.18;
  ctx.lineWidth = 1;
  for (const p of series.points) {
    for (const v of values(p)) {
      if (!(v > 0)) continue;
      ctx.beginPath();
      ctx.arc(sx(p.width) + offset, sy(v), 2.2, 0, 2 * Math.PI);
      if (hollow) ctx.stroke();
      else ctx.fill();
    }
  }
  ctx.globalAlpha = 1;
}

/** The median line with a marker per width; zeros (exact) are skipped. */
function medianLine(
  frame: Frame,
  series: SweepSeries,
  value: (p: SweepPoint) => number,
  dash: number[] = [],
): void {
  const { ctx, sx, sy } = frame;
  const colour = FAMILY_COLOURS[series.family];
  const kept = series.points.filter((p) => value(p) > 0);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2.5;
  ctx.setLineDash(dash);
  ctx.beginPath();
  kept.forEach((p, i) => {
    if (i === 0) ctx.moveTo(sx(p.width), sy(value(p)));
    else ctx.lineTo(sx(p.width), sy(value(p)));
  });
  ctx.stroke();
  ctx.setLineDash([]);
  for (const p of kept) {
    ctx.beginPath();
    ctx.arc(sx(p.width), sy(value(p)), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Left plot: the non-multilinear size against m per family, with the bound's slope −1/2. */
export function drawSweepSize(
  canvas: HTMLCanvasElement,
  result: SweepResult | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const series = result?.series ?? [];
  const floors = series.map((s) => s.noiseFloor);
  // The bound's slope −1/2, from twice the highest median at the first width: a family at the
  // bound's rate (chained) runs parallel to it, just below.
  const first = result?.widths[0] ?? 0;
  const start =
    2 * Math.max(0, ...series.map((s) => (s.points[0]?.width === first ? s.points[0].median : 0)));
  const frame = logLogFrame(
    canvas,
    dpr,
    'Non-multilinear size Σ|p_α| R^|α| (Theorem 2)',
    'non-multilinear size',
    result?.widths ?? [],
    [
      ...series.flatMap((s) => s.points.flatMap((p) => [p.median, ...p.perDirection])),
      ...floors,
      start,
    ],
    !result || series.every((s) => s.points.length === 0)
      ? 'no sweep yet'
      : result.cB1Vanishes
        ? 'exactly multilinear: one layer per block, the size is 0 at every m'
        : 'all values are exactly 0',
  );
  if (!frame || !result) return;
  const { ctx, sx, sy } = frame;
  clipToPlot(frame);
  for (const floor of floors) noiseBand(frame, floor);
  series.forEach((s, i) => {
    dots(frame, s, (i - (series.length - 1) / 2) * 5, (p) => p.perDirection);
  });
  const last = result.widths[result.widths.length - 1];
  if (start > 0) {
    drawReferenceLine(
      ctx,
      [sx(first), sy(start)],
      [sx(last), sy(start * Math.sqrt(first / last))],
      {
        colour: '#666',
        width: 1.5,
        dash: [7, 5],
      },
    );
  }
  for (const s of series) medianLine(frame, s, (p) => p.median);
  ctx.restore();
  legend(
    frame,
    [
      ...series.map((s) => ({
        colour: FAMILY_COLOURS[s.family],
        dash: [],
        text: `${s.family}: slope ${formatSlope(s.slope)}`,
      })),
      { colour: '#666', dash: [7, 5], width: 1.5, text: 'bound: slope −0.50' },
      ...(floors.some((f) => f > 0)
        ? [{ colour: 'rgba(120,120,120,0.35)', dash: [], width: 8, text: 'float32 noise' }]
        : []),
    ],
    'bottom-left',
  );
}

/** Right plot: median |c_B| (solid) and |c_{B+1}| (dashed) against m per family. */
export function drawSweepCoefficients(
  canvas: HTMLCanvasElement,
  result: SweepResult | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const series = result?.series ?? [];
  const B = result?.blocks ?? 0;
  const floors = series.map((s) => s.coefficientNoiseFloor);
  const frame = logLogFrame(
    canvas,
    dpr,
    result
      ? `Derivative scales |c_${B}|, |c_${B + 1}| (c_j = j-th derivative / j!)`
      : 'Derivative scales |c_B|, |c_B+1|',
    result ? `|c_${B}| solid, |c_${B + 1}| dashed` : '|c_j|',
    result?.widths ?? [],
    [
      ...series.flatMap((s) =>
        s.points.flatMap((p) => [p.cB, p.cB1, ...p.perDirectionCB, ...p.perDirectionCB1]),
      ),
      ...floors,
    ],
    result ? 'all values are exactly 0' : 'no sweep yet',
  );
  if (!frame || !result) return;
  const { ctx } = frame;
  clipToPlot(frame);
  for (const floor of floors) noiseBand(frame, floor);
  series.forEach((s, i) => {
    const offset = (i - (series.length - 1) / 2) * 5;
    dots(frame, s, offset, (p) => p.perDirectionCB);
    if (!result.cB1Vanishes) dots(frame, s, offset, (p) => p.perDirectionCB1, true);
  });
  for (const s of series) {
    medianLine(frame, s, (p) => p.cB);
    if (!result.cB1Vanishes) medianLine(frame, s, (p) => p.cB1, [7, 4]);
  }
  ctx.restore();
  const t = result.theorem;
  legend(
    frame,
    [
      ...series.flatMap((s) => [
        {
          colour: FAMILY_COLOURS[s.family],
          dash: [],
          // Lemma 3 bounds the operator norm: slope 0 is attained along aligned directions; any
          // other direction has |c_B| ≤ that norm, so only ≤ 0 is promised.
          text: `${s.family} |c_${B}|: ${formatSlope(s.slopeCB)} (theorem ${s.family === 'aligned' ? '' : '≤ '}${formatSlope(t.cB)})`,
        },
        ...(result.cB1Vanishes
          ? []
          : [
              {
                colour: FAMILY_COLOURS[s.family],
                dash: [7, 4],
                text: `${s.family} |c_${B + 1}|: ${formatSlope(s.slopeCB1)} (theorem ≤ ${formatSlope(t.cB1)})`,
              },
            ]),
      ]),
      ...(result.cB1Vanishes
        ? [{ colour: '#fff', dash: [], text: `c_${B + 1} ≡ 0: one layer per block` }]
        : []),
    ],
    'bottom-left',
  );
}
