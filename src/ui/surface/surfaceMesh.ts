// The numbers behind the (t₁, t₂) surface, without three.js or the DOM: heights of p(t₁, t₂) on
// a grid (the mesh and its ruling lines are drawn through grid points) and the largest gap to
// the bilinear part. The page computes it, for the stats line, and sends the heights to the
// surface worker; it takes well under a millisecond.

import { multilinearPart } from '../../experiments/theorem';
import { multiIndex, type PolynomialLayout } from '../../model/polynomial';

/** Grid of the surface mesh per axis, and ruling lines drawn per axis. */
export const MESH_STEPS = 48;
export const RULINGS = 9;

export interface SurfaceData {
  layout: PolynomialLayout;
  coefficients: number[];
  radius: number;
}

export interface SurfaceGrid {
  steps: number;
  /** (steps + 1)² heights p(t₁, t₂) − p(0, 0), scaled to [−1, 1]; index i·(steps + 1) + j. */
  heights: Float32Array;
  /** Largest |p − p(0, 0)| on the square. */
  range: number;
  /** Largest gap between p and its multilinear part on the grid, relative to the range. */
  bilinearError: number;
}

/**
 * p on the grid t = (2k/steps − 1)·R, k = 0 … steps, as p(i, j) = Σ_a t_i^a Σ_b C_ab t_j^b: the
 * inner sums once per column, so the whole grid costs (steps + 1)² · (degree + 1) operations.
 */
function gridValues(coefficients: Float64Array, d0: number, d1: number, t: Float64Array) {
  const n = t.length;
  // inner[a·n + j] = Σ_b C[a][b] t_j^b (Horner).
  const inner = new Float64Array((d0 + 1) * n);
  for (let a = 0; a <= d0; a++) {
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let b = d1; b >= 0; b--) v = v * t[j] + coefficients[a * (d1 + 1) + b];
      inner[a * n + j] = v;
    }
  }
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let a = d0; a >= 0; a--) v = v * t[i] + inner[a * n + j];
      values[i * n + j] = v;
    }
  }
  return values;
}

export function surfaceGrid({ layout, coefficients, radius }: SurfaceData): SurfaceGrid {
  const steps = MESH_STEPS;
  const n = steps + 1;
  const [d0 = 0, d1 = 0] = layout.degrees;
  // C[a][b]: the coefficient of t₁^a t₂^b; and its multilinear part (a, b ≤ 1).
  const grid = (p: ArrayLike<number>) => {
    const c = new Float64Array((d0 + 1) * (d1 + 1));
    for (let index = 0; index < layout.size; index++) {
      const [a = 0, b = 0] = multiIndex(layout, index);
      c[a * (d1 + 1) + b] += p[index];
    }
    return c;
  };
  const all = grid(coefficients);
  const multilinear = grid(multilinearPart(layout, coefficients));
  const t = Float64Array.from({ length: n }, (_, k) => ((2 * k) / steps - 1) * radius);
  const p = gridValues(all, d0, d1, t);
  const q = gridValues(multilinear, d0, d1, t);
  const p0 = p[(steps / 2) * n + steps / 2];
  let range = 0;
  for (let k = 0; k < p.length; k++) range = Math.max(range, Math.abs(p[k] - p0));
  const scale = range > 0 ? 1 / range : 1;
  const heights = new Float32Array(p.length);
  for (let k = 0; k < p.length; k++) heights[k] = (p[k] - p0) * scale;
  // Largest distance between p and its multilinear part, on every fourth grid point.
  let gap = 0;
  for (let i = 0; i <= steps; i += 4) {
    for (let j = 0; j <= steps; j += 4) gap = Math.max(gap, Math.abs(p[i * n + j] - q[i * n + j]));
  }
  return { steps, heights, range, bilinearError: range > 0 ? gap / range : 0 };
}
