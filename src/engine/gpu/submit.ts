// Recording, submitting and reading back: compute passes with one dynamic-offset params slot per
// dispatch, GPU errors turned into EngineErrors, and read-backs of several regions through one
// staging buffer. Each wait for the device is a round trip (0.1–1 ms through Dawn on a real GPU,
// more in a browser), so callers put as much as they can into one submit and one read, and a
// read-back waits once: mapAsync alone (it resolves only once the work before it is done), with
// no onSubmittedWorkDone beside it. A submit that nobody waits for asks for no completion either.

import { EngineError } from '../types';
import type { BufferPool } from './buffers';
import type { DispatchParams } from './params';
import { encodeParams, PARAMS_SLOT } from './params';
import type { KernelName, Pipelines } from './pipelines';

/** One kernel launch: its parameters, workgroup counts and what it binds besides src/dst. */
export interface Dispatch {
  kernel: KernelName;
  params: DispatchParams;
  groups: [number, number] | [number, number, number];
  /** Floats of `scratch` the kernel writes (split-K partials, dots, set-up results). */
  scratchFloats?: number;
  /** The stored matrix stored_matmul reads (bind group 1). */
  weights?: GPUBuffer;
  /** This dispatch's src instead of the pass's (a lane pass ping-pongs inside one pass). */
  src?: GPUBuffer;
  /** This dispatch's dst instead of the pass's (store_fill writes a stored matrix). */
  dst?: GPUBuffer;
}

/** One compute pass: dispatches over src → dst, and what the command buffer records after it. */
export interface Pass {
  dispatches: Dispatch[];
  src?: GPUBuffer;
  dst?: GPUBuffer;
  /** Bound as `vecs` instead of the pool's (a batch's direction vectors, made on the device). */
  vecs?: GPUBuffer;
  /** Timestamps of the pass (KernelTimer.nextPass: the lane passes). */
  timestampWrites?: GPUComputePassTimestampWrites;
  /** Records work into the same command buffer ahead of the pass (copies). */
  before?: (encoder: GPUCommandEncoder) => void;
  /** Records more work into the same command buffer after the pass (copies). */
  after?: (encoder: GPUCommandEncoder) => void;
}

/** A region to read back: `bytes` bytes of `buffer` from `offset`. */
export interface ReadRegion {
  buffer: GPUBuffer;
  bytes: number;
  offset?: number;
}

/** Regions sit in the staging buffer at multiples of this (copy offsets and BigUint64 views). */
const REGION_ALIGN = 256;

export class Submitter {
  constructor(
    private readonly device: GPUDevice,
    private readonly pipelines: Pipelines,
    private readonly pool: BufferPool,
    private readonly checkAlive: () => void,
  ) {}

  /**
   * Records `passes` into one command buffer and submits it. With `wait` the returned promise
   * settles when the GPU is done (one onSubmittedWorkDone); without, as soon as the submit's
   * errors are known, and the device is not asked about completion at all. Either way it rejects
   * with an EngineError on a validation error, out-of-memory or device loss. Queue order makes
   * later submissions (and queue writes) see this one's results, so callers can submit several
   * and wait once.
   */
  submitPasses(passes: Pass[], { wait = true }: { wait?: boolean } = {}): Promise<void> {
    const encoder = this.record(passes);
    this.device.queue.submit([encoder.finish()]);
    return this.settle(wait);
  }

  /**
   * Records `passes`, then copies `regions` into one staging buffer, in one command buffer: one
   * submit and one round trip for the whole lot. `before` records work ahead of the copies (a
   * query resolve).
   */
  async runAndRead(
    passes: Pass[],
    regions: ReadRegion[],
    before?: (encoder: GPUCommandEncoder) => void,
  ): Promise<ArrayBuffer[]> {
    const encoder = this.record(passes);
    before?.(encoder);
    const starts: number[] = [];
    let size = 0;
    for (const r of regions) {
      starts.push(size);
      size += Math.ceil(Math.max(r.bytes, 4) / REGION_ALIGN) * REGION_ALIGN;
    }
    const staging = this.pool.buffer(
      'readback',
      size,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
    regions.forEach((r, i) => {
      if (r.bytes > 0) {
        encoder.copyBufferToBuffer(r.buffer, r.offset ?? 0, staging, starts[i], r.bytes);
      }
    });
    this.device.queue.submit([encoder.finish()]);
    const done = this.settle(false);
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
    } catch (error) {
      await done; // a validation error or device loss says more than the failed map
      this.checkAlive();
      throw new EngineError('validation', `Reading results back failed: ${String(error)}`);
    }
    await done;
    const mapped = staging.getMappedRange(0, size);
    const out = regions.map((r, i) => mapped.slice(starts[i], starts[i] + r.bytes));
    staging.unmap();
    return out;
  }

  /** Copies `floats` values of `from` (from float `offset`) back to the host. */
  async read(from: GPUBuffer, floats: number, offset = 0): Promise<Float32Array> {
    const [data] = await this.runAndRead(
      [],
      [{ buffer: from, bytes: floats * 4, offset: offset * 4 }],
    );
    return new Float32Array(data);
  }

  /** A command encoder with `passes` recorded, inside error scopes that settle() pops. */
  private record(passes: Pass[]): GPUCommandEncoder {
    this.checkAlive();
    const { device, pool } = this;
    const dispatches = passes.flatMap((p) => p.dispatches);
    // Buffers first: a too-large refusal must not leave error scopes pushed.
    let paramsBuffer: GPUBuffer | null = null;
    let params: ArrayBuffer | null = null;
    if (dispatches.length > 0) {
      paramsBuffer = pool.buffer(
        'params',
        dispatches.length * PARAMS_SLOT,
        GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      );
      params = new ArrayBuffer(dispatches.length * PARAMS_SLOT);
      const view = new DataView(params);
      dispatches.forEach((d, i) => {
        encodeParams(d.params, view, i * PARAMS_SLOT);
      });
      pool.scratch(Math.max(0, ...dispatches.map((d) => d.scratchFloats ?? 0)));
    }
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    if (paramsBuffer && params) device.queue.writeBuffer(paramsBuffer, 0, params);
    const encoder = device.createCommandEncoder({ label: 'GpuEngine.encoder' });
    let slot = 0;
    for (const p of passes) {
      p.before?.(encoder);
      if (paramsBuffer && p.dispatches.length > 0) {
        const pass = encoder.beginComputePass({
          label: 'GpuEngine.pass',
          timestampWrites: p.timestampWrites,
        });
        for (const d of p.dispatches) {
          const src = d.src ?? p.src ?? pool.placeholder('src');
          const dst = d.dst ?? p.dst ?? pool.placeholder('dst');
          pass.setPipeline(this.pipelines.pipeline[d.kernel]);
          const group = pool.bindGroup(paramsBuffer, src, dst, p.vecs);
          pass.setBindGroup(0, group, [slot++ * PARAMS_SLOT]);
          pass.setBindGroup(1, pool.weightsGroup(d.weights ?? null));
          pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2] ?? 1);
        }
        pass.end();
      }
      p.after?.(encoder);
    }
    return encoder;
  }

  /** Pops record()'s error scopes (and, with `wait`, waits for the queue): the submit's outcome. */
  private settle(wait: boolean): Promise<void> {
    const device = this.device;
    const done = Promise.all([
      device.popErrorScope(),
      device.popErrorScope(),
      wait ? device.queue.onSubmittedWorkDone() : undefined,
    ]).then(([validation, memory]) => {
      this.checkAlive();
      if (validation)
        throw new EngineError('validation', `WebGPU validation error: ${validation.message}`);
      if (memory) throw new EngineError('out-of-memory', `GPU out of memory: ${memory.message}`);
    });
    // Errors surface where the caller awaits; this only stops an early one being "unhandled".
    done.catch(() => undefined);
    return done;
  }
}
