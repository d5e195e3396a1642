// Kernel time of the lane passes from timestamp queries (the 'timestamp-query' feature): each
// timed compute pass (one per lane pass of a batch: every layer of a request's directions) writes
// a timestamp at its start and end, and (end − start) is the time its kernels ran, apart from
// host work and round trips.

import type { BufferPool } from './buffers';

/** Timed passes per batch (2 queries each; WebGPU allows 4096 queries per set). */
export const MAX_TIMED_PASSES = 1024;

export class KernelTimer {
  private readonly querySet: GPUQuerySet;
  /** Resolved timestamps (two uint64 per pass), copied out with the batch's results. */
  readonly resolveBuffer: GPUBuffer;
  private passes = 0;

  constructor(
    device: GPUDevice,
    private readonly pool: BufferPool,
  ) {
    this.querySet = device.createQuerySet({
      label: 'GpuEngine.timer.querySet',
      type: 'timestamp',
      count: 2 * MAX_TIMED_PASSES,
    });
    this.resolveBuffer = pool.allocate(
      'timer.resolveBuffer',
      16 * MAX_TIMED_PASSES,
      GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    );
  }

  /** Starts a batch: the next timed pass writes query pair 0. */
  reset(): void {
    this.passes = 0;
  }

  /**
   * Timestamp writes for the next pass and its pair's index in the resolved buffer, or undefined
   * once the batch's query set is full.
   */
  nextPass(): { writes: GPUComputePassTimestampWrites; pair: number } | undefined {
    if (this.passes >= MAX_TIMED_PASSES) return undefined;
    const i = this.passes++;
    return {
      pair: i,
      writes: {
        querySet: this.querySet,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      },
    };
  }

  /** Bytes of resolved timestamps the batch produced. */
  get bytes(): number {
    return 16 * this.passes;
  }

  /** Records the resolve of this batch's queries into resolveBuffer. */
  resolve(encoder: GPUCommandEncoder): void {
    if (this.passes > 0) {
      encoder.resolveQuerySet(this.querySet, 0, 2 * this.passes, this.resolveBuffer, 0);
    }
  }

  /** Milliseconds of kernel time in resolved timestamps (nanoseconds, pairs per pass). */
  static milliseconds(resolved: ArrayBuffer): number {
    return KernelTimer.pairMilliseconds(resolved).reduce((s, ms) => s + ms, 0);
  }

  /** Milliseconds of each pass (pair) in resolved timestamps. */
  static pairMilliseconds(resolved: ArrayBuffer): number[] {
    const ticks = new BigUint64Array(resolved);
    const out: number[] = [];
    for (let i = 0; i + 1 < ticks.length; i += 2) {
      // A pass whose end precedes its start (a reset counter) counts as zero.
      out.push(ticks[i + 1] > ticks[i] ? Number(ticks[i + 1] - ticks[i]) / 1e6 : 0);
    }
    return out;
  }

  destroy(): void {
    this.querySet.destroy();
    this.pool.release(this.resolveBuffer);
  }
}
