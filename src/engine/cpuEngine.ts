// The CPU engine: the float64 model's arithmetic over stored float32 weights, every lane of every
// direction in one pass, the rows of each product spread over every core (docs/engine.md).
// It is the fallback when WebGPU is missing or lost, and the reference for the GPU engine.
//
// Advantages: float64 accumulation; runs everywhere; each weight is generated once (while the
// store has room) and read once per lane pass, by the core that holds its rows. Disadvantages:
// scalar JavaScript (no SIMD), and past the store budget every use of a weight regenerates it
// from Philox (~70 ns per entry here), which then dominates.

import {
  cpuDirectionOps,
  type Direction,
  type DirectionOps,
  type DirectionRequest,
} from '../model/directions';
import { type Matrix, zeros } from '../model/network';
import type { LanePlan } from '../model/polynomial';
import { Stream } from '../model/random';
import { type Activation, type NetworkSpec, planLayers } from '../model/spec';
import { ShardPool, type ShardSpawner } from './cpu/pool';
import type { DenseTerm, MatrixRef } from './cpu/protocol';
import { StoreLedger, type WantedMatrix } from './cpu/storeLedger';
import { matrixKey } from './matrixKey';
import { SerialQueue } from './queue';
import { runGrid, runPolynomial } from './requests';
import { runningInNode } from './runtime';
import {
  type Engine,
  EngineError,
  type EngineInfo,
  type GridRequest,
  type GridResult,
  type LaneRunner,
  type PolynomialRequest,
  type PolynomialResult,
  type RunOptions,
  type StoreReport,
  storePath,
  throwIfAborted,
} from './types';

/**
 * Store budgets: weights are float32, so 512 MiB holds e.g. eight 4096 × 4096 layers. A browser
 * tab shares its memory with the page and the GPU process, so it gets less than Node.
 */
export const CPU_STORE_BUDGET_BYTES = { node: 2 * 2 ** 30, browser: 512 * 2 ** 20 } as const;

export interface CpuEngineOptions {
  /** Starts shard executors on other threads; without it every block runs on this thread. */
  spawn?: ShardSpawner;
  /** Number of executors to start (default: one per core, at most 16). */
  workers?: number;
  /** Bytes of float32 weights to keep (default CPU_STORE_BUDGET_BYTES for the environment). */
  storeBudgetBytes?: number;
}

function defaultWorkers(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Math.max(1, Math.min(16, cores ?? 2));
}

export class CpuEngine implements Engine {
  readonly info: EngineInfo;
  readonly peakBytes = 0;
  private readonly pool: ShardPool;
  private readonly ledger: StoreLedger;
  private readonly queue = new SerialQueue();
  private destroyed = false;
  /** Keys used by the current request, and whether each was stored. */
  private used = new Map<string, boolean>();
  private signal: AbortSignal | undefined;

  constructor(options: CpuEngineOptions = {}) {
    const workers = options.spawn ? (options.workers ?? defaultWorkers()) : 0;
    this.pool = new ShardPool(options.spawn ?? null, workers);
    this.pool.onCrash = () => this.ledger.clear();
    this.ledger = new StoreLedger(
      options.storeBudgetBytes ??
        (runningInNode() ? CPU_STORE_BUDGET_BYTES.node : CPU_STORE_BUDGET_BYTES.browser),
    );
    this.info = {
      kind: 'cpu',
      adapter:
        workers > 0
          ? `CPU (float64 JavaScript, ${workers} worker${workers > 1 ? 's' : ''})`
          : 'CPU (float64 JavaScript, one thread)',
      precision: 'float64',
    };
  }

  /** Bytes of weights the store holds now, and its budget. */
  get storeBytes(): number {
    return this.ledger.bytes;
  }
  get storeBudgetBytes(): number {
    return this.ledger.budgetBytes;
  }

  /** Drops every stored matrix (they are generated again when next needed). */
  clearStore(): void {
    this.pool.evict(this.ledger.clear());
  }

  polynomial(req: PolynomialRequest, options: RunOptions = {}): Promise<PolynomialResult> {
    this.checkAlive();
    return this.queue.run(() => {
      this.begin(req.spec, req.directions, options.signal);
      return runPolynomial(this.info, this.ops, this.runner, req, options);
    }, options.signal);
  }

  grid(req: GridRequest, options: RunOptions = {}): Promise<GridResult> {
    this.checkAlive();
    return this.queue.run(() => {
      this.begin(req.spec, req.directions, options.signal);
      return runGrid(this.info, this.ops, this.runner, req, options);
    }, options.signal);
  }

  destroy(): void {
    this.destroyed = true;
    this.pool.destroy();
  }

  /** Starts a request: its cancel signal reaches the set-up's products too. */
  private begin(spec: NetworkSpec, directions: DirectionRequest, signal?: AbortSignal): void {
    this.signal = signal;
    this.planStore(spec, directions);
  }

  /**
   * Decides which of the request's matrices are stored: the network's weights first (shared by
   * every direction, panel and analysis), then dense directions. Invalid specs are left for the
   * request logic to reject with its own message.
   */
  private planStore(spec: NetworkSpec, directions: DirectionRequest): void {
    this.used = new Map();
    let layers: ReturnType<typeof planLayers>;
    try {
      layers = planLayers(spec);
    } catch {
      return;
    }
    const wanted: WantedMatrix[] = layers.map((layer) => ({
      key: matrixKey({
        seed: spec.seed,
        stream: Stream.weights,
        layer: layer.index,
        rows: layer.outSize,
        cols: layer.inSize,
      }),
      bytes: layer.outSize * layer.inSize * 4,
    }));
    if (directions?.family === 'gaussian' && Array.isArray(directions.blockMask)) {
      for (let dir = 0; dir < (directions.count ?? 0); dir++) {
        for (const layer of layers) {
          if (!directions.blockMask[layer.block]) continue;
          wanted.push({
            key: matrixKey({
              seed: directions.seed,
              stream: Stream.denseDirection(dir),
              layer: layer.index,
              rows: layer.outSize,
              cols: layer.inSize,
            }),
            bytes: layer.outSize * layer.inSize * 4,
          });
        }
      }
    }
    this.pool.evict(this.ledger.plan(wanted).evict);
  }

  private ref(seed: number, stream: number, layer: number, rows: number, cols: number): MatrixRef {
    const key = matrixKey({ seed, stream, layer, rows, cols });
    const store = this.ledger.has(key);
    this.used.set(key, store);
    return { seed, stream, layer, rows, cols, store };
  }

  private report(): StoreReport {
    let stored = 0;
    let generated = 0;
    for (const s of this.used.values()) {
      if (s) stored++;
      else generated++;
    }
    return {
      path: storePath(stored, generated),
      storedMatrices: stored,
      generatedMatrices: generated,
      bytes: this.ledger.bytes,
      budgetBytes: this.ledger.budgetBytes,
    };
  }

  private readonly ops: DirectionOps = {
    ...cpuDirectionOps,
    matmul: async (seed, stream, layer, gRows, gCols, x, alpha, transposed) => {
      const ref = this.ref(seed, stream, layer, gRows, gCols);
      const n = x.cols;
      if (!transposed) {
        const data = await this.pool.product(ref, x.data, n, alpha, [], null, this.signal);
        return { rows: gRows, cols: n, data };
      }
      const data = await this.pool.transposedProduct(ref, x.data, n, alpha, this.signal);
      return { rows: gCols, cols: n, data };
    },
    denseNormSquared: (seed, stream, layer, rows, cols) =>
      this.pool.normSquared(this.ref(seed, stream, layer, rows, cols), this.signal),
    // ξ of aligned, tilted and chained directions: row 0 of `count` streams, with the in-thread
    // executor's generator.
    gaussianVectors: async (seed, firstStream, count, layer, length) => {
      const row = new Float32Array(length);
      return Array.from({ length: count }, (_, i) => {
        this.pool.kernels.fillRows(seed, firstStream + i, layer, length, 0, 1, row);
        return Float64Array.from(row);
      });
    },
  };

  private readonly runner: LaneRunner = {
    propagate: async (spec, directions, plan, x, options) => ({
      outputs: await this.propagate(spec, directions, plan, x, options),
      store: this.report(),
    }),
  };

  /**
   * The lane pass: every direction's lanes side by side in one state (rows × N lanes, N =
   * directions × lanes per direction), so each layer's weights are read once for all of them.
   * Per layer ℓ:  Y = s_ℓ W H  (+ s_ℓ Δ_d X_c on direction d's lanes, dense Δ, in the same sweep
   * over the rows)  + s_ℓ u_d (v_dᵀ X_c) for rank-one Δ, then σ. X_c holds, for each lane, the
   * lane it reads through Δ times its weight (polynomialLanes / gridLanes).
   */
  private async propagate(
    spec: NetworkSpec,
    directions: Direction[],
    plan: LanePlan,
    x: Float64Array,
    options: RunOptions,
  ): Promise<Matrix[]> {
    const layers = planLayers(spec);
    const n = plan.lanes;
    const N = directions.length * n;
    let h: Float64Array = new Float64Array(spec.inputSize * N);
    for (let c = 0; c < N; c++) {
      if (!plan.startsAtInput(c % n)) continue;
      for (let r = 0; r < spec.inputSize; r++) h[r * N + c] = x[r];
    }
    // Lanes that can be non-zero at the current layer's input: a polynomial's coefficient of
    // degree j stays exactly zero until j perturbed layers have passed, so the wide product skips
    // it (for B = 2, L_b = 3 and one t this halves the work of the m × m layers).
    const live = Uint8Array.from({ length: n }, (_, i) => (plan.startsAtInput(i) ? 1 : 0));
    for (const layer of layers) {
      throwIfAborted(options.signal);
      const coupling = plan.coupling(layer);
      const pieces = directions.map((d) => d.layers[layer.index]);
      const perturbed = coupling !== null && pieces.some((p) => p.kind !== 'zero' && p.scale !== 0);
      let xc: Float64Array | null = null;
      // Lanes that receive a Δ term from a live lane at this layer.
      const reached = new Uint8Array(n);
      if (perturbed && coupling) {
        // X_c[:, d·n + i] = weight_i · H[:, d·n + source_i] (zero where lane i reads nothing).
        xc = gatherCoupledLanes(h, layer.inSize, N, n, coupling.source, coupling.weight);
        for (let i = 0; i < n; i++) {
          const src = coupling.source[i];
          if (src >= 0 && live[src]) reached[i] = 1;
        }
      }
      const hasDense = xc !== null && pieces.some((p) => p.kind === 'dense' && p.scale !== 0);
      // The product's lanes: the live ones, and with dense directions the reached ones too (the
      // executors apply W and Δ to the same lanes).
      const lanes: number[] = [];
      for (let i = 0; i < n; i++) if (live[i] || (hasDense && reached[i])) lanes.push(i);
      const k = lanes.length;
      const all = k === n;
      const dense: DenseTerm[] = [];
      if (hasDense) {
        pieces.forEach((piece, d) => {
          if (piece.kind !== 'dense' || piece.scale === 0) return;
          dense.push({
            matrix: this.ref(piece.seed, piece.stream, layer.index, layer.outSize, layer.inSize),
            alpha: layer.scale * piece.scale,
            c0: d * k,
            c1: (d + 1) * k,
          });
        });
      }
      const weights = this.ref(spec.seed, Stream.weights, layer.index, layer.outSize, layer.inSize);
      const hLanes = all ? h : selectLanes(h, layer.inSize, N, n, lanes);
      const xcLanes =
        !hasDense || !xc ? null : all ? xc : selectLanes(xc, layer.inSize, N, n, lanes);
      const product = await this.pool.product(
        weights,
        hLanes,
        directions.length * k,
        layer.scale,
        dense,
        xcLanes,
        options.signal,
      );
      const y = all ? product : spreadLanes(product, layer.outSize, N, n, lanes);
      for (let i = 0; i < n; i++) live[i] = live[i] | reached[i];
      if (xc) addRankOneTerms(pieces, layer.scale, layer.inSize, layer.outSize, n, N, xc, y);
      applyActivationInPlace(layer.activation, y);
      h = y;
      options.onProgress?.(
        (layer.index + 1) / layers.length,
        `layer ${layer.index + 1} of ${layers.length}`,
      );
    }
    return directions.map((_, d) => {
      const out = zeros(spec.outputSize, n);
      for (let r = 0; r < spec.outputSize; r++) {
        for (let i = 0; i < n; i++) out.data[r * n + i] = h[r * N + d * n + i];
      }
      return out;
    });
  }

  private checkAlive(): void {
    if (this.destroyed) throw new EngineError('destroyed', 'CpuEngine used after destroy()');
  }
}

/** σ over a whole state, one loop per σ (the model's `activate`, without a switch per entry). */
function applyActivationInPlace(kind: Activation, y: Float64Array): void {
  if (kind === 'tanh') for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]);
  else if (kind === 'relu') for (let i = 0; i < y.length; i++) y[i] = Math.max(y[i], 0);
}

/** The columns d·n + lanes[j] of a rows × N matrix, packed as d·k + j (k = lanes.length). */
function selectLanes(
  m: Float64Array,
  rows: number,
  N: number,
  n: number,
  lanes: number[],
): Float64Array {
  const k = lanes.length;
  const D = N / n;
  const out = new Float64Array(rows * D * k);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < D; d++) {
      const from = r * N + d * n;
      const to = (r * D + d) * k;
      for (let j = 0; j < k; j++) out[to + j] = m[from + lanes[j]];
    }
  }
  return out;
}

/** The inverse of selectLanes: a rows × N matrix, zero outside the given lanes. */
function spreadLanes(
  packed: Float64Array,
  rows: number,
  N: number,
  n: number,
  lanes: number[],
): Float64Array {
  const k = lanes.length;
  const D = N / n;
  const out = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < D; d++) {
      const from = (r * D + d) * k;
      const to = r * N + d * n;
      for (let j = 0; j < k; j++) out[to + lanes[j]] = packed[from + j];
    }
  }
  return out;
}

/**
 * X_c[:, d·n + i] = weight_i · H[:, d·n + source_i] (zero where lane i reads nothing), swept row
 * by row so both matrices are read in memory order.
 */
function gatherCoupledLanes(
  h: Float64Array,
  rows: number,
  N: number,
  n: number,
  source: Int32Array,
  weight: Float64Array,
): Float64Array {
  const xc = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++) {
    const o = r * N;
    for (let base = o; base < o + N; base += n) {
      for (let i = 0; i < n; i++) {
        const src = source[i];
        if (src >= 0) xc[base + i] = weight[i] * h[base + src];
      }
    }
  }
  return xc;
}

/**
 * Y[:, lanes of d] += s_ℓ · scale_d · u_d (v_dᵀ X_c[:, lanes of d]) for every rank-one piece:
 * O((in + out) · N), with X_c and Y swept row by row.
 */
function addRankOneTerms(
  pieces: Direction['layers'],
  layerScale: number,
  inSize: number,
  outSize: number,
  n: number,
  N: number,
  xc: Float64Array,
  y: Float64Array,
): void {
  const live: { d: number; u: Float64Array; v: Float64Array; alpha: number }[] = [];
  pieces.forEach((piece, d) => {
    if (piece.kind === 'rankOne' && piece.scale !== 0)
      live.push({ d, u: piece.u, v: piece.v, alpha: layerScale * piece.scale });
  });
  if (live.length === 0) return;
  const dots = new Float64Array(N);
  for (let r = 0; r < inSize; r++) {
    const o = r * N;
    for (const { d, v } of live) {
      const vr = v[r];
      const base = d * n;
      for (let i = base; i < base + n; i++) dots[i] += vr * xc[o + i];
    }
  }
  for (let r = 0; r < outSize; r++) {
    const o = r * N;
    for (const { d, u, alpha } of live) {
      const ur = alpha * u[r];
      const base = d * n;
      for (let i = base; i < base + n; i++) y[o + i] += ur * dots[i];
    }
  }
}
