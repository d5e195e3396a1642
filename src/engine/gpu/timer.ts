// Kernel time of the lane pass from timestamp queries (the 'timestamp-query' feature): each timed
// compute pass writes a timestamp at its start and end, and the sum of (end − start) over the
// passes is the time the kernels ran, apart from host work and round trips.

import { LIMITS } from '../../model/spec';
import type { BufferPool } from './buffers';

/** One timed pass per layer of a lane-pass batch. */
const MAX_TIMED_PASSES = LIMITS.maxBlocks * LIMITS.maxLayersPerBlock;

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

  /** Timestamp writes for the next pass, or undefined once the batch's query set is full. */
  nextPass(): GPUComputePassTimestampWrites | undefined {
    if (this.passes >= MAX_TIMED_PASSES) return undefined;
    const i = this.passes++;
    return {
      querySet: this.querySet,
      beginningOfPassWriteIndex: 2 * i,
      endOfPassWriteIndex: 2 * i + 1,
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
    const ticks = new BigUint64Array(resolved);
    let ns = 0;
    for (let i = 0; i + 1 < ticks.length; i += 2) {
      // A pass whose end precedes its start (a reset counter) counts as zero.
      if (ticks[i + 1] > ticks[i]) ns += Number(ticks[i + 1] - ticks[i]);
    }
    return ns / 1e6;
  }

  destroy(): void {
    this.querySet.destroy();
    this.pool.release(this.resolveBuffer);
  }
}
