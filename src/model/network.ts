// The float64 reference network: forward pass, backward pass and the generated matrix products
// every engine result is checked against. Matrices are Float64Arrays in row-major order with
// one column per "lane" (an input, a polynomial coefficient, a value of t): shape rows × lanes.

import { gaussianRow, gaussianVector, Stream } from './random';
import { type Activation, type LayerPlan, type NetworkSpec, planLayers } from './spec';

/** A row-major rows × cols matrix of float64. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The matrix whose every column is `v`. */
export function repeatColumn(v: Float64Array, cols: number): Matrix {
  const m = zeros(v.length, cols);
  for (let r = 0; r < v.length; r++) m.data.fill(v[r], r * cols, (r + 1) * cols);
  return m;
}

export function column(m: Matrix, c: number): Float64Array {
  const v = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) v[r] = m.data[r * m.cols + c];
  return v;
}

/**
 * Y = α · G X (or α · Gᵀ X when `transposed`), where G is the Gaussian matrix `layer` of
 * (seed, stream) with shape gRows × gCols, generated one row at a time: memory O(gCols), never
 * O(gRows·gCols). This is the CPU twin of shaders/generated_matmul.wgsl.
 */
export function generatedMatMul(
  seed: number,
  stream: number,
  layer: number,
  gRows: number,
  gCols: number,
  x: Matrix,
  alpha: number,
  transposed = false,
): Matrix {
  const n = x.cols;
  const inner = transposed ? gRows : gCols;
  if (x.rows !== inner) throw new Error(`generatedMatMul: X has ${x.rows} rows, expected ${inner}`);
  const y = zeros(transposed ? gCols : gRows, n);
  const row = new Float64Array(gCols);
  const words = new Uint32Array(4);
  const xd = x.data;
  const yd = y.data;
  for (let r = 0; r < gRows; r++) {
    gaussianRow(seed, stream, layer, r, gCols, row, words);
    if (!transposed) {
      // Y[r, :] = α Σ_k G[r, k] X[k, :]
      const yo = r * n;
      for (let k = 0; k < gCols; k++) {
        const g = alpha * row[k];
        const xo = k * n;
        for (let c = 0; c < n; c++) yd[yo + c] += g * xd[xo + c];
      }
    } else {
      // Y[k, :] += α G[r, k] X[r, :]
      const xo = r * n;
      for (let k = 0; k < gCols; k++) {
        const g = alpha * row[k];
        const yo = k * n;
        for (let c = 0; c < n; c++) yd[yo + c] += g * xd[xo + c];
      }
    }
  }
  return y;
}

/** Squared Frobenius norm of the Gaussian matrix `layer` of (seed, stream), rows × cols. */
export function generatedNormSquared(
  seed: number,
  stream: number,
  layer: number,
  rows: number,
  cols: number,
): number {
  const row = new Float64Array(cols);
  const words = new Uint32Array(4);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    gaussianRow(seed, stream, layer, r, cols, row, words);
    for (let k = 0; k < cols; k++) sum += row[k] * row[k];
  }
  return sum;
}

export function activate(kind: Activation, z: number): number {
  switch (kind) {
    case 'identity':
      return z;
    case 'tanh':
      return Math.tanh(z);
    case 'relu':
      return Math.max(z, 0);
  }
}

/** σ'(z) written in terms of h = σ(z), so a backward pass needs only the stored outputs. */
export function activationSlopeFromOutput(kind: Activation, h: number): number {
  switch (kind) {
    case 'identity':
      return 1;
    case 'tanh':
      return 1 - h * h;
    case 'relu':
      return h > 0 ? 1 : 0;
  }
}

export function applyActivation(kind: Activation, m: Matrix): Matrix {
  if (kind !== 'identity')
    for (let i = 0; i < m.data.length; i++) m.data[i] = activate(kind, m.data[i]);
  return m;
}

/**
 * An input drawn from the seed: a Gaussian vector rescaled to norm √d, so every entry is O(1)
 * (for d = 1, x = ±1). Input 0 is the plotted x; inputs j ≥ 1 serve gradient direction j.
 */
export function drawInput(seed: number, inputSize: number, index = 0): Float64Array {
  const z = gaussianVector(seed, Stream.input(index), 0, inputSize);
  const norm = Math.hypot(...z);
  const x = new Float64Array(inputSize);
  for (let i = 0; i < inputSize; i++) x[i] = (z[i] / norm) * Math.sqrt(inputSize);
  return x;
}

/** A generated matrix product Y = α·G X (or α·Gᵀ X); the CPU one or an engine's. */
export type GeneratedMatMul = (
  seed: number,
  stream: number,
  layer: number,
  gRows: number,
  gCols: number,
  x: Matrix,
  alpha: number,
  transposed: boolean,
) => Matrix | Promise<Matrix>;

/**
 * Forward pass at W_init for a batch of inputs (d × n). Returns h_0 … h_L: h_ℓ is the input that
 * layer ℓ receives (h_0 = X) and h_L = g(W; X), the k × n outputs. `matmul` does the wide
 * products (the float64 CPU one by default); activations are applied in float64.
 */
export async function forwardTrace(
  spec: NetworkSpec,
  inputs: Matrix,
  matmul: GeneratedMatMul = generatedMatMul,
): Promise<Matrix[]> {
  const layers = planLayers(spec);
  const trace = [inputs];
  let h = inputs;
  for (const layer of layers) {
    h = await matmul(
      spec.seed,
      Stream.weights,
      layer.index,
      layer.outSize,
      layer.inSize,
      h,
      layer.scale,
      false,
    );
    applyActivation(layer.activation, h);
    trace.push(h);
  }
  return trace;
}

/** g(W_init; x) for one input: the k outputs, float64. */
export async function forward(spec: NetworkSpec, x: Float64Array): Promise<Float64Array> {
  const trace = await forwardTrace(spec, repeatColumn(x, 1));
  return trace[trace.length - 1].data.slice();
}

/**
 * Backward pass of output `outputIndex` for each input column of a forward trace. Returns δ_ℓ =
 * ∂g_o/∂(pre-activation of layer ℓ), out_ℓ × n, so that ∇_{W^(ℓ)} g_o = s_ℓ δ_ℓ h_ℓᵀ (rank one).
 */
export async function backwardTrace(
  spec: NetworkSpec,
  trace: Matrix[],
  outputIndex: number,
  matmul: GeneratedMatMul = generatedMatMul,
): Promise<Matrix[]> {
  const layers = planLayers(spec);
  const n = trace[0].cols;
  const L = layers.length;
  const deltas: Matrix[] = new Array(L);
  let delta = zeros(spec.outputSize, n);
  delta.data.fill(1, outputIndex * n, (outputIndex + 1) * n);
  deltas[L - 1] = delta;
  for (let l = L - 1; l > 0; l--) {
    const layer = layers[l];
    // ∂g/∂h_ℓ = s_ℓ W_ℓᵀ δ_ℓ, then through σ of layer ℓ − 1.
    const back = await matmul(
      spec.seed,
      Stream.weights,
      layer.index,
      layer.outSize,
      layer.inSize,
      delta,
      layer.scale,
      true,
    );
    multiplyBySlope(layers[l - 1], trace[l], back);
    delta = back;
    deltas[l - 1] = delta;
  }
  return deltas;
}

/** back ⊙= σ'(pre-activation of `layer`), from that layer's stored output h. */
export function multiplyBySlope(layer: LayerPlan, output: Matrix, back: Matrix): void {
  if (layer.activation === 'identity') return;
  for (let i = 0; i < back.data.length; i++) {
    back.data[i] *= activationSlopeFromOutput(layer.activation, output.data[i]);
  }
}
