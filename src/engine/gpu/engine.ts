// The WebGPU engine: float32 WGSL kernels for the wide products. Weight matrices (and dense
// directions, when room is left) are materialised once in a device-side store and reused across
// requests while they fit its budget; past it they are generated inside the product kernels,
// which keeps memory O(m × lanes). Advantages: the m×m products run in parallel. Disadvantages:
// float32 only (relative error ≈ √m · 6e-8 per product).
//
// Works in the browser (navigator.gpu) and in Node (the `webgpu` package): pass a GPU object.
// Pipelines are built once; buffers grow and are reused; every GPU object is labelled
// `GpuEngine.<member>`; validation errors, out-of-memory and device loss become EngineErrors.
// Requests run one at a time (SerialQueue): they share the pool's buffers and the store. A
// request, or a batch of them (batch(): a figure's panels, a sweep's width), is recorded into as
// few submissions as possible and read back once (batch.ts).

import type { Matrix } from '../../model/network';
import type { NetworkSpec } from '../../model/spec';
import { SerialQueue } from '../queue';
import {
  type BatchRequest,
  type BatchResult,
  type Engine,
  EngineError,
  type EngineInfo,
  type GridRequest,
  type GridResult,
  type PolynomialRequest,
  type PolynomialResult,
  type RunOptions,
} from '../types';
import { runBatch } from './batch';
import { BufferPool } from './buffers';
import type { GpuContext } from './context';
import {
  type DeviceSetup,
  describeAdapter,
  type GpuEngineOptions,
  openDevice,
  storageLimit,
} from './device';
import * as setup from './directions';
import { buildPipelines, type Pipelines } from './pipelines';
import { WeightStore } from './store';
import { Submitter } from './submit';
import { KernelTimer } from './timer';

export class GpuEngine implements Engine {
  readonly info: EngineInfo;
  readonly adapterInfo: GPUAdapterInfo;
  /** Milliseconds the last batch's lane passes ran on the device; null without timestamps. */
  lastKernelMs: number | null = null;
  private readonly device: GPUDevice;
  private readonly ctx: GpuContext;
  private readonly queue = new SerialQueue();
  /** Requests queued or running: the store is only cleared synchronously when there are none. */
  private running = 0;
  private lostMessage: string | null = null;
  private destroyed = false;

  /** Asks `gpu` for an adapter and device; throws EngineError('no-adapter') when there is none. */
  static async create(gpu: GPU | undefined, options: GpuEngineOptions = {}): Promise<GpuEngine> {
    const setup = await openDevice(gpu, options);
    let pipelines: Pipelines;
    try {
      pipelines = await buildPipelines(setup.device);
    } catch (error) {
      setup.device.destroy();
      const message = error instanceof Error ? error.message : String(error);
      throw new EngineError('validation', `Building the WGSL pipelines failed: ${message}`);
    }
    return new GpuEngine(setup, pipelines, options);
  }

  private constructor(
    { adapter, device, timestamps, storeBudgetBytes }: DeviceSetup,
    pipelines: Pipelines,
    options: GpuEngineOptions,
  ) {
    this.device = device;
    this.adapterInfo = adapter.info;
    this.info = { kind: 'webgpu', adapter: describeAdapter(adapter), precision: 'float32' };
    device.lost.then((info) => {
      if (this.destroyed) return;
      this.lostMessage = `GPU device lost (${info.reason}): ${info.message || 'no message'}`;
      options.onDeviceLost?.(this.lostMessage);
    });
    const pool = new BufferPool(device, pipelines);
    const timer = timestamps ? new KernelTimer(device, pool) : null;
    const checkAlive = () => this.checkAlive();
    const submitter = new Submitter(device, pipelines, pool, checkAlive);
    const store = new WeightStore(
      device,
      pool,
      storeBudgetBytes,
      storageLimit(device.limits).bytes,
    );
    this.ctx = { device, pipelines, pool, submitter, store, timer, checkAlive };
  }

  get deviceLimits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Peak bytes of device memory held at once (buffers and the weight store). */
  get peakBytes(): number {
    return this.ctx.pool.peakBytes;
  }

  /** Bytes the weight store holds now. */
  get storeBytes(): number {
    return this.ctx.store.bytes;
  }

  /** Bytes the weight store may hold (0: every matrix is generated in the kernels). */
  get storeBudgetBytes(): number {
    return this.ctx.store.budgetBytes;
  }

  /**
   * Frees the weight store (matrices are generated, or stored again, when next needed): now when
   * no request is running, else once the queued requests are done (they may be using it).
   */
  clearStore(): void {
    if (this.running === 0) this.ctx.store.clear();
    else void this.enqueue(async () => this.ctx.store.clear());
  }

  polynomial(req: PolynomialRequest, options: RunOptions = {}): Promise<PolynomialResult> {
    return this.batch([{ kind: 'polynomial', request: req }], options).then(([answer]) => {
      if (answer.kind !== 'polynomial') throw new Error('GpuEngine.polynomial: not a polynomial');
      return answer.result;
    });
  }

  grid(req: GridRequest, options: RunOptions = {}): Promise<GridResult> {
    return this.batch([{ kind: 'grid', request: req }], options).then(([answer]) => {
      if (answer.kind !== 'grid') throw new Error('GpuEngine.grid: not a grid');
      return answer.result;
    });
  }

  /**
   * Several requests in one go, answered in order: their set-up (directions made on the device
   * but gradient ones) and lane passes in as few submissions as possible and one read-back.
   */
  batch(requests: BatchRequest[], options: RunOptions = {}): Promise<BatchResult[]> {
    this.checkAlive();
    return this.enqueue(async () => {
      this.lastKernelMs = null;
      const { results, kernelMs } = await runBatch(this.ctx, this.info, requests, options);
      this.lastKernelMs = kernelMs;
      return results;
    }, options.signal);
  }

  /** Destroys the device without marking the engine destroyed: device.lost fires as on a real loss. */
  simulateDeviceLoss(): void {
    this.device.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.ctx.store.clear();
    this.ctx.timer?.destroy();
    this.ctx.pool.destroy();
    this.device.destroy();
  }

  // ---- set-up operations, public for tests and the benchmark -------------------------------

  /** Y = α·G X (or α·Gᵀ X) for the generated matrix G, read from the store when it fits. */
  generatedMatMul(
    seed: number,
    stream: number,
    layer: number,
    gRows: number,
    gCols: number,
    x: Matrix,
    alpha: number,
    transposed: boolean,
  ): Promise<Matrix> {
    return setup.matMul(
      this.ctx,
      { seed, stream, layer, rows: gRows, cols: gCols },
      x,
      alpha,
      transposed,
    );
  }

  /** ‖G‖_F² of a generated matrix. */
  denseNormSquared(seed: number, stream: number, layer: number, rows: number, cols: number) {
    return setup.denseNormSquared(this.ctx, { seed, stream, layer, rows, cols });
  }

  /** Row 0 of matrix `layer` for streams firstStream … firstStream + count − 1 (float32). */
  gaussianVectors(seed: number, firstStream: number, count: number, layer: number, length: number) {
    return setup.gaussianVectors(this.ctx, seed, firstStream, count, layer, length);
  }

  /** h_0 … h_L at W_init for the columns of `inputs`. */
  forwardTrace(spec: NetworkSpec, inputs: Matrix): Promise<Matrix[]> {
    return setup.forwardTrace(this.ctx, spec, inputs);
  }

  /** Philox words and Gaussians for (counter, key) inputs, for tests of bit-identity. */
  generatorWords(inputs: Uint32Array) {
    return setup.generatorWords(this.ctx, inputs);
  }

  /** Runs `job` after every request before it (they share buffers and the store). */
  private async enqueue<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.running++;
    try {
      return await this.queue.run(job, signal);
    } finally {
      this.running--;
    }
  }

  private checkAlive(): void {
    if (this.destroyed) throw new EngineError('destroyed', 'GpuEngine used after destroy()');
    if (this.lostMessage) throw new EngineError('device-lost', this.lostMessage);
  }
}
