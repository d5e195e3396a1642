// Small symmetric matrices on the host: the nk × nk tangent kernels of training (nk ≤ 256).
// Cyclic Jacobi is exact to rounding and simple; at nk = 24 one decomposition takes well under a
// millisecond, at nk = 256 about half a second, which is why validateTask caps nk.

import type { Matrix } from './network';

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as the columns of an n × n row-major matrix, in the order of `values`. */
  vectors: Float64Array;
}

/** Eigen-decomposition of a symmetric n × n matrix by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Matrix): SymmetricEigen {
  const n = matrix.rows;
  const a = Float64Array.from(matrix.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}

/**
 * The minimum-norm least-squares solution α = K⁺ r of K α = r for a symmetric positive
 * semi-definite K: eigenvalues below `relativeTolerance` · λ_max count as zero. With K = J Jᵀ,
 * Jᵀ α is then the minimum-norm δ with J δ = r (or its least-squares best when r ∉ range J).
 */
export function pseudoSolve(
  kernel: Matrix,
  rhs: Float64Array,
  relativeTolerance = 1e-10,
): Float64Array {
  const n = kernel.rows;
  const { values, vectors } = symmetricEigen(kernel);
  const cutoff = Math.max(values[0], 0) * relativeTolerance;
  const out = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    if (!(values[e] > cutoff)) continue;
    let dot = 0;
    for (let k = 0; k < n; k++) dot += vectors[k * n + e] * rhs[k];
    const coef = dot / values[e];
    for (let k = 0; k < n; k++) out[k] += coef * vectors[k * n + e];
  }
  return out;
}

/**
 * λ_max of a symmetric positive semi-definite matrix by power iteration from a fixed start (the
 * all-ones vector plus a ramp, so it is not orthogonal to the top eigenvector in practice).
 * Stops when successive estimates agree to `tolerance` (relative) or after `maxIterations`.
 */
export function largestEigenvalue(matrix: Matrix, maxIterations = 500, tolerance = 1e-9): number {
  const n = matrix.rows;
  let x = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  let estimate = 0;
  for (let it = 0; it < maxIterations; it++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += matrix.data[i * n + j] * x[j];
      y[i] = sum;
    }
    const norm = Math.hypot(...y);
    if (norm === 0) return 0;
    let xy = 0;
    let xx = 0;
    for (let i = 0; i < n; i++) {
      xy += x[i] * y[i];
      xx += x[i] * x[i];
    }
    const next = xy / xx;
    x = y.map((value) => value / norm);
    if (it > 0 && Math.abs(next - estimate) <= tolerance * Math.abs(next)) return next;
    estimate = next;
  }
  return estimate;
}
