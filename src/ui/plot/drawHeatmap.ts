// Heat map of |∂²g/∂t_ℓ∂t_ℓ'| over pairs of layers (log colour scale), with block boundaries:
// Lemma 1(b) says the within-block squares fade as m grows and the across-block ones do not.

import type { BlockStructure } from '../../experiments/blockStructure';
import { plotFont, prepareCanvas } from './canvas';

/** Sequential light-to-dark blue, readable in greyscale. */
function colour(f: number): string {
  const t = Math.min(1, Math.max(0, f));
  const r = Math.round(247 - t * (247 - 8));
  const g = Math.round(251 - t * (251 - 48));
  const b = Math.round(255 - t * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

export function drawHeatmap(
  canvas: HTMLCanvasElement,
  data: BlockStructure,
  dpr = window.devicePixelRatio || 1,
): void {
  const prepared = prepareCanvas(canvas, { width: 420, height: 360 }, dpr);
  if (!prepared) return;
  const { ctx, width: w, height: h } = prepared;
  const L = data.blockOfLayer.length;
  const legendW = 90;
  const size = Math.min(w - 70 - legendW, h - 50);
  const cell = size / L;
  const x0 = 50;
  const y0 = 10;
  const off = data.median.filter((v, i) => v > 0 && Math.floor(i / L) !== i % L);
  const lo = Math.log10(Math.min(...off, 1));
  const hi = Math.log10(Math.max(...off, 1e-12));
  const span = Math.max(hi - lo, 1e-9);
  ctx.font = plotFont(11);
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < L; b++) {
      const v = data.median[a * L + b];
      ctx.fillStyle = a === b ? '#eeeeee' : v > 0 ? colour((Math.log10(v) - lo) / span) : colour(0);
      ctx.fillRect(x0 + b * cell, y0 + a * cell, cell - 1, cell - 1);
    }
  }
  // Layer labels: W_b^(i).
  ctx.fillStyle = '#333';
  const within: number[] = [];
  data.blockOfLayer.forEach((block, l) => {
    within[l] = data.blockOfLayer.slice(0, l).filter((x) => x === block).length + 1;
    const label = `W${block + 1}.${within[l]}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(label, x0 - 4, y0 + (l + 0.5) * cell);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(label, x0 + (l + 0.5) * cell, y0 + size + 4);
  });
  // Block boundaries (the bottlenecks).
  ctx.strokeStyle = '#D55E00';
  ctx.lineWidth = 2;
  for (let l = 1; l < L; l++) {
    if (data.blockOfLayer[l] === data.blockOfLayer[l - 1]) continue;
    ctx.beginPath();
    ctx.moveTo(x0 + l * cell, y0);
    ctx.lineTo(x0 + l * cell, y0 + size);
    ctx.moveTo(x0, y0 + l * cell);
    ctx.lineTo(x0 + size, y0 + l * cell);
    ctx.stroke();
  }
  // Colour bar.
  const bx = x0 + size + 24;
  for (let i = 0; i < 100; i++) {
    ctx.fillStyle = colour(1 - i / 99);
    ctx.fillRect(bx, y0 + (i / 100) * size, 14, size / 100 + 1);
  }
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(`${(10 ** hi).toExponential(1)}`, bx + 18, y0 + 6);
  ctx.fillText(`${(10 ** lo).toExponential(1)}`, bx + 18, y0 + size - 6);
}
