// The CPU engine: the float64 model's arithmetic over stored float32 weights, every lane of every
// direction in one pass, the rows of each product spread over every core (docs/engine.md).
// It is the fallback when WebGPU is missing or lost, and the reference for the GPU engine.
//
// Advantages: float64 accumulation; runs everywhere; each weight is generated once (while the
// store has room) and read once per lane pass, by the core that holds its rows. Disadvantages:
// 128-bit SIMD at most, and past the store budget every use of a weight regenerates it from
// Philox (~28 ns per entry per core here), which then dominates.

import {
  cpuDirectionOps,
  type Direction,
  type DirectionOps,
  type DirectionRequest,
} from '../model/directions';
import { type Matrix, zeros } from '../model/network';
import type { LanePlan } from '../model/polynomial';
import { Stream } from '../model/random';
import { type LayerPlan, type NetworkSpec, planLayers } from '../model/spec';
import { activateInPlace } from './cpu/kernels';
import { LANE_CHUNK_COLUMNS, LANE_STATE_BYTES } from './cpu/lanePass';
import { ShardPool, type ShardSpawner } from './cpu/pool';
import type {
  DenseTerm,
  LaneLayer,
  LanePassJob,
  LanePiece,
  MatrixRef,
  RankOneTerm,
} from './cpu/protocol';
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

/**
 * A lane pass runs whole in each executor, on its chunks of columns, while the network's
 * matrices (weights and dense directions) have at most this many entries in all: each executor
 * then holds a copy of them (4 MiB of float32 at most), and no state crosses threads between
 * layers. Larger networks keep the row-sharded pass (each weight held once).
 */
export const LANE_PASS_MAX_ENTRIES = 1 << 20;
/** Numbers of ξ rows the engine keeps (8 MiB of float64). */
const XI_CACHE_ENTRIES = 1 << 20;

/**
 * A lane pass with less work than this (multiply-adds, a σ ≠ identity counted as 8 per entry)
 * runs on this thread: sending it to the workers would cost more (messages, and the weights of a
 * new network generated again in each worker, where this thread's executor holds them from the
 * forward trace). Figure 1's exact panels (2·10⁶) stay here, its tanh panel (10⁸) goes out.
 */
export const LANE_PASS_LOCAL_WORK = 4_000_000;

/** A chunk of whole directions (a polynomial's lanes) runs whole in an executor up to this state. */
export const LANE_PASS_MAX_STATE_BYTES = 16 * 2 ** 20;

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
    // executor's generator. Entry j of a row does not depend on the row's length, so a vector is
    // kept (the longest asked for) and its prefix served again: the panels of a figure share
    // their directions' ξ, and a width step down generates none.
    gaussianVectors: async (seed, firstStream, count, layer, length) =>
      Array.from({ length: count }, (_, i) => this.xi(seed, firstStream + i, layer, length)),
  };

  /** Kept ξ rows by `seed/stream/layer`, at most XI_CACHE_ENTRIES numbers in all. */
  private readonly xis = new Map<string, Float64Array>();
  private xiEntries = 0;

  private xi(seed: number, stream: number, layer: number, length: number): Float64Array {
    const key = `${seed}/${stream}/${layer}`;
    const kept = this.xis.get(key);
    if (kept && kept.length >= length) return kept.slice(0, length);
    const row = new Float32Array(length);
    this.pool.kernels.fillRows(seed, stream, layer, length, 0, 1, row);
    const xi = Float64Array.from(row);
    if (kept) {
      this.xis.delete(key);
      this.xiEntries -= kept.length;
    }
    if (this.xiEntries + length > XI_CACHE_ENTRIES) {
      this.xis.clear();
      this.xiEntries = 0;
    }
    if (length <= XI_CACHE_ENTRIES) {
      this.xis.set(key, xi);
      this.xiEntries += length;
    }
    return xi.slice();
  }

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
    const chunk = this.lanePassChunk(layers, directions, plan);
    if (chunk > 0) return this.lanePass(spec, layers, directions, plan, x, chunk, options);
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
      // With every lane in the product (always on a grid), the executors add the rank-one terms
      // and apply σ to their rows; otherwise this thread does, after spreading the lanes.
      const epilogue = all
        ? {
            rankOne: xc ? rankOneTerms(pieces, layer.scale, layer.inSize, n, N, xc) : [],
            activation: layer.activation,
          }
        : null;
      const product = await this.pool.product(
        weights,
        hLanes,
        directions.length * k,
        layer.scale,
        dense,
        xcLanes,
        options.signal,
        epilogue,
      );
      const y = all ? product : spreadLanes(product, layer.outSize, N, n, lanes);
      for (let i = 0; i < n; i++) live[i] = live[i] | reached[i];
      if (!epilogue) {
        if (xc) addRankOneTerms(pieces, layer.scale, layer.inSize, layer.outSize, n, N, xc, y);
        activateInPlace(layer.activation, y);
      }
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

  /**
   * The columns per chunk when the pass runs whole in each executor (cpu/lanePass.ts), or 0: a
   * network of at most LANE_PASS_MAX_ENTRIES matrix entries (weights and dense directions
   * together), in chunks of LANE_CHUNK_COLUMNS or more columns (up to 64 while the state stays
   * within LANE_STATE_BYTES) where every coupling is lane-local (a grid of t), else of whole
   * directions, whose state must stay within LANE_PASS_MAX_STATE_BYTES.
   */
  private lanePassChunk(layers: LayerPlan[], directions: Direction[], plan: LanePlan): number {
    let entries = 0;
    let laneLocal = true;
    let maxRows = 0;
    for (const layer of layers) {
      entries += layer.inSize * layer.outSize;
      maxRows = Math.max(maxRows, layer.inSize, layer.outSize);
      const coupling = plan.coupling(layer);
      if (!coupling) continue;
      for (let i = 0; i < plan.lanes; i++) {
        const src = coupling.source[i];
        if (src >= 0 && src !== i) laneLocal = false;
      }
      for (const d of directions) {
        const piece = d.layers[layer.index];
        if (piece.kind === 'dense' && piece.scale !== 0) entries += layer.inSize * layer.outSize;
      }
    }
    if (entries > LANE_PASS_MAX_ENTRIES) return 0;
    const fit = Math.floor(LANE_STATE_BYTES / (8 * maxRows));
    if (laneLocal) return Math.max(LANE_CHUNK_COLUMNS, Math.min(64, fit - (fit % 8)));
    const n = plan.lanes;
    const chunk = n * Math.max(1, Math.min(Math.floor(fit / n), Math.floor(64 / n)));
    return chunk * maxRows * 8 <= LANE_PASS_MAX_STATE_BYTES ? chunk : 0;
  }

  /** The lane pass whole in each executor, on chunks of `chunk` columns. */
  private async lanePass(
    spec: NetworkSpec,
    layers: LayerPlan[],
    directions: Direction[],
    plan: LanePlan,
    x: Float64Array,
    chunk: number,
    options: RunOptions,
  ): Promise<Matrix[]> {
    const n = plan.lanes;
    const N = directions.length * n;
    const laneLayers: LaneLayer[] = layers.map((layer) => {
      const coupling = plan.coupling(layer);
      const pieces = directions.map((d) => d.layers[layer.index]);
      const perturbed = coupling !== null && pieces.some((p) => p.kind !== 'zero' && p.scale !== 0);
      const weight =
        perturbed && coupling
          ? Float64Array.from(coupling.weight, (w, i) => (coupling.source[i] >= 0 ? w : 0))
          : null;
      const local = !coupling || coupling.source.every((src, i) => src < 0 || src === i);
      const source = weight && coupling && !local ? Int32Array.from(coupling.source) : null;
      return {
        weights: this.ref(spec.seed, Stream.weights, layer.index, layer.outSize, layer.inSize),
        scale: layer.scale,
        activation: layer.activation,
        weight,
        source,
        pieces: pieces.map((piece): LanePiece => {
          if (!weight || piece.kind === 'zero' || piece.scale === 0) return { kind: 'zero' };
          const alpha = layer.scale * piece.scale;
          if (piece.kind === 'rankOne') return { kind: 'rankOne', alpha, u: piece.u, v: piece.v };
          return {
            kind: 'dense',
            alpha,
            matrix: this.ref(piece.seed, piece.stream, layer.index, layer.outSize, layer.inSize),
          };
        }),
      };
    });
    let work = 0;
    for (const layer of layers) {
      const dense = laneLayers[layer.index].pieces.some((p) => p.kind === 'dense') ? 2 : 1;
      const sigma = layer.activation === 'identity' ? 0 : 8 * layer.outSize;
      work += (dense * layer.inSize * layer.outSize + sigma) * N;
    }
    const local = work < LANE_PASS_LOCAL_WORK;
    // Rank-one pieces whose v is the same vector (aligned directions all read ĥ_ℓ) share one
    // array, which a message then carries once.
    if (!local) for (const layer of laneLayers) dedupeV(layer.pieces);
    const pass: LanePassJob = {
      layers: laneLayers,
      directions: directions.length,
      lanes: n,
      x,
      startsAtInput: Uint8Array.from({ length: n }, (_, i) => (plan.startsAtInput(i) ? 1 : 0)),
      chunkColumns: chunk,
    };
    // An executor's job carries only the pieces of the directions its chunks hold.
    const jobFor = (blocks: number[]): LanePassJob => {
      const used = new Uint8Array(directions.length);
      for (const b of blocks) {
        const last = Math.min(N, (b + 1) * chunk) - 1;
        for (let d = Math.floor((b * chunk) / n); d <= Math.floor(last / n); d++) used[d] = 1;
      }
      return {
        ...pass,
        layers: laneLayers.map((layer) => ({
          ...layer,
          pieces: layer.pieces.map((piece, d) => (used[d] ? piece : { kind: 'zero' })),
        })),
      };
    };
    const chunks = Math.ceil(N / chunk);
    const k = spec.outputSize;
    const out = directions.map(() => zeros(k, n));
    let done = 0;
    let reported = 0;
    await this.pool.lanePass(
      chunks,
      jobFor,
      (b, values) => {
        const c0 = b * chunk;
        const width = values.length / k;
        for (let c = 0; c < width; c++) {
          const d = Math.floor((c0 + c) / n);
          const i = (c0 + c) % n;
          for (let r = 0; r < k; r++) out[d].data[r * n + i] = values[r * width + c];
        }
        done++;
        // About ten progress reports per pass (each may be a message to the page).
        if (done === chunks || done - reported >= chunks / 10) {
          reported = done;
          options.onProgress?.(done / chunks, `lanes ${Math.min(N, done * chunk)} of ${N}`);
        }
      },
      options.signal,
      local,
    );
    return out;
  }

  private checkAlive(): void {
    if (this.destroyed) throw new EngineError('destroyed', 'CpuEngine used after destroy()');
  }
}

/** Gives rank-one pieces with equal v one shared array (compared by value, O(in) each). */
function dedupeV(pieces: LanePiece[]): void {
  const seen: Float64Array[] = [];
  const equal = (a: Float64Array, b: Float64Array) => {
    if (a === b) return true;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  };
  for (const piece of pieces) {
    if (piece.kind !== 'rankOne') continue;
    const same = seen.find((s) => equal(s, piece.v));
    if (same) piece.v = same;
    else seen.push(piece.v);
  }
}

/**
 * The rank-one terms of a layer for the executors' epilogue: per rank-one piece, alpha, u and
 * dots = vᵀ X_c on its direction's lanes (O(in · N) here; the O(out · N) update is theirs).
 */
function rankOneTerms(
  pieces: Direction['layers'],
  layerScale: number,
  inSize: number,
  n: number,
  N: number,
  xc: Float64Array,
): RankOneTerm[] {
  const terms: RankOneTerm[] = [];
  pieces.forEach((piece, d) => {
    if (piece.kind !== 'rankOne' || piece.scale === 0) return;
    const dots = new Float64Array(n);
    const base = d * n;
    for (let r = 0; r < inSize; r++) {
      const vr = piece.v[r];
      const o = r * N + base;
      for (let i = 0; i < n; i++) dots[i] += vr * xc[o + i];
    }
    terms.push({ alpha: layerScale * piece.scale, u: piece.u, dots, c0: base, c1: base + n });
  });
  return terms;
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
