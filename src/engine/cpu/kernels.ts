// The CPU engine's inner loops, shared by the in-thread executor and the shard workers. Pure
// functions over typed arrays: no messages, no stores, no engine state.
//
// Matrices are row-major. A weight block holds rows [rowStart, rowEnd) of a generated matrix G
// (seed, stream, layer) as float32 — the exact values of gaussianFromWord, which are float32 numbers
// (docs/engine.md, "Why float32 weights"). Hidden states X are float64, shape inner × n (one column
// per lane); products accumulate in float64.

import { gaussianRow } from '../../model/random';
import type { Activation } from '../../model/spec';

/**
 * Writes rows [rowStart, rowEnd) of the cols-wide Gaussian matrix `layer` of (seed, stream): the
 * model's own generator row by row (its values are float32 numbers, so nothing is lost).
 */
export function fillRows(
  seed: number,
  stream: number,
  layer: number,
  cols: number,
  rowStart: number,
  rowEnd: number,
  out: Float32Array,
): void {
  const row = new Float64Array(cols);
  const words = new Uint32Array(4);
  for (let r = rowStart; r < rowEnd; r++) {
    gaussianRow(seed, stream, layer, r, cols, row, words);
    out.set(row, (r - rowStart) * cols);
  }
}

/** Σ g² over a block of `count` stored values (float64 sum, in index order). */
export function sumOfSquares(values: Float32Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i] * values[i];
  return sum;
}

/**
 * Y[r, c] (= or +=) alpha · Σ_k G[r, k] X[k, c] for the rows of one block and lanes c ∈ [c0, c1).
 *
 *   g: rowCount × cols (float32) at gOffset;  x: cols × n;  y: rowCount × n;  acc: ≥ n scratch.
 *
 * Four inner indices per step, so each y entry is loaded and stored once per four multiply-adds.
 * The summation order depends only on (r, k, c), never on how rows are split across workers:
 * a pool of 1 and a pool of N give bit-identical results.
 */
export function productRows(
  g: Float32Array,
  gOffset: number,
  rowCount: number,
  cols: number,
  x: Float64Array,
  n: number,
  c0: number,
  c1: number,
  alpha: number,
  y: Float64Array,
  accumulate: boolean,
  acc: Float64Array,
): void {
  const k4 = cols - (cols & 3);
  for (let r = 0; r < rowCount; r++) {
    const go = gOffset + r * cols;
    acc.fill(0, c0, c1);
    let k = 0;
    for (; k < k4; k += 4) {
      const w0 = g[go + k];
      const w1 = g[go + k + 1];
      const w2 = g[go + k + 2];
      const w3 = g[go + k + 3];
      const x0 = k * n;
      const x1 = x0 + n;
      const x2 = x1 + n;
      const x3 = x2 + n;
      for (let c = c0; c < c1; c++) {
        acc[c] += w0 * x[x0 + c] + w1 * x[x1 + c] + w2 * x[x2 + c] + w3 * x[x3 + c];
      }
    }
    for (; k < cols; k++) {
      const w = g[go + k];
      const xo = k * n;
      for (let c = c0; c < c1; c++) acc[c] += w * x[xo + c];
    }
    const yo = r * n;
    if (accumulate) for (let c = c0; c < c1; c++) y[yo + c] += alpha * acc[c];
    else for (let c = c0; c < c1; c++) y[yo + c] = alpha * acc[c];
  }
}

/**
 * P[k, c] += Σ_r G[r, k] X[r, c] over the rows of one block (the transposed product of a backward
 * pass): g rowCount × cols, x rowCount × n (the block's rows of X), p cols × n. Unscaled partial
 * sums; the caller adds the blocks' partials in block order and scales.
 */
export function transposedProductRows(
  g: Float32Array,
  gOffset: number,
  rowCount: number,
  cols: number,
  x: Float64Array,
  n: number,
  p: Float64Array,
): void {
  for (let r = 0; r < rowCount; r++) {
    const go = gOffset + r * cols;
    const xo = r * n;
    for (let k = 0; k < cols; k++) {
      const w = g[go + k];
      const po = k * n;
      for (let c = 0; c < n; c++) p[po + c] += w * x[xo + c];
    }
  }
}

/** σ ← σ(y) in place, the model's `activate` (Math.tanh, Math.max(y, 0)). */
export function activateInPlace(kind: Activation, y: Float64Array): void {
  if (kind === 'tanh') for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]);
  else if (kind === 'relu') for (let i = 0; i < y.length; i++) y[i] = Math.max(y[i], 0);
}

/**
 * dots[c] = Σ_r v[r] · (w[c] · H[r, c]) for c ∈ [c0, c1), r in increasing order: vᵀ X_c for a
 * rank-one Δ = u vᵀ with X_c = H · diag(w) never formed (h: rows × n).
 */
export function rankOneDots(
  h: Float64Array,
  rows: number,
  n: number,
  c0: number,
  c1: number,
  v: Float64Array,
  w: Float64Array,
  dots: Float64Array,
): void {
  dots.fill(0, c0, c1);
  for (let r = 0; r < rows; r++) {
    const vr = v[r];
    const o = r * n;
    for (let c = c0; c < c1; c++) dots[c] += vr * (w[c] * h[o + c]);
  }
}

/** Y[r, c] += (alpha · u[r]) · dots[c] for r < rows, c ∈ [c0, c1) (y: rows × n). */
export function rankOneAdd(
  y: Float64Array,
  rows: number,
  n: number,
  c0: number,
  c1: number,
  u: Float64Array,
  alpha: number,
  dots: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const ur = alpha * u[r];
    const o = r * n;
    for (let c = c0; c < c1; c++) y[o + c] += ur * dots[c];
  }
}

/** out[r, c] = w[c] · H[r, c]: the coupled lanes X_c of a lane-local coupling (h, out: rows × n). */
export function scaleColumns(
  h: Float64Array,
  rows: number,
  n: number,
  w: Float64Array,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let c = 0; c < n; c++) out[o + c] = w[c] * h[o + c];
  }
}

/**
 * out[r, c] = w[c] · H[r, src[c]], or 0 where src[c] < 0: the coupled lanes X_c of a polynomial's
 * lanes (h, out: rows × n).
 */
export function gatherColumns(
  h: Float64Array,
  rows: number,
  n: number,
  src: Int32Array,
  w: Float64Array,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let c = 0; c < n; c++) out[o + c] = src[c] < 0 ? 0 : w[c] * h[o + src[c]];
  }
}

/**
 * The in-place kernels of the lane pass (cpu/lanePass.ts) and of a product's epilogue. Every
 * array they take lies in one scratch region (`region`): for the WebAssembly build that is its
 * linear memory, read and written where it is, without copies. The region and every view of it
 * stay valid until the next call of a KernelSet method that is not one of these.
 */
export interface RegionKernels {
  /** A region of at least `bytes` bytes, from `offset` (a multiple of 16) on. */
  region(bytes: number): { buffer: ArrayBufferLike; offset: number };
  /** As productRows, all arrays in the region; `scratch`: rows × n float64. */
  productInRegion(
    g: Float32Array,
    rows: number,
    cols: number,
    x: Float64Array,
    n: number,
    c0: number,
    c1: number,
    alpha: number,
    y: Float64Array,
    accumulate: boolean,
    scratch: Float64Array,
  ): void;
  activate(kind: Activation, y: Float64Array): void;
  rankOneDots(
    h: Float64Array,
    rows: number,
    n: number,
    c0: number,
    c1: number,
    v: Float64Array,
    w: Float64Array,
    dots: Float64Array,
  ): void;
  rankOneAdd(
    y: Float64Array,
    rows: number,
    n: number,
    c0: number,
    c1: number,
    u: Float64Array,
    alpha: number,
    dots: Float64Array,
  ): void;
  scaleColumns(h: Float64Array, rows: number, n: number, w: Float64Array, out: Float64Array): void;
  gatherColumns(
    h: Float64Array,
    rows: number,
    n: number,
    src: Int32Array,
    w: Float64Array,
    out: Float64Array,
  ): void;
}

/** The operations a shard executor needs: these JavaScript loops or the WebAssembly build. */
export interface KernelSet extends RegionKernels {
  readonly name: 'wasm-simd' | 'javascript';
  fillRows(
    seed: number,
    stream: number,
    layer: number,
    cols: number,
    rowStart: number,
    rowEnd: number,
    out: Float32Array,
  ): void;
  /** productRows over the first rowCount rows of g; `slot` names x for input caching (0: X, 1: X_c). */
  productRows(
    g: Float32Array,
    rowCount: number,
    cols: number,
    x: Float64Array,
    slot: 0 | 1,
    n: number,
    c0: number,
    c1: number,
    alpha: number,
    y: Float64Array,
    accumulate: boolean,
  ): void;
  transposedProductRows(
    g: Float32Array,
    rowCount: number,
    cols: number,
    x: Float64Array,
    n: number,
    p: Float64Array,
  ): void;
  sumOfSquares(g: Float32Array, count: number): number;
}

export function javascriptKernels(): KernelSet {
  let acc = new Float64Array(0);
  let region = new ArrayBuffer(0);
  return {
    name: 'javascript',
    fillRows: (seed, stream, layer, cols, r0, r1, out) =>
      fillRows(seed, stream, layer, cols, r0, r1, out),
    productRows: (g, rowCount, cols, x, _slot, n, c0, c1, alpha, y, accumulate) => {
      if (acc.length < n) acc = new Float64Array(n);
      productRows(g, 0, rowCount, cols, x, n, c0, c1, alpha, y, accumulate, acc);
    },
    transposedProductRows: (g, rowCount, cols, x, n, p) =>
      transposedProductRows(g, 0, rowCount, cols, x, n, p),
    sumOfSquares,
    region: (bytes) => {
      if (region.byteLength < bytes) region = new ArrayBuffer(Math.ceil((bytes * 1.25) / 16) * 16);
      return { buffer: region, offset: 0 };
    },
    productInRegion: (g, rows, cols, x, n, c0, c1, alpha, y, accumulate) => {
      if (acc.length < n) acc = new Float64Array(n);
      productRows(g, 0, rows, cols, x, n, c0, c1, alpha, y, accumulate, acc);
    },
    activate: activateInPlace,
    rankOneDots,
    rankOneAdd,
    scaleColumns,
    gatherColumns,
  };
}
