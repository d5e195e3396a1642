// Messages between the CPU engine and its shard executors (Web Workers in the browser,
// worker_threads in Node, or one executor in the engine's own thread). docs/engine.md describes
// the design: every generated matrix is cut into SHARD_BLOCKS row blocks; block b always goes to
// executor b mod P, which keeps the rows it stores. Typed arrays travel by structured clone
// (inputs) or transfer (results).

import type { Activation } from '../../model/spec';
import type { GeneratedMatrix } from '../matrixKey';

/** A generated Gaussian matrix: a network weight W^(ℓ) (stream 0) or a dense direction Δ^(ℓ). */
export interface MatrixRef extends GeneratedMatrix {
  /** Keep the rows in the executor's store (true) or generate them for this use only. */
  store: boolean;
}

/**
 * Row blocks per matrix, fixed whatever the number of executors, so that a transposed product's
 * partial sums (added in block order) and hence every result are the same for a pool of 1 or N.
 */
export const SHARD_BLOCKS = 32;

/** Rows [start, end) of block b of a matrix with `rows` rows. */
export function blockRows(rows: number, block: number): [number, number] {
  return [
    Math.floor((block * rows) / SHARD_BLOCKS),
    Math.floor(((block + 1) * rows) / SHARD_BLOCKS),
  ];
}

/** A dense direction term added to a product: Y[:, c0:c1] += alpha · Δ X_c[:, c0:c1]. */
export interface DenseTerm {
  matrix: MatrixRef;
  alpha: number;
  c0: number;
  c1: number;
}

/**
 * A rank-one direction term applied by the executor after its product (the epilogue):
 * Y[:, c0:c1] += alpha · u[rows] dotsᵀ, dots = vᵀ X_c[:, c0:c1] computed by the engine.
 */
export interface RankOneTerm {
  alpha: number;
  /** The whole u (the executor takes its block's rows). */
  u: Float64Array;
  /** dots[c] for c ∈ [c0, c1), indexed from 0 at c0. */
  dots: Float64Array;
  c0: number;
  c1: number;
}

/** A direction's Δ at one layer of a lane pass. */
export type LanePiece =
  | { kind: 'zero' }
  /** Δ = u vᵀ; alpha = s_ℓ · scale. */
  | { kind: 'rankOne'; alpha: number; u: Float64Array; v: Float64Array }
  | { kind: 'dense'; alpha: number; matrix: MatrixRef };

/** One layer of a lane pass. */
export interface LaneLayer {
  weights: MatrixRef;
  /** s_ℓ. */
  scale: number;
  activation: Activation;
  /**
   * The coupling weight of each lane of a direction, or null when Δ does not enter this layer:
   * lane i reads lane source[i] of its direction (none where source[i] < 0) times weight[i].
   */
  weight: Float64Array | null;
  /** Null for a lane-local coupling (lane i reads itself, as on a grid of t). */
  source: Int32Array | null;
  /** Per direction. */
  pieces: LanePiece[];
}

/**
 * A whole lane pass (cpu/lanePass.ts): the executor runs every layer on its chunks of columns
 * (column d·lanes + i: direction d, lane i) and returns the outputs.
 */
export interface LanePassJob {
  layers: LaneLayer[];
  directions: number;
  /** Lanes per direction. */
  lanes: number;
  /** The input x (inputSize). */
  x: Float64Array;
  /** 1 where a lane starts as x, 0 where it starts at zero (per lane of a direction). */
  startsAtInput: Uint8Array;
  /**
   * Columns per chunk (the last may be narrower); a multiple of `lanes` unless every coupling is
   * lane-local, so that a chunk holds the lanes its lanes read.
   */
  chunkColumns: number;
}

export type ToShard =
  /** Y = alpha · G X (+ dense terms on X_c) for the rows of `blocks`; x is cols × n. */
  | {
      type: 'product';
      job: number;
      blocks: number[];
      matrix: MatrixRef;
      x: Float64Array;
      n: number;
      alpha: number;
      dense: DenseTerm[];
      xc: Float64Array | null;
      /** Applied after the product and the dense terms, in this order: rank-one terms, then σ. */
      rankOne?: RankOneTerm[];
      activation?: Activation;
    }
  /** The chunks `blocks` of a lane pass; each reply is outputSize × chunk columns. */
  | { type: 'lanes'; job: number; blocks: number[]; pass: LanePassJob }
  /** Unscaled partials Gᵀ X over each block's rows; x is rows × n (all rows). */
  | {
      type: 'transposed';
      job: number;
      blocks: number[];
      matrix: MatrixRef;
      x: Float64Array;
      n: number;
    }
  /** Σ G² over each block's rows (the norm of a dense direction), filling the store if asked. */
  | { type: 'norm'; job: number; blocks: number[]; matrix: MatrixRef }
  | { type: 'evict'; keys: string[] }
  | { type: 'cancel'; job: number };

export type FromShard =
  | {
      type: 'block';
      job: number;
      block: number;
      /**
       * product: the block's rows of Y (rows × n); transposed: its cols × n partial; norm: [Σ g²];
       * lanes: the chunk's outputs (outputSize × its columns).
       */
      values: Float64Array;
    }
  | { type: 'error'; job: number; message: string };
