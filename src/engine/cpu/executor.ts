// One shard executor: answers ToShard messages block by block and keeps the row blocks it was
// asked to store. The same class runs inside a Web Worker, a Node worker thread, or the engine's
// own thread, so every placement computes with the same code and gives the same bits.

import type { Activation } from '../../model/spec';
import { matrixKey } from '../matrixKey';
import { javascriptKernels, type KernelSet } from './kernels';
import { LanePassRun } from './lanePass';
import {
  blockRows,
  type FromShard,
  type MatrixRef,
  type RankOneTerm,
  SHARD_BLOCKS,
  type ToShard,
} from './protocol';
import { WasmKernels } from './wasmKernels';

/** Rows generated at a time on the generated path: about 1 MiB of float32 per chunk. */
const CHUNK_FLOATS = 1 << 18;
/** Let messages in (a cancel) at least this often while working through blocks. */
const YIELD_EVERY_MS = 15;

export type Reply = (message: FromShard, transfer?: Transferable[]) => void;

/** A macrotask turn without timer clamping (setTimeout(0) is clamped to 4 ms when nested). */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class ShardExecutor {
  /** matrixKey → (block → its rows, float32). */
  private readonly store = new Map<string, Map<number, Float32Array>>();
  private readonly cancelled = new Set<number>();
  private scratch = new Float32Array(0);
  private lastYield = 0;
  readonly kernels: KernelSet;
  /** Messages run one after another, in arrival order (cancel and evict act at once). */
  private queue: Promise<void> = Promise.resolve();

  /** `simd: false` forces the JavaScript kernels (the tests compare both). */
  constructor(
    private readonly reply: Reply,
    options: { simd?: boolean } = {},
  ) {
    this.kernels = (options.simd === false ? null : WasmKernels.create()) ?? javascriptKernels();
  }

  receive(message: ToShard): void {
    if (message.type === 'cancel') {
      this.cancelled.add(message.job);
      return;
    }
    if (message.type === 'evict') {
      for (const key of message.keys) this.store.delete(key);
      return;
    }
    this.queue = this.queue.then(() => this.run(message)).catch(() => undefined);
  }

  /** Bytes of float32 rows this executor holds. */
  get storedBytes(): number {
    let bytes = 0;
    for (const blocks of this.store.values())
      for (const rows of blocks.values()) bytes += rows.byteLength;
    return bytes;
  }

  private async run(message: Exclude<ToShard, { type: 'cancel' | 'evict' }>): Promise<void> {
    try {
      const lanes =
        message.type === 'lanes'
          ? new LanePassRun(this.kernels, message.pass, (m) => this.wholeMatrix(m))
          : null;
      for (const block of message.blocks) {
        if (this.cancelled.has(message.job)) break;
        if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
          await yieldToMessages();
          this.lastYield = performance.now();
          if (this.cancelled.has(message.job)) break;
        }
        const values =
          message.type === 'lanes'
            ? (lanes as LanePassRun).chunk(block)
            : this.block(message, block);
        this.reply({ type: 'block', job: message.job, block, values }, [values.buffer]);
      }
    } catch (error) {
      this.reply({
        type: 'error',
        job: message.job,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    this.cancelled.delete(message.job);
  }

  private block(message: Exclude<ToShard, { type: 'cancel' | 'evict' | 'lanes' }>, block: number) {
    const [r0, r1] = blockRows(message.matrix.rows, block);
    const { cols } = message.matrix;
    switch (message.type) {
      case 'product': {
        const { n, x, xc } = message;
        const y = new Float64Array((r1 - r0) * n);
        this.forRows(message.matrix, block, (g, first, count) => {
          const out = y.subarray(first * n);
          this.kernels.productRows(g, count, cols, x, 0, n, 0, n, message.alpha, out, false);
        });
        for (const term of message.dense) {
          if (!xc) throw new Error('a dense direction term needs the coupled lanes X_c');
          this.forRows(term.matrix, block, (g, first, count) => {
            const out = y.subarray(first * n);
            const { c0, c1, alpha } = term;
            this.kernels.productRows(g, count, cols, xc, 1, n, c0, c1, alpha, out, true);
          });
        }
        this.epilogue(y, r0, r1, n, message.rankOne ?? [], message.activation ?? 'identity');
        return y;
      }
      case 'transposed': {
        const { n, x } = message;
        const p = new Float64Array(cols * n);
        this.forRows(message.matrix, block, (g, first, count) => {
          const rows = x.subarray((r0 + first) * n, (r0 + first + count) * n);
          this.kernels.transposedProductRows(g, count, cols, rows, n, p);
        });
        return p;
      }
      case 'norm': {
        let sum = 0;
        this.forRows(message.matrix, block, (g, _first, count) => {
          sum += this.kernels.sumOfSquares(g, count * cols);
        });
        return Float64Array.of(sum);
      }
    }
  }

  /**
   * The product's epilogue on the block's rows [r0, r1) of Y (rows × n): the rank-one terms, then
   * σ, in the kernels' region (the row-sharded pass's host loops, moved into the shard).
   */
  private epilogue(
    y: Float64Array,
    r0: number,
    r1: number,
    n: number,
    terms: RankOneTerm[],
    activation: Activation,
  ): void {
    if (terms.length === 0 && activation === 'identity') return;
    const rows = r1 - r0;
    const yBytes = Math.ceil((rows * n * 8) / 16) * 16;
    const uBytes = Math.ceil((rows * 8) / 16) * 16;
    const { buffer, offset } = this.kernels.region(yBytes + uBytes + n * 8);
    const yv = new Float64Array(buffer, offset, rows * n);
    const u = new Float64Array(buffer, offset + yBytes, rows);
    const dots = new Float64Array(buffer, offset + yBytes + uBytes, n);
    yv.set(y);
    for (const term of terms) {
      u.set(term.u.subarray(r0, r1));
      dots.set(term.dots, term.c0);
      this.kernels.rankOneAdd(yv, rows, n, term.c0, term.c1, u, term.alpha, dots);
    }
    this.kernels.activate(activation, yv);
    y.set(yv);
  }

  /** All rows of m, float32: its stored blocks (filled now if missing) or generated rows. */
  private wholeMatrix(m: MatrixRef): Float32Array {
    const all = new Float32Array(m.rows * m.cols);
    for (let b = 0; b < SHARD_BLOCKS; b++) {
      const r0 = blockRows(m.rows, b)[0];
      this.forRows(m, b, (g, first, count) =>
        all.set(g.subarray(0, count * m.cols), (r0 + first) * m.cols),
      );
    }
    return all;
  }

  /**
   * Calls `use(g, first, count)` over the block's rows: once with the stored rows (filled
   * now if the matrix is to be stored and is not yet), or chunk by chunk from the generator.
   * `first` counts rows from the block's start.
   */
  private forRows(
    m: MatrixRef,
    block: number,
    use: (g: Float32Array, first: number, count: number) => void,
  ): void {
    const [r0, r1] = blockRows(m.rows, block);
    if (r1 <= r0) return;
    if (m.store) {
      const key = matrixKey(m);
      let blocks = this.store.get(key);
      if (!blocks) {
        blocks = new Map();
        this.store.set(key, blocks);
      }
      let rows = blocks.get(block);
      if (!rows) {
        rows = new Float32Array((r1 - r0) * m.cols);
        this.kernels.fillRows(m.seed, m.stream, m.layer, m.cols, r0, r1, rows);
        blocks.set(block, rows);
      }
      use(rows, 0, r1 - r0);
      return;
    }
    const chunkRows = Math.max(1, Math.floor(CHUNK_FLOATS / Math.max(1, m.cols)));
    const size = Math.min(r1 - r0, chunkRows) * m.cols;
    if (this.scratch.length < size) this.scratch = new Float32Array(size);
    for (let first = 0; first < r1 - r0; first += chunkRows) {
      const count = Math.min(chunkRows, r1 - r0 - first);
      this.kernels.fillRows(
        m.seed,
        m.stream,
        m.layer,
        m.cols,
        r0 + first,
        r0 + first + count,
        this.scratch,
      );
      use(this.scratch, first, count);
    }
  }
}
