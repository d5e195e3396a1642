// Float64 training of a bottleneck network and of its two linearisations (docs/training.md): the
// task's data, forward and backward passes over dense stored weights, gradients, and the tangent
// kernel from per-layer Gram matrices. The CPU trainer (engine/cpuTrainer.ts) runs this code; the
// GPU trainer is checked against it.
//
// Shapes: a weight W_ℓ is out_ℓ × in_ℓ, row-major, raw (N(0,1) entries at init); the layer
// multiplies by s_ℓ = 1/√in_ℓ. A state is in × N with one column per sample (or, in the kernel's
// backward pass, per (sample, output) pair).

import { activationSlopeFromOutput, applyActivation, type Matrix, zeros } from './network';
import { gaussianRow, Stream } from './random';
import { checkInteger, type LayerPlan, type NetworkSpec, planLayers, SpecError } from './spec';

// ---------------------------------------------------------------------------------------------
// The task (docs/training.md §1)

export interface TrainingTask {
  /** d: input size. */
  inputSize: number;
  /** k: output size. */
  outputSize: number;
  /** r: rank of the target map M* (at most the narrowest bottleneck). */
  rank: number;
  /** n: training samples. */
  samples: number;
  /** n': held-out samples. */
  heldOut: number;
  /** uint32 seed of the data (inputs, held-out inputs, U and V). */
  seed: number;
}

export const TRAINING_LIMITS = {
  maxSamples: 32,
  maxHeldOut: 256,
  /** nk ≤ 256: the kernel is nk × nk and every solve decomposes it on the host. */
  maxKernelSize: 256,
} as const;

export interface TrainingData {
  /** d × n. */
  trainInputs: Matrix;
  /** k × n: M* X. */
  trainTargets: Matrix;
  /** d × n'. */
  heldOutInputs: Matrix;
  /** k × d: M* = U V / √r. */
  target: Matrix;
}

export function validateTask(task: TrainingTask): TrainingTask {
  checkInteger('d (input size)', task.inputSize, 1, 64);
  checkInteger('k (output size)', task.outputSize, 1, 64);
  checkInteger('r (target rank)', task.rank, 1, 64);
  checkInteger('n (samples)', task.samples, 1, TRAINING_LIMITS.maxSamples);
  checkInteger('held-out samples', task.heldOut, 1, TRAINING_LIMITS.maxHeldOut);
  checkInteger('seed', task.seed, 0, 0xffffffff);
  const nk = task.samples * task.outputSize;
  if (nk > TRAINING_LIMITS.maxKernelSize) {
    throw new SpecError(
      'n × k',
      nk,
      `must be at most ${TRAINING_LIMITS.maxKernelSize}: the tangent kernel is nk × nk`,
    );
  }
  return task;
}

/** Column j of the returned matrix is row j of Gaussian matrix 0 of `stream`: one draw per sample. */
function gaussianColumns(seed: number, stream: number, rows: number, cols: number): Matrix {
  const m = zeros(rows, cols);
  const row = new Float64Array(rows);
  for (let j = 0; j < cols; j++) {
    gaussianRow(seed, stream, 0, j, rows, row);
    for (let r = 0; r < rows; r++) m.data[r * cols + j] = row[r];
  }
  return m;
}

function gaussianRows(seed: number, stream: number, rows: number, cols: number): Matrix {
  const m = zeros(rows, cols);
  for (let r = 0; r < rows; r++) {
    gaussianRow(seed, stream, 0, r, cols, m.data.subarray(r * cols, (r + 1) * cols));
  }
  return m;
}

export function matMul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matMul: ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  const c = zeros(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k];
      if (v === 0) continue;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j] += v * b.data[k * b.cols + j];
    }
  }
  return c;
}

/**
 * Inputs x_i ~ N(0, I_d); targets y_i = M* x_i with M* = U V / √r, U (k × r) and V (r × d)
 * N(0, 1). Streams: Stream.training(0 … 3); sample i is row i of its matrix.
 */
export function drawTrainingData(task: TrainingTask): TrainingData {
  validateTask(task);
  const { inputSize: d, outputSize: k, rank: r, seed } = task;
  const trainInputs = gaussianColumns(seed, Stream.training(0), d, task.samples);
  const heldOutInputs = gaussianColumns(seed, Stream.training(1), d, task.heldOut);
  const u = gaussianRows(seed, Stream.training(2), k, r);
  const v = gaussianRows(seed, Stream.training(3), r, d);
  const target = matMul(u, v);
  for (let i = 0; i < target.data.length; i++) target.data[i] /= Math.sqrt(r);
  return { trainInputs, trainTargets: matMul(target, trainInputs), heldOutInputs, target };
}

// ---------------------------------------------------------------------------------------------
// Dense products

/** The columns of x one after another (N × rows, row-major): contiguous for the loops below. */
function columnsOf(x: Matrix): Float64Array {
  const t = new Float64Array(x.rows * x.cols);
  for (let r = 0; r < x.rows; r++) {
    for (let c = 0; c < x.cols; c++) t[c * x.rows + r] = x.data[r * x.cols + c];
  }
  return t;
}

/**
 * Y = s · W X for W out × in (row-major), X in × N. The states have few columns (N = n ≈ 6), so
 * each weight row is read once for four columns at a time (four running sums), along contiguous
 * columns of X: about 3× the speed of one column per pass in V8.
 */
function product(w: Float64Array, out: number, s: number, x: Matrix): Matrix {
  const n = x.cols;
  const inSize = x.rows;
  const xt = columnsOf(x);
  const y = zeros(out, n);
  const yd = y.data;
  for (let r = 0; r < out; r++) {
    const wo = r * inSize;
    let c = 0;
    for (; c + 4 <= n; c += 4) {
      const x0 = c * inSize;
      const x1 = x0 + inSize;
      const x2 = x1 + inSize;
      const x3 = x2 + inSize;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < inSize; k++) {
        const v = w[wo + k];
        s0 += v * xt[x0 + k];
        s1 += v * xt[x1 + k];
        s2 += v * xt[x2 + k];
        s3 += v * xt[x3 + k];
      }
      yd[r * n + c] = s * s0;
      yd[r * n + c + 1] = s * s1;
      yd[r * n + c + 2] = s * s2;
      yd[r * n + c + 3] = s * s3;
    }
    for (; c < n; c++) {
      const xo = c * inSize;
      let sum = 0;
      for (let k = 0; k < inSize; k++) sum += w[wo + k] * xt[xo + k];
      yd[r * n + c] = s * sum;
    }
  }
  return y;
}

/** Y = s · Wᵀ G for W out × in, G out × N: in × N (each weight row read once per four columns). */
function transposedProduct(w: Float64Array, inSize: number, s: number, g: Matrix): Matrix {
  const n = g.cols;
  const out = g.rows;
  const yt = new Float64Array(n * inSize);
  for (let r = 0; r < out; r++) {
    const wo = r * inSize;
    let c = 0;
    for (; c + 4 <= n; c += 4) {
      const g0 = s * g.data[r * n + c];
      const g1 = s * g.data[r * n + c + 1];
      const g2 = s * g.data[r * n + c + 2];
      const g3 = s * g.data[r * n + c + 3];
      const y0 = c * inSize;
      const y1 = y0 + inSize;
      const y2 = y1 + inSize;
      const y3 = y2 + inSize;
      for (let k = 0; k < inSize; k++) {
        const v = w[wo + k];
        yt[y0 + k] += g0 * v;
        yt[y1 + k] += g1 * v;
        yt[y2 + k] += g2 * v;
        yt[y3 + k] += g3 * v;
      }
    }
    for (; c < n; c++) {
      const v = s * g.data[r * n + c];
      if (v === 0) continue;
      const yo = c * inSize;
      for (let k = 0; k < inSize; k++) yt[yo + k] += v * w[wo + k];
    }
  }
  const y = zeros(inSize, n);
  for (let k = 0; k < inSize; k++)
    for (let c = 0; c < n; c++) y.data[k * n + c] = yt[c * inSize + k];
  return y;
}

/** P += s · Δ Hᵀ for P out × in, Δ out × N, H in × N (four columns of H per pass over a row of P). */
function addOuterProducts(
  p: Float64Array,
  inSize: number,
  s: number,
  delta: Matrix,
  h: Matrix,
): void {
  const n = h.cols;
  const ht = columnsOf(h);
  for (let r = 0; r < delta.rows; r++) {
    const po = r * inSize;
    let c = 0;
    for (; c + 4 <= n; c += 4) {
      const d0 = s * delta.data[r * n + c];
      const d1 = s * delta.data[r * n + c + 1];
      const d2 = s * delta.data[r * n + c + 2];
      const d3 = s * delta.data[r * n + c + 3];
      const h0 = c * inSize;
      const h1 = h0 + inSize;
      const h2 = h1 + inSize;
      const h3 = h2 + inSize;
      for (let k = 0; k < inSize; k++) {
        p[po + k] += d0 * ht[h0 + k] + d1 * ht[h1 + k] + d2 * ht[h2 + k] + d3 * ht[h3 + k];
      }
    }
    for (; c < n; c++) {
      const v = s * delta.data[r * n + c];
      if (v === 0) continue;
      const ho = c * inSize;
      for (let k = 0; k < inSize; k++) p[po + k] += v * ht[ho + k];
    }
  }
}

function addInto(a: Matrix, b: Matrix): Matrix {
  for (let i = 0; i < a.data.length; i++) a.data[i] += b.data[i];
  return a;
}

/** ⟨column a of x, column b of y⟩ for every pair: x.cols × y.cols, the Gram matrix XᵀY. */
function gram(x: Matrix, y: Matrix): Float64Array {
  const g = new Float64Array(x.cols * y.cols);
  for (let r = 0; r < x.rows; r++) {
    const xo = r * x.cols;
    const yo = r * y.cols;
    for (let a = 0; a < x.cols; a++) {
      const v = x.data[xo + a];
      if (v === 0) continue;
      const go = a * y.cols;
      for (let b = 0; b < y.cols; b++) g[go + b] += v * y.data[yo + b];
    }
  }
  return g;
}

// ---------------------------------------------------------------------------------------------
// The three models (docs/training.md §2)

export type LinearisationKind = 'network' | 'ntk' | 'block';

/**
 * What a model keeps per layer: for the network the current weights W_ℓ, for the two
 * linearisations the displacement D_ℓ = W_ℓ − W_ℓ,0 (they are functions of it).
 */
export interface ModelWeights {
  kind: LinearisationKind;
  params: Float64Array[];
}

/** Forward traces: `inputs[ℓ]` is what layer ℓ multiplies (in_ℓ × N); `output` is f(X), k × N. */
interface Trace {
  inputs: Matrix[];
  /** Network only: each layer's output after σ (out_ℓ × N), for σ' in the backward pass. */
  outputs: Matrix[];
  output: Matrix;
}

export class TrainingNetwork {
  readonly spec: NetworkSpec;
  readonly layers: LayerPlan[];
  /** W_ℓ,0 from (seed, Stream.weights, ℓ): the app's own initial weights. */
  readonly initial: Float64Array[];
  /** For each layer, the index of its linearisation group in the block and NTK models. */
  private readonly blockOf: number[];

  constructor(spec: NetworkSpec) {
    this.spec = spec;
    this.layers = planLayers(spec);
    this.initial = this.layers.map((layer) => {
      const w = new Float64Array(layer.outSize * layer.inSize);
      const row = new Float64Array(layer.inSize);
      const words = new Uint32Array(4);
      for (let r = 0; r < layer.outSize; r++) {
        gaussianRow(spec.seed, Stream.weights, layer.index, r, layer.inSize, row, words);
        w.set(row, r * layer.inSize);
      }
      return w;
    });
    this.blockOf = this.layers.map((layer) => layer.block);
  }

  /** Bytes of float64 weights one model holds (the trainer's memory per model). */
  static modelBytes(spec: NetworkSpec): number {
    return planLayers(spec).reduce((sum, l) => sum + l.inSize * l.outSize * 8, 0);
  }

  newModel(kind: LinearisationKind): ModelWeights {
    if (kind !== 'network' && this.layers.some((layer) => layer.activation !== 'identity')) {
      throw new SpecError(
        'model',
        kind,
        'the NTK and block-linearised models are built for linear blocks (σ = identity); with σ train the network alone',
      );
    }
    const params = this.initial.map((w) =>
      kind === 'network' ? Float64Array.from(w) : new Float64Array(w.length),
    );
    return { kind, params };
  }

  /** Which linearisation group layer ℓ belongs to: its block, or 0 for the NTK model. */
  private group(kind: LinearisationKind, layer: number): number {
    return kind === 'ntk' ? 0 : this.blockOf[layer];
  }

  /** f(X) with its trace. */
  forward(model: ModelWeights, x: Matrix): Trace {
    return model.kind === 'network'
      ? this.forwardNetwork(model, x)
      : this.forwardLinearised(model, x);
  }

  private forwardNetwork(model: ModelWeights, x: Matrix): Trace {
    const inputs: Matrix[] = [];
    const outputs: Matrix[] = [];
    let h = x;
    for (const layer of this.layers) {
      inputs.push(h);
      h = applyActivation(
        layer.activation,
        product(model.params[layer.index], layer.outSize, layer.scale, h),
      );
      outputs.push(h);
    }
    return { inputs, outputs, output: h };
  }

  /**
   * Within a group the state is a pair (h, ḣ): h through W_0, ḣ its first-order change,
   * ḣ_{ℓ+1} = s_ℓ (W_ℓ,0 ḣ_ℓ + D_ℓ h_ℓ), starting from ḣ = 0; the group's output h + ḣ is the
   * next group's input. `inputs[ℓ]` holds h_ℓ (the gradient of D_ℓ is s_ℓ · cotangent · h_ℓᵀ).
   */
  private forwardLinearised(model: ModelWeights, x: Matrix): Trace {
    const inputs: Matrix[] = [];
    let h = x;
    let tangent: Matrix | null = null;
    this.layers.forEach((layer, l) => {
      inputs.push(h);
      const w0 = this.initial[l];
      const next = product(w0, layer.outSize, layer.scale, h);
      const change = product(model.params[l], layer.outSize, layer.scale, h);
      if (tangent) addInto(change, product(w0, layer.outSize, layer.scale, tangent));
      h = next;
      tangent = change;
      const last = l === this.layers.length - 1;
      if (last || this.group(model.kind, l + 1) !== this.group(model.kind, l)) {
        h = addInto(h, tangent);
        tangent = null;
      }
    });
    return { inputs, outputs: [], output: h };
  }

  /**
   * Backward pass of the cotangent C (k × N) on f's output; column c belongs to sample
   * `sampleOf[c]` of the trace. Returns δ_ℓ (out_ℓ × N) for every layer ℓ ≥ `lowest`: the
   * gradient of ⟨C, f⟩ with respect to layer ℓ's parameters is s_ℓ Σ_c δ_ℓ[:, c] h_ℓ[:, sampleOf[c]]ᵀ.
   */
  backward(
    model: ModelWeights,
    trace: Trace,
    cotangent: Matrix,
    sampleOf: Int32Array,
    lowest = 0,
  ): (Matrix | null)[] {
    return model.kind === 'network'
      ? this.backwardNetwork(model, trace, cotangent, sampleOf, lowest)
      : this.backwardLinearised(model, trace, cotangent, lowest);
  }

  private backwardNetwork(
    model: ModelWeights,
    trace: Trace,
    cotangent: Matrix,
    sampleOf: Int32Array,
    lowest: number,
  ): (Matrix | null)[] {
    const deltas: (Matrix | null)[] = this.layers.map(() => null);
    let g = cotangent;
    for (let l = this.layers.length - 1; l >= lowest; l--) {
      const layer = this.layers[l];
      if (layer.activation !== 'identity') {
        const out = trace.outputs[l];
        const scaled = zeros(g.rows, g.cols);
        for (let r = 0; r < g.rows; r++) {
          for (let c = 0; c < g.cols; c++) {
            const h = out.data[r * out.cols + sampleOf[c]];
            scaled.data[r * g.cols + c] =
              g.data[r * g.cols + c] * activationSlopeFromOutput(layer.activation, h);
          }
        }
        g = scaled;
      }
      deltas[l] = g;
      if (l > lowest) g = transposedProduct(model.params[l], layer.inSize, layer.scale, g);
    }
    return deltas;
  }

  /**
   * Reverse of forwardLinearised (linear layers, so no sample map is needed): with cotangents
   * (ḡ, g) of (ḣ, h), δ_ℓ = ḡ_{ℓ+1}; ḡ_ℓ = s W_0ᵀ ḡ_{ℓ+1}; g_ℓ = s W_0ᵀ g_{ℓ+1} + s Dᵀ ḡ_{ℓ+1}.
   * At a group's end both start from the cotangent of its output h + ḣ.
   */
  private backwardLinearised(
    model: ModelWeights,
    _trace: Trace,
    cotangent: Matrix,
    lowest: number,
  ): (Matrix | null)[] {
    const deltas: (Matrix | null)[] = this.layers.map(() => null);
    const L = this.layers.length;
    let g = cotangent;
    let gTangent = cotangent;
    for (let l = L - 1; l >= lowest; l--) {
      const layer = this.layers[l];
      const groupEnd = l === L - 1 || this.group(model.kind, l + 1) !== this.group(model.kind, l);
      if (groupEnd) gTangent = g;
      deltas[l] = gTangent;
      if (l === lowest) break;
      const groupStart = this.group(model.kind, l - 1) !== this.group(model.kind, l);
      const w0 = this.initial[l];
      const nextG = transposedProduct(w0, layer.inSize, layer.scale, g);
      addInto(nextG, transposedProduct(model.params[l], layer.inSize, layer.scale, gTangent));
      g = nextG;
      gTangent = groupStart ? g : transposedProduct(w0, layer.inSize, layer.scale, gTangent);
    }
    return deltas;
  }

  /** params_ℓ += factor · s_ℓ δ_ℓ h_ℓᵀ for the layers listed (δ from a backward pass with N = n). */
  addGradient(
    model: ModelWeights,
    trace: Trace,
    deltas: (Matrix | null)[],
    layers: readonly number[],
    factor: number,
  ): void {
    for (const l of layers) {
      const layer = this.layers[l];
      const delta = deltas[l];
      if (!delta) throw new Error(`addGradient: no δ for layer ${l}`);
      addOuterProducts(model.params[l], layer.inSize, factor * layer.scale, delta, trace.inputs[l]);
    }
  }

  /** Layer indices of the given blocks (all layers when omitted). */
  layersOf(blocks?: readonly number[]): number[] {
    return this.layers.filter((l) => !blocks || blocks.includes(l.block)).map((l) => l.index);
  }

  /** One gradient-descent step on L = (1/2n) Σ‖f(x_i) − y_i‖²: W ← W − η ∇L. */
  gradientStep(model: ModelWeights, x: Matrix, y: Matrix, eta: number): void {
    const trace = this.forward(model, x);
    const residual = zeros(y.rows, y.cols);
    for (let i = 0; i < y.data.length; i++) residual.data[i] = trace.output.data[i] - y.data[i];
    const deltas = this.backward(model, trace, residual, identitySamples(y.cols));
    this.addGradient(model, trace, deltas, this.layersOf(), -eta / y.cols);
  }

  /** params of the layers of `block` += Jᵀ vec(α), α k × n on the inputs x. */
  pullBack(model: ModelWeights, x: Matrix, block: number, alpha: Matrix): void {
    const trace = this.forward(model, x);
    const layers = this.layersOf([block]);
    const deltas = this.backward(model, trace, alpha, identitySamples(alpha.cols), layers[0]);
    this.addGradient(model, trace, deltas, layers, 1);
  }

  /**
   * K = J Jᵀ over the layers of `blocks`, without forming J: the backward pass of the nk basis
   * cotangents e_(i,o) gives δ_ℓ (out × nk), and
   *   K[(i,o), (j,p)] = Σ_ℓ s_ℓ² ⟨δ_ℓ[:, (i,o)], δ_ℓ[:, (j,p)]⟩ ⟨h_ℓ[:, i], h_ℓ[:, j]⟩.
   */
  kernel(model: ModelWeights, x: Matrix, blocks?: readonly number[]): Matrix {
    const k = this.spec.outputSize;
    const n = x.cols;
    const nk = n * k;
    const trace = this.forward(model, x);
    const basis = zeros(k, nk);
    const sampleOf = new Int32Array(nk);
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < k; o++) {
        basis.data[o * nk + i * k + o] = 1;
        sampleOf[i * k + o] = i;
      }
    }
    const layers = this.layersOf(blocks);
    const deltas = this.backward(model, trace, basis, sampleOf, Math.min(...layers));
    const kernel = zeros(nk, nk);
    for (const l of layers) {
      const delta = deltas[l] as Matrix;
      const s2 = this.layers[l].scale ** 2;
      const dGram = gram(delta, delta);
      const hGram = gram(trace.inputs[l], trace.inputs[l]);
      for (let a = 0; a < nk; a++) {
        for (let b = 0; b < nk; b++) {
          kernel.data[a * nk + b] += s2 * dGram[a * nk + b] * hGram[sampleOf[a] * n + sampleOf[b]];
        }
      }
    }
    return kernel;
  }

  /** ‖W_b − W_b,0‖_F per block. */
  distances(model: ModelWeights): number[] {
    const sums = new Float64Array(this.spec.blocks.length);
    this.layers.forEach((layer, l) => {
      const p = model.params[l];
      const w0 = this.initial[l];
      let sum = 0;
      for (let i = 0; i < p.length; i++) {
        const dw = model.kind === 'network' ? p[i] - w0[i] : p[i];
        sum += dw * dw;
      }
      sums[layer.block] += sum;
    });
    return Array.from(sums, Math.sqrt);
  }
}

export function identitySamples(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
