// The paper's quantities read off a polynomial or a curve, each defined once: the non-multilinear
// part (Theorem 2), the multilinear model q (eq. 18 for B = 2), measured degrees, least-squares
// polynomial fits and deviations, slopes on log–log axes, medians and the float32 noise floor.
// Pure float64 functions of arrays; the views and analyses call these and nothing else.

import {
  evaluatePolynomial,
  isMultilinearTerm,
  multiIndex,
  type PolynomialLayout,
} from '../model/polynomial';
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
 * The size of the part of p(t_1 … t_B) that is not multilinear on the cube |t_b| ≤ R, in g's own
 * units: Σ_{α not multilinear} |p_α| R^{|α|}, an upper bound on max |p − its multilinear part|
 * there. Theorem 2 bounds exactly this gap, O(1/√m) for directions of bounded norm: it is an
 * absolute size, not relative to the rest of p (along `chained` directions every non-constant
 * term shrinks like 1/√m, so a ratio would stay flat while the gap reaches the bound's rate).
 */
export function nonMultilinearPart(
  layout: PolynomialLayout,
  p: ArrayLike<number>,
  R: number,
): number {
  let size = 0;
  for (let c = 1; c < layout.size; c++) {
    if (!isMultilinearTerm(layout, c)) size += Math.abs(p[c]) * R ** termDegree(layout, c);
  }
  return size;
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

/** max − min of the values (0 for none). */
export function span(values: ArrayLike<number>): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return hi >= lo ? hi - lo : 0;
}

/**
 * Coefficients c_0 … c_degree (of t^j) of the least-squares polynomial through (ts, ys). Solved by
 * Householder QR on the monomials of u = t / max|t| (well conditioned for the degrees used here,
 * ≤ 6 on [−1, 1]), then rescaled to powers of t. With fewer points than coefficients the degree
 * is lowered to fit them.
 */
export function leastSquaresPolynomial(
  ts: ArrayLike<number>,
  ys: ArrayLike<number>,
  degree: number,
): Float64Array {
  const n = ts.length;
  const cols = Math.max(1, Math.min(degree + 1, n));
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(ts[i]));
  if (scale === 0) scale = 1;
  // A: n × cols, column-major; b: n.
  const a = new Float64Array(n * cols);
  const b = Float64Array.from(ys);
  for (let i = 0; i < n; i++) {
    const u = ts[i] / scale;
    let power = 1;
    for (let j = 0; j < cols; j++) {
      a[j * n + i] = power;
      power *= u;
    }
  }
  // Householder: for each column k, reflect rows k … n−1 so that A[k+1…, k] = 0; apply to b.
  for (let k = 0; k < cols; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += a[k * n + i] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = a[k * n + k] > 0 ? -norm : norm;
    const v = new Float64Array(n - k);
    for (let i = k; i < n; i++) v[i - k] = a[k * n + i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    const reflect = (column: Float64Array, offset: number) => {
      let dot = 0;
      for (let i = k; i < n; i++) dot += v[i - k] * column[offset + i];
      const f = (2 * dot) / vv;
      for (let i = k; i < n; i++) column[offset + i] -= f * v[i - k];
    };
    for (let j = k; j < cols; j++) reflect(a, j * n);
    reflect(b, 0);
  }
  // Back substitution R x = (Qᵀ b)[0 … cols−1].
  const x = new Float64Array(cols);
  for (let k = cols - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < cols; j++) s -= a[j * n + k] * x[j];
    const r = a[k * n + k];
    x[k] = r !== 0 ? s / r : 0;
  }
  const c = new Float64Array(degree + 1);
  for (let j = 0; j < cols; j++) c[j] = x[j] / scale ** j;
  return c;
}

/** g − its least-squares polynomial of the given degree, at the same t. */
export function deviationFromFit(
  ts: ArrayLike<number>,
  ys: ArrayLike<number>,
  degree: number,
): Float64Array {
  const c = leastSquaresPolynomial(ts, ys, degree);
  return Float64Array.from(ys, (y, i) => y - evaluatePolynomial(c, ts[i]));
}

/** max over t ∈ [−R, R] of |Σ c_j t^j|, on a grid fine enough for the degrees used (≤ 24). */
export function maxAbsOnInterval(c: ArrayLike<number>, R: number, samples = 2001): number {
  let max = 0;
  for (let i = 0; i < samples; i++) {
    const t = -R + (2 * R * i) / (samples - 1);
    max = Math.max(max, Math.abs(evaluatePolynomial(c, t)));
  }
  return max;
}

/**
 * The multilinear model along one t: q(t) = Σ_{α multilinear} p_α t^{|α|}, the multilinear part of
 * p(t_1 … t_B) at t_1 = … = t_B = t (Theorem 2; for B = 2 the bilinear q of eq. 18). Returns the
 * coefficients of t^0 … t^V (V variables).
 */
/** p with every term that is not multilinear (some exponent ≥ 2) removed. */
export function multilinearPart(layout: PolynomialLayout, p: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: layout.size }, (_, c) =>
    isMultilinearTerm(layout, c) ? p[c] : 0,
  );
}

export function multilinearModel(layout: PolynomialLayout, p: ArrayLike<number>): Float64Array {
  const q = new Float64Array(layout.degrees.length + 1);
  for (let c = 0; c < layout.size; c++) {
    if (isMultilinearTerm(layout, c)) q[termDegree(layout, c)] += p[c];
  }
  return q;
}

/** p with every term that involves a variable outside `variables` removed (t_v = 0 there). */
export function restrictToVariables(
  layout: PolynomialLayout,
  p: ArrayLike<number>,
  variables: number[],
): Float64Array {
  const keep = new Set(variables);
  return Float64Array.from({ length: layout.size }, (_, c) =>
    multiIndex(layout, c).every((a, v) => a === 0 || keep.has(v)) ? p[c] : 0,
  );
}

/**
 * Whether a coefficient is signal: above the float32 noise floor (0 in float64) and above 1e-3 of
 * the largest non-constant coefficient (the constant g(W) says nothing about a degree).
 */
export function significanceThreshold(nonConstant: ArrayLike<number>, noiseFloor: number): number {
  let largest = 0;
  for (let i = 0; i < nonConstant.length; i++)
    largest = Math.max(largest, Math.abs(nonConstant[i]));
  return Math.max(noiseFloor, 1e-3 * largest);
}

/** The largest j ≥ 1 whose |c_j| is significant; 0 when t does not move g. */
export function measuredDegree(c: ArrayLike<number>, noiseFloor: number): number {
  const threshold = significanceThreshold(Array.from(c).slice(1), noiseFloor);
  for (let j = c.length - 1; j >= 1; j--) if (Math.abs(c[j]) > threshold && c[j] !== 0) return j;
  return 0;
}

/** Per variable v, the largest α_v of a significant term of p (the degree of p in t_v). */
export function variableDegrees(
  layout: PolynomialLayout,
  p: ArrayLike<number>,
  noiseFloor: number,
): number[] {
  const threshold = significanceThreshold(Array.from(p).slice(1), noiseFloor);
  const degrees = layout.degrees.map(() => 0);
  for (let c = 1; c < layout.size; c++) {
    if (!(Math.abs(p[c]) > threshold) || p[c] === 0) continue;
    multiIndex(layout, c).forEach((a, v) => {
      degrees[v] = Math.max(degrees[v], a);
    });
  }
  return degrees;
}
