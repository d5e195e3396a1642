// The shard pool: P executors on other threads (Web Workers or worker_threads) plus one in the
// engine's own thread for matrices too small to be worth a message. A product is split into
// SHARD_BLOCKS row blocks; block b of a large matrix always goes to executor b mod P, which keeps
// the rows it stores, so a stored matrix is spread over every core and each weight is read once
// per lane pass by the core that holds it.

import type { Activation } from '../../model/spec';
import { EngineError, throwIfAborted } from '../types';
import { ShardExecutor } from './executor';
import type { KernelSet } from './kernels';
import {
  blockRows,
  type DenseTerm,
  type FromShard,
  type LanePassJob,
  type MatrixRef,
  type RankOneTerm,
  SHARD_BLOCKS,
  type ToShard,
} from './protocol';

/** A started executor on another thread. */
export interface ShardPort {
  post(message: ToShard, transfer?: Transferable[]): void;
  terminate(): void;
  /** Whether a job is waiting on the executor (Node: keep the process alive only then). */
  hold?(busy: boolean): void;
}

/**
 * Starts executor number `index` on another thread; its replies go to `onMessage`, and a crash
 * (an uncaught error, a failed start) to `onError`.
 */
export type ShardSpawner = (
  index: number,
  onMessage: (message: FromShard) => void,
  onError: (message: string) => void,
) => ShardPort;

/** Matrices with fewer entries than this stay on the engine's thread (messages would cost more). */
export const LOCAL_MATRIX_ENTRIES = 1 << 16;

/** After this many crashes the pool stops starting workers and computes on its own thread. */
const MAX_CRASHES = 3;

export function isLocalMatrix(m: { rows: number; cols: number }): boolean {
  return m.rows * m.cols < LOCAL_MATRIX_ENTRIES;
}

interface Pending {
  remaining: number;
  onBlock: (block: number, values: Float64Array) => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class ShardPool {
  private readonly local: ShardExecutor;
  private ports: ShardPort[] | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;
  private crashes = 0;

  /**
   * `size` executors on other threads from `spawner`; with no spawner (or size 0) every block
   * runs on this thread.
   */
  constructor(
    private readonly spawner: ShardSpawner | null,
    readonly size: number,
  ) {
    this.local = new ShardExecutor((message) => queueMicrotask(() => this.onMessage(message)));
  }

  /** The in-thread executor's kernels (for host-side vectors from the same generator). */
  get kernels(): KernelSet {
    return this.local.kernels;
  }

  /**
   * Y (rows × n) = alpha · G X + the dense terms on X_c, all rows; then, in the executors, the
   * rank-one terms and σ (the epilogue), when given.
   */
  async product(
    matrix: MatrixRef,
    x: Float64Array,
    n: number,
    alpha: number,
    dense: DenseTerm[],
    xc: Float64Array | null,
    signal?: AbortSignal,
    epilogue: { rankOne: RankOneTerm[]; activation: Activation } | null = null,
  ): Promise<Float64Array> {
    const y = new Float64Array(matrix.rows * n);
    const after = epilogue ?? {};
    await this.dispatch(
      matrix,
      (job, blocks) => ({ type: 'product', job, blocks, matrix, x, n, alpha, dense, xc, ...after }),
      (block, values) => y.set(values, blockRows(matrix.rows, block)[0] * n),
      signal,
    );
    return y;
  }

  /** alpha · Gᵀ X (cols × n) for X rows × n; block partials are added in block order. */
  async transposedProduct(
    matrix: MatrixRef,
    x: Float64Array,
    n: number,
    alpha: number,
    signal?: AbortSignal,
  ): Promise<Float64Array> {
    const partials: (Float64Array | undefined)[] = new Array(SHARD_BLOCKS);
    const sum = new Float64Array(matrix.cols * n);
    let next = 0;
    const addReady = () => {
      // Skip blocks with no rows; add the others strictly in block order.
      for (; next < SHARD_BLOCKS; next++) {
        const [r0, r1] = blockRows(matrix.rows, next);
        if (r1 <= r0) continue;
        const p = partials[next];
        if (!p) return;
        for (let i = 0; i < sum.length; i++) sum[i] += p[i];
        partials[next] = undefined;
      }
    };
    await this.dispatch(
      matrix,
      (job, blocks) => ({ type: 'transposed', job, blocks, matrix, x, n }),
      (block, values) => {
        partials[block] = values;
        addReady();
      },
      signal,
    );
    addReady();
    for (let i = 0; i < sum.length; i++) sum[i] *= alpha;
    return sum;
  }

  /** ‖G‖_F², block sums added in block order. */
  async normSquared(matrix: MatrixRef, signal?: AbortSignal): Promise<number> {
    const sums = new Float64Array(SHARD_BLOCKS);
    await this.dispatch(
      matrix,
      (job, blocks) => ({ type: 'norm', job, blocks, matrix }),
      (block, values) => {
        sums[block] = values[0];
      },
      signal,
    );
    let total = 0;
    for (const s of sums) total += s;
    return total;
  }

  /**
   * A whole lane pass (cpu/lanePass.ts) over `chunks` chunks of columns: executor w of P takes
   * the contiguous run [w·chunks/P, (w+1)·chunks/P) (so it needs the pieces of few directions),
   * all on this thread without workers or when `local`. `job(blocks)` gives the job for a run of
   * chunks; calls `onChunk(b, outputs)` as each arrives.
   */
  lanePass(
    chunks: number,
    job: (blocks: number[]) => LanePassJob,
    onChunk: (chunk: number, outputs: Float64Array) => void,
    signal?: AbortSignal,
    local = false,
  ): Promise<void> {
    const all = Array.from({ length: chunks }, (_, b) => b);
    const ports = local ? null : this.startedPorts();
    const P = ports?.length ?? 1;
    return this.send(
      all,
      ports,
      (id, blocks) => ({ type: 'lanes', job: id, blocks, pass: job(blocks) }),
      onChunk,
      signal,
      (b) => Math.min(P - 1, Math.floor((b * P) / chunks)),
    );
  }

  /** Drops stored matrices everywhere. */
  evict(keys: string[]): void {
    if (keys.length === 0) return;
    this.local.receive({ type: 'evict', keys });
    for (const port of this.ports ?? []) port.post({ type: 'evict', keys });
  }

  destroy(): void {
    for (const port of this.ports ?? []) port.terminate();
    this.ports = null;
    for (const [job, p] of this.pending) {
      this.deletePending(job);
      p.reject(new EngineError('destroyed', 'CPU engine destroyed during a computation'));
    }
  }

  /** Sends each executor its blocks in one message and collects one reply per block. */
  private dispatch(
    matrix: MatrixRef,
    message: (job: number, blocks: number[]) => ToShard,
    onBlock: (block: number, values: Float64Array) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const live: number[] = [];
    for (let b = 0; b < SHARD_BLOCKS; b++) {
      const [r0, r1] = blockRows(matrix.rows, b);
      if (r1 > r0) live.push(b);
    }
    return this.send(
      live,
      isLocalMatrix(matrix) ? null : this.startedPorts(),
      message,
      onBlock,
      signal,
    );
  }

  /**
   * Blocks `live`, block b to port `assign(b)` (default b mod P; all to this thread without
   * ports); one reply each.
   */
  private send(
    live: number[],
    ports: ShardPort[] | null,
    message: (job: number, blocks: number[]) => ToShard,
    onBlock: (block: number, values: Float64Array) => void,
    signal?: AbortSignal,
    assign?: (block: number) => number,
  ): Promise<void> {
    throwIfAborted(signal);
    const job = this.nextJob++;
    if (live.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      const onAbort = () => {
        this.cancel(job);
        reject(new EngineError('cancelled', 'Computation cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.setPending(job, {
        remaining: live.length,
        onBlock,
        resolve: () => {
          cleanup();
          resolve();
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      });
      if (!ports) {
        this.local.receive(message(job, live));
        return;
      }
      ports.forEach((port, w) => {
        const blocks = live.filter((b) => (assign ? assign(b) : b % ports.length) === w);
        if (blocks.length > 0) port.post(message(job, blocks));
      });
    });
  }

  private setPending(job: number, p: Pending): void {
    this.pending.set(job, p);
    if (this.pending.size === 1) for (const port of this.ports ?? []) port.hold?.(true);
  }

  private deletePending(job: number): boolean {
    const had = this.pending.delete(job);
    if (had && this.pending.size === 0) for (const port of this.ports ?? []) port.hold?.(false);
    return had;
  }

  private cancel(job: number): void {
    if (!this.deletePending(job)) return;
    this.local.receive({ type: 'cancel', job });
    for (const port of this.ports ?? []) port.post({ type: 'cancel', job });
  }

  private onMessage(message: FromShard): void {
    const p = this.pending.get(message.job);
    if (!p) return; // cancelled: late blocks are dropped
    if (message.type === 'error') {
      this.cancel(message.job);
      p.reject(new Error(`CPU shard failed: ${message.message}`));
      return;
    }
    try {
      p.onBlock(message.block, message.values);
    } catch (error) {
      this.cancel(message.job);
      p.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (--p.remaining === 0) {
      this.deletePending(message.job);
      p.resolve();
    }
  }

  private startedPorts(): ShardPort[] | null {
    if (!this.spawner || this.size < 1 || this.crashes >= MAX_CRASHES) return null;
    if (!this.ports) {
      const spawner = this.spawner;
      this.ports = Array.from({ length: this.size }, (_, i) =>
        spawner(
          i,
          (message) => this.onMessage(message),
          (message) => this.crashed(message),
        ),
      );
      if (this.pending.size > 0) for (const port of this.ports) port.hold?.(true);
    }
    return this.ports;
  }

  /**
   * A worker died: every running job fails with its message; the next job starts fresh ones (after
   * MAX_CRASHES, none: a worker script that cannot load must not fail every request).
   */
  private crashed(message: string): void {
    this.crashes++;
    for (const port of this.ports ?? []) port.terminate();
    this.ports = null;
    this.onCrash?.();
    for (const [job, p] of this.pending) {
      this.deletePending(job);
      p.reject(new Error(`A CPU shard worker crashed: ${message}`));
    }
  }

  /** Called when the workers (and the rows they stored) are gone. */
  onCrash: (() => void) | null = null;
}
