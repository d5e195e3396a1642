// Where everything lives on the device: one arena buffer of float32 states (inputs, targets,
// traces, cotangents, partials, Gram matrices) at fixed offsets, and one buffer per weight matrix
// (W_0 shared, one per trained model). Sizes are checked against the adapter's limits and a memory
// budget before anything is allocated.

import type { LayerPlan } from '../../../model/spec';
import type { TrainingProblem } from '../../trainer';
import { EngineError } from '../../types';
import { formatBytes, storageLimit } from '../device';
import { TRAIN_SIZES } from './pipelines';

/** Bytes of device memory the GPU trainer may hold (weights and arena) unless told otherwise. */
export const GPU_TRAINING_BUDGET_BYTES = 3 * 2 ** 30;
/** Backward products: rows per chunk of the split sum (fewer chunks when partials would pass the cap). */
export const BACKWARD_CHUNK_ROWS = 128;
/** Floats the split partials may take (32 MiB), unless one chunk alone needs more. */
export const PARTIAL_CAP_FLOATS = 8 * 2 ** 20;

/** Float offsets of the arena's regions. */
export interface ArenaLayout {
  /** Largest number of state columns: max(n, nk, n'). */
  lanes: number;
  xTrain: number;
  xHeld: number;
  targets: number;
  basis: number;
  alpha: number;
  /** h[ℓ] for ℓ = 1 … L (index 0 unused: layer 0 reads the inputs). */
  h: number[];
  tangent: [number, number];
  /** Cotangent of layer ℓ's output (the network's δ_ℓ after σ'). */
  g: number[];
  /** Linearised models: δ_ℓ inside a linearisation group. */
  delta: number[];
  sampleGram: number;
  kernel: number;
  partials: number;
  /** Per layer: first float of its squared-distance partials, and how many. */
  distance: { offset: number; count: number }[];
  floats: number;
}

/** Split of a backward product over `rows` rows with `cols × lanes` partial entries per chunk. */
export function backwardSplit(rows: number, cols: number, lanes: number) {
  const cap = Math.max(1, Math.floor(PARTIAL_CAP_FLOATS / (cols * lanes)));
  const splits = Math.max(1, Math.min(Math.ceil(rows / BACKWARD_CHUNK_ROWS), cap));
  return { splits, chunk: Math.ceil(rows / splits) };
}

export function arenaLayout(layers: LayerPlan[], problem: TrainingProblem): ArenaLayout {
  const d = problem.trainInputs.rows;
  const n = problem.trainInputs.cols;
  const k = problem.trainTargets.rows;
  const held = problem.heldOutInputs.cols;
  const lanes = Math.max(n, n * k, held);
  let floats = 0;
  const take = (count: number) => {
    const at = floats;
    floats += Math.ceil(Math.max(count, 1) / 64) * 64;
    return at;
  };
  const xTrain = take(d * n);
  const xHeld = take(d * held);
  const targets = take(k * n);
  const basis = take(k * n * k);
  const alpha = take(k * n);
  const h = [0, ...layers.map((l) => take(l.outSize * lanes))];
  const widest = Math.max(...layers.map((l) => l.outSize));
  const tangent: [number, number] = [take(widest * lanes), take(widest * lanes)];
  const g = layers.map((l) => take(l.outSize * lanes));
  const delta = layers.map((l) => take(l.outSize * lanes));
  const sampleGram = take(n * n);
  const kernel = take(n * k * n * k);
  const partialFloats = Math.max(
    ...layers.map((l) => {
      const { splits } = backwardSplit(l.outSize, l.inSize, lanes);
      return splits * l.inSize * lanes;
    }),
  );
  const partials = take(partialFloats);
  const distance = layers.map((l) => {
    const count = Math.ceil((l.outSize * l.inSize) / TRAIN_SIZES.distanceChunk);
    return { offset: take(count), count };
  });
  return {
    lanes,
    xTrain,
    xHeld,
    targets,
    basis,
    alpha,
    h,
    tangent,
    g,
    delta,
    sampleGram,
    kernel,
    partials,
    distance,
    floats,
  };
}

/**
 * Refuses, with EngineError('too-large') naming the widths and the bytes, a problem whose buffers
 * would pass one storage binding, maxBufferSize or the budget.
 */
export function checkMemory(
  layers: LayerPlan[],
  arena: ArenaLayout,
  copies: number,
  limits: GPUSupportedLimits,
  budgetBytes: number,
): void {
  const widths = `widths ${[...new Set(layers.map((l) => l.outSize))].join(', ')}, ${layers.length} layers`;
  const limit = storageLimit(limits);
  const largest = layers.reduce((a, l) => (l.inSize * l.outSize > a.inSize * a.outSize ? l : a));
  const largestBytes = largest.inSize * largest.outSize * 4;
  if (largestBytes > limit.bytes) {
    throw new EngineError(
      'too-large',
      `GPU trainer: layer ${largest.index} (${largest.outSize} × ${largest.inSize}) needs ${formatBytes(largestBytes)} in one buffer, over the adapter's ${limit.name} of ${formatBytes(limit.bytes)}`,
    );
  }
  const arenaBytes = arena.floats * 4;
  if (arenaBytes > limit.bytes) {
    throw new EngineError(
      'too-large',
      `GPU trainer: ${widths}: the state buffer needs ${formatBytes(arenaBytes)}, over the adapter's ${limit.name} of ${formatBytes(limit.bytes)}`,
    );
  }
  const weightBytes = layers.reduce((sum, l) => sum + l.inSize * l.outSize * 4, 0);
  const total = weightBytes * copies + arenaBytes;
  if (total > budgetBytes) {
    throw new EngineError(
      'too-large',
      `GPU trainer: ${widths}: ${copies} copies of ${formatBytes(weightBytes)} of float32 weights plus ${formatBytes(arenaBytes)} of states need ${formatBytes(total)}, over its ${formatBytes(budgetBytes)} budget; use a smaller width, fewer layers per block, or fewer models`,
    );
  }
}
