// Log–log plot of the width sweep: median non-multilinear part against m, every direction as a
// faint dot, the theorem's O(1/√m) slope as a dashed reference, and the float32 noise floor.

import type { SweepPoint, SweepResult } from '../../experiments/sweep';
import { drawAxisLabels, plotFont, prepareCanvas } from './canvas';
import { DIRECTION_COLOURS } from './drawPanel';

export function drawSweep(
  canvas: HTMLCanvasElement,
  points: SweepPoint[],
  result: SweepResult | null,
  dpr = window.devicePixelRatio || 1,
): void {
  const prepared = prepareCanvas(canvas, { width: 600, height: 300 }, dpr);
  if (!prepared) return;
  const { ctx, width: w, height: h } = prepared;
  const font = (size: number) => plotFont(size);
  const m = { left: 64, right: 16, top: 14, bottom: 40 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const values = points.flatMap((p) => p.perDirection).filter((v) => v > 0);
  if (points.length === 0 || values.length === 0) {
    ctx.fillStyle = '#777';
    ctx.font = font(13);
    ctx.fillText(
      points.length === 0 ? 'no sweep yet' : 'all values are exactly 0',
      m.left + 10,
      m.top + 20,
    );
    return;
  }
  const x0 = Math.log10(points[0].width) - 0.15;
  const x1 = Math.log10(points[points.length - 1].width) + 0.15;
  const floor = result?.noiseFloor ?? 0;
  const y0 = Math.floor(
    Math.log10(Math.min(...values, floor > 0 ? floor : Number.POSITIVE_INFINITY)),
  );
  const y1 = Math.ceil(Math.log10(Math.max(...values)));
  const sx = (width: number) => m.left + ((Math.log10(width) - x0) / (x1 - x0)) * pw;
  const sy = (v: number) => m.top + (1 - (Math.log10(v) - y0) / Math.max(1, y1 - y0)) * ph;

  ctx.strokeStyle = '#e4e4e4';
  ctx.fillStyle = '#333';
  ctx.font = font(12);
  for (let e = y0; e <= y1; e++) {
    const y = Math.round(sy(10 ** e)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(m.left, y);
    ctx.lineTo(m.left + pw, y);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(`1e${e}`, m.left - 6, y);
  }
  for (const p of points) {
    const x = Math.round(sx(p.width)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, m.top);
    ctx.lineTo(x, m.top + ph);
    ctx.stroke();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(String(p.width), x, m.top + ph + 15);
  }
  ctx.strokeStyle = '#555';
  ctx.strokeRect(m.left + 0.5, m.top + 0.5, pw, ph);
  const plot = { left: m.left, top: m.top, width: pw, height: ph };
  drawAxisLabels(ctx, plot, h, 'hidden width m (log)', 'non-multilinear part');

  ctx.save();
  ctx.beginPath();
  ctx.rect(m.left, m.top, pw, ph);
  ctx.clip();
  if (floor > 0) {
    ctx.fillStyle = 'rgba(120,120,120,0.12)';
    ctx.fillRect(m.left, sy(floor), pw, m.top + ph - sy(floor));
  }
  // Reference slope −1/2 through the first median.
  const first = points.find((p) => p.median > 0);
  if (first) {
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = '#888';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    const last = points[points.length - 1].width;
    ctx.moveTo(sx(first.width), sy(first.median));
    ctx.lineTo(sx(last), sy(first.median * Math.sqrt(first.width / last)));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  for (const p of points) {
    p.perDirection.forEach((v, d) => {
      if (v <= 0) return;
      ctx.fillStyle = DIRECTION_COLOURS[d % DIRECTION_COLOURS.length];
      ctx.globalAlpha = 0.45;
      ctx.beginPath();
      ctx.arc(sx(p.width) + (d - 2) * 3, sy(v), 3, 0, 2 * Math.PI);
      ctx.fill();
    });
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = '#0b3d5c';
  ctx.fillStyle = '#0b3d5c';
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  points
    .filter((p) => p.median > 0)
    .forEach((p, i) => {
      if (i === 0) ctx.moveTo(sx(p.width), sy(p.median));
      else ctx.lineTo(sx(p.width), sy(p.median));
    });
  ctx.stroke();
  ctx.restore();

  ctx.font = font(12);
  ctx.textAlign = 'right';
  ctx.fillStyle = '#333';
  const slope =
    result && Number.isFinite(result.slope)
      ? `measured slope ${result.slope.toFixed(2)}`
      : 'measuring…';
  ctx.fillText(
    `${slope} · dashed: bound's slope −0.50${floor > 0 ? ' · grey: float32 noise' : ''}`,
    m.left + pw - 6,
    m.top + 16,
  );
}
