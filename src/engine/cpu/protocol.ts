// Messages between the CPU engine and its shard executors (Web Workers in the browser,
// worker_threads in Node, or one executor in the engine's own thread). docs/engine.md describes
// the design: every generated matrix is cut into SHARD_BLOCKS row blocks; block b always goes to
// executor b mod P, which keeps the rows it stores. Typed arrays travel by structured clone
// (inputs) or transfer (results).

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
    }
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
      /** product: the block's rows of Y (rows × n); transposed: its cols × n partial; norm: [Σ g²]. */
      values: Float64Array;
    }
  | { type: 'error'; job: number; message: string };
