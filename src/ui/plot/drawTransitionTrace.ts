// The transition's trace (docs/live.md): as the play control grows the network, each frame's
// non-multilinear part (Σ|p_α|R^|α|, solid), |c_B| (dashed) and |c_{B+1}| (dotted) against m on
// log–log axes, beside Theorem 2's 1/√m (grey). The legend is HTML beside it (TransitionPlayer).

import type { TracePoint } from '../../experiments/transition';
import { drawReferenceLine } from './canvas';
import { DIRECTION_COLOURS } from './drawPanel';
import { logLogFrame } from './drawSweep';
import { clipToPlot } from './logAxes';

export const TRACE_SERIES = [
  { key: 'nonMultilinear', label: 'non-multilinear part', colour: DIRECTION_COLOURS[4], dash: [] },
  { key: 'cB', label: '|c_B|', colour: DIRECTION_COLOURS[0], dash: [7, 4] },
  { key: 'cB1', label: '|c_B+1|', colour: DIRECTION_COLOURS[2], dash: [2, 3] },
] as const;

/** Doublings of 16 up to the widest width played: the x axis's grid. */
const octaves = (widths: number[]) => {
  const top = widths.at(-1) ?? 16;
  const out: number[] = [];
  for (let m = 16; m <= top * 1.001; m *= 2) out.push(m);
  return out.length >= 2 ? out : [16, 32];
};

export function drawTransitionTrace(
  canvas: HTMLCanvasElement,
  widths: number[],
  trace: TracePoint[],
  dpr = window.devicePixelRatio || 1,
): void {
  const axis = octaves(widths);
  const values = trace.flatMap((p) => [p.nonMultilinear, p.cB, p.cB1]);
  const frame = logLogFrame(
    canvas,
    dpr,
    'As m grows (one network)',
    'size (log)',
    axis,
    [...values, ...axis.map((m) => 1 / Math.sqrt(m))],
    'press play',
  );
  if (!frame) return;
  const { ctx, sx, sy } = frame;
  clipToPlot(frame);
  const first = axis[0];
  const last = axis.at(-1) ?? first;
  drawReferenceLine(
    ctx,
    [sx(first), sy(1 / Math.sqrt(first))],
    [sx(last), sy(1 / Math.sqrt(last))],
    {
      colour: '#888',
      width: 1.5,
      dash: [8, 5],
    },
  );
  for (const series of TRACE_SERIES) {
    const points = trace.filter((p) => p[series.key] > 0);
    ctx.strokeStyle = series.colour;
    ctx.fillStyle = series.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash([...series.dash]);
    ctx.beginPath();
    points.forEach((p, i) => {
      const x = sx(p.width);
      const y = sy(p[series.key]);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.restore();
}
