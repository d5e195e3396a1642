// The degree verdict against m (experiments/degreeSweep.ts) on log–log axes: one line per row S
// of the degree table (its relative excess, the part above degree |S|), Theorem 2's 1/√m dotted
// and the verdict's line K/√m dashed (the legend is the HTML table beside it, ui/DegreeTable.tsx). A row under the dashed line is within the theorem's scale;
// a row that runs flat (σ inside a block) crosses it as m grows.

import type { DegreeSweepResult } from '../../experiments/degreeSweep';
import { drawReferenceLine } from './canvas';
import { DIRECTION_COLOURS } from './drawPanel';
import { logLogFrame } from './drawSweep';
import { clipToPlot } from './logAxes';

/** A colour per row, by its place in the table. */
export const rowColour = (r: number) => DIRECTION_COLOURS[r % DIRECTION_COLOURS.length];

export function drawVerdictSweep(
  canvas: HTMLCanvasElement,
  result: DegreeSweepResult | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const widths = result?.widths ?? [];
  const series = result?.series ?? [];
  const K = result?.verdictConstant ?? 0;
  const bounds = widths.flatMap((m) => [1 / Math.sqrt(m), K / Math.sqrt(m)]);
  const frame = logLogFrame(
    canvas,
    dpr,
    'Part above degree |S| (relative) against m',
    'excess (relative)',
    widths,
    [...series.flatMap((s) => s.points.map((p) => p.excess)), ...bounds],
    result ? 'every row is exactly of degree |S|' : 'no sweep yet',
  );
  if (!frame || !result) return;
  const { ctx, sx, sy } = frame;
  clipToPlot(frame);
  const first = widths[0];
  const last = widths[widths.length - 1];
  const line = (c: number, dash: number[]) =>
    drawReferenceLine(
      ctx,
      [sx(first), sy(c / Math.sqrt(first))],
      [sx(last), sy(c / Math.sqrt(last))],
      { colour: '#555', width: 1.5, dash },
    );
  line(K, [8, 5]);
  line(1, [2, 4]);
  series.forEach((s, r) => {
    const colour = rowColour(r);
    const kept = s.points.filter((p) => p.excess > 0);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    kept.forEach((p, i) => {
      if (i === 0) ctx.moveTo(sx(p.width), sy(p.excess));
      else ctx.lineTo(sx(p.width), sy(p.excess));
    });
    ctx.stroke();
    for (const p of kept) {
      ctx.beginPath();
      ctx.arc(sx(p.width), sy(p.excess), 3, 0, 2 * Math.PI);
      // Hollow where the verdict says "exceeds the theorem's scale".
      if (p.consistent) ctx.fill();
      else ctx.stroke();
    }
  });
  ctx.restore();
}
