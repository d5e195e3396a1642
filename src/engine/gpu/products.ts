// Dispatch plans of the matrix products Y (=|+=) α · G X' and α · Gᵀ X': which kernel (stored or
// generated, narrow or wide tiles), how many workgroups, and when to split the inner dimension.
// The traces and the lane pass both build their products here.

import { Stream } from '../../model/random';
import type { LayerPlan } from '../../model/spec';
import type { GeneratedMatrix } from '../matrixKey';
import type { KernelName } from './pipelines';
import type { Dispatch } from './submit';
import {
  ELEMENT_LANES,
  ROWS_PER_THREAD,
  TILE_K,
  TILE_LANES,
  TILE_ROWS,
  WIDE_TILE_LANES,
} from './tiles';

/** WebGPU's default maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS = 65535;
/**
 * Aim for at least this many workgroups per product before splitting the inner dimension: a
 * 4096 × 4096 layer over 105 lanes is only 256 tiles, a sliver of an H100's 132 SMs × 32 warps.
 */
const TARGET_WORKGROUPS = 4096;
/** Smallest inner range per split workgroup (a multiple of TILE_K). */
const MIN_K_SPLIT = 256;
/** Split-K partials stay under this many floats (32 MiB), well inside any storage limit. */
const MAX_SPLIT_FLOATS = 8 * 2 ** 20;

/** Matrix `layer` of (seed, stream) of the generator, rows × cols: a weight or a dense Δ. */
export type MatrixKey = GeneratedMatrix;

/** The `Params` fields that name a generated matrix to the kernels (shaders/random.wgsl). */
export function generatorParams(matrix: MatrixKey) {
  return {
    seed: matrix.seed,
    stream: matrix.stream,
    layer: matrix.layer,
    gRows: matrix.rows,
    gCols: matrix.cols,
  };
}

/** One product over `lanes` lanes of a rows × ld state (lane map and accumulate optional). */
export interface Product {
  matrix: MatrixKey;
  transposed: boolean;
  alpha: number;
  lanes: number;
  ld: number;
  laneBase?: number;
  /** Lane c reads lane_desc[descBase + laneBase + c] (source lane, weight). */
  descBase?: number;
  useLaneMap?: boolean;
  accumulate?: boolean;
  /** alpha is multiplied by vecs[alphaIndex] on the device (a dense direction's scale). */
  alphaIndex?: number;
}

/**
 * The dispatches for one product: one matmul, or, when the output is too small to fill the device
 * (e.g. a 1 × m layer), a split-K matmul whose partials reduce_splits adds up. `stored`: the
 * matrix's buffer in the weight store (stored_matmul), or null to generate it in the kernel.
 */
export function productDispatches(product: Product, stored: GPUBuffer | null): Dispatch[] {
  const { matrix, transposed, lanes } = product;
  const outRows = transposed ? matrix.cols : matrix.rows;
  const inner = transposed ? matrix.rows : matrix.cols;
  // Wide tiles once they would be at least half full: each G entry (generated or loaded) then
  // serves up to 128 lanes.
  const wide = lanes >= WIDE_TILE_LANES / 2;
  const kernel: KernelName = stored
    ? wide
      ? 'stored_matmul_wide'
      : 'stored_matmul'
    : wide
      ? 'generated_matmul_wide'
      : 'generated_matmul';
  const rowTiles = Math.ceil(outRows / TILE_ROWS);
  const laneTiles = Math.ceil(lanes / (wide ? WIDE_TILE_LANES : TILE_LANES));
  const tiles = rowTiles * laneTiles;
  const splits = Math.max(
    1,
    Math.min(
      Math.ceil(TARGET_WORKGROUPS / tiles),
      Math.ceil(inner / MIN_K_SPLIT),
      Math.floor(MAX_SPLIT_FLOATS / (outRows * lanes)),
      MAX_GROUPS,
    ),
  );
  const params = {
    ...generatorParams(matrix),
    transposed: transposed ? 1 : 0,
    alpha: product.alpha,
    lanes,
    ld: product.ld,
    laneBase: product.laneBase ?? 0,
    descBase: product.descBase ?? 0,
    useLaneMap: product.useLaneMap ? 1 : 0,
    accumulate: product.accumulate ? 1 : 0,
    alphaFromVecs: product.alphaIndex === undefined ? 0 : 1,
    alphaIndex: product.alphaIndex ?? 0,
    outRows,
    inner,
  };
  const weights = stored ?? undefined;
  if (splits <= 1) return [{ kernel, params, groups: [rowTiles, laneTiles], weights }];
  const kSplit = Math.ceil(inner / splits / TILE_K) * TILE_K;
  const count = Math.ceil(inner / kSplit);
  return [
    {
      kernel,
      params: { ...params, kSplit },
      groups: [rowTiles, laneTiles, count],
      scratchFloats: count * outRows * lanes,
      weights,
    },
    {
      kernel: 'reduce_splits',
      params: { ...params, gRows: count },
      groups: elementGroups(outRows, lanes),
    },
  ];
}

/** Element-wise kernels: ELEMENT_LANES lanes per workgroup in x, ROWS_PER_THREAD rows in y. */
export function elementGroups(rows: number, lanes: number): [number, number] {
  return [Math.ceil(lanes / ELEMENT_LANES), Math.ceil(rows / ROWS_PER_THREAD)];
}

/** The weight matrix W^(ℓ) of `layer` (stream 0 of the network's seed). */
export function weightMatrix(seed: number, layer: LayerPlan): MatrixKey {
  return {
    seed,
    stream: Stream.weights,
    layer: layer.index,
    rows: layer.outSize,
    cols: layer.inSize,
  };
}
