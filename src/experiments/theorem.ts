// The paper's quantities read off a polynomial or a curve, each defined once: the non-multilinear
// part (Theorem 2), the multilinear model q (eq. 18 for B = 2), measured degrees, least-squares
// polynomial fits and deviations, slopes on log–log axes, medians and the float32 noise floor.
// Pure float64 functions of arrays; the views and analyses call these and nothing else.

import { isMultilinearTerm, multiIndex, type PolynomialLayout } from '../model/polynomial';
import { type NetworkSpec, planLayers } from '../model/spec';

/** The middle value (upper middle for an even count); 0 for none. */
export function median(values: ArrayLike<number>): number {
  const s = Array.from(values).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

/**
 * float32 accumulating over n terms carries a relative error of about √n · 2^−24 ≈ √n · 6e-8 per
 * product; a pass through the layers adds them. `scale` is the size of the quantity (its largest
 * coefficient or value). Below this, an engine's float32 numbers are round-off, not signal.
 */
export function float32NoiseFloor(spec: NetworkSpec, scale: number): number {
  const sumSqrt = planLayers(spec).reduce((s, l) => s + Math.sqrt(l.inSize), 0);
  return sumSqrt * 6e-8 * scale;
}

/** Π_b (L_b + 1): the number of terms of the per-block polynomial p(t_1 … t_B). */
export function blockTermCount(spec: NetworkSpec): number {
  return spec.blocks.reduce((s, b) => s * (b.layers + 1), 1);
}

/** Total degree |α| of coefficient index c. */
export function termDegree(layout: PolynomialLayout, c: number): number {
  return multiIndex(layout, c).reduce((s, a) => s + a, 0);
}

/**
 * The part of p(t_1 … t_B) that is not multilinear, relative to all its non-constant terms, each
 * term sized by its largest value on the cube |t_b| ≤ R: Σ_{α not multilinear} |p_α| R^{|α|} over
 * Σ_{α ≠ 0} |p_α| R^{|α|}. Theorem 2: → 0 as m grows (at least like 1/√m).
 */
export function nonMultilinearPart(
  layout: PolynomialLayout,
  p: ArrayLike<number>,
  R: number,
): number {
  let bad = 0;
  let total = 0;
  for (let c = 1; c < layout.size; c++) {
    const size = Math.abs(p[c]) * R ** termDegree(layout, c);
    total += size;
    if (!isMultilinearTerm(layout, c)) bad += size;
  }
  return total > 0 ? bad / total : 0;
}

/** Least-squares slope of ys against xs. */
export function leastSquaresSlope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/** Slope of log(y) against log(x) over the points with y > 0; NaN with fewer than two. */
export function logLogSlope(xs: number[], ys: number[]): number {
  const keep = xs.flatMap((x, i) => (ys[i] > 0 && x > 0 ? [i] : []));
  if (keep.length < 2) return Number.NaN;
  return leastSquaresSlope(
    keep.map((i) => Math.log(xs[i])),
    keep.map((i) => Math.log(ys[i])),
  );
}
