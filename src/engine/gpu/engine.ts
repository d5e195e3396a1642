// The WebGPU engine: float32 WGSL kernels for the wide products. Weight matrices (and dense
// directions, when room is left) are materialised once in a device-side store and reused across
// requests while they fit its budget; past it they are generated inside the product kernels,
// which keeps memory O(m × lanes). Advantages: the m×m products run in parallel. Disadvantages:
// float32 only (relative error ≈ √m · 6e-8 per product).
//
// Works in the browser (navigator.gpu) and in Node (the `webgpu` package): pass a GPU object.
// Pipelines are built once; buffers grow and are reused; every GPU object is labelled
// `GpuEngine.<member>`; validation errors, out-of-memory and device loss become EngineErrors.
// Requests run one at a time (SerialQueue): they share the pool's buffers and the store.

import { validateDirectionRequest } from '../../model/directions';
import type { Matrix } from '../../model/network';
import { polynomialLayout } from '../../model/polynomial';
import { isLinearNetwork, type NetworkSpec, validateSpec } from '../../model/spec';
import { SerialQueue } from '../queue';
import { MAX_GRID_POINTS, runGrid, runPolynomial } from '../requests';
import {
  type Engine,
  EngineError,
  type EngineInfo,
  type GridRequest,
  type GridResult,
  type LaneRunner,
  type PolynomialRequest,
  type PolynomialResult,
  type RunOptions,
} from '../types';
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
import { propagate } from './lanePass';
import { buildPipelines, type Pipelines } from './pipelines';
import { checkRequest } from './requestSize';
import { WeightStore } from './store';
import { Submitter } from './submit';
import { KernelTimer } from './timer';

export class GpuEngine implements Engine {
  readonly info: EngineInfo;
  readonly adapterInfo: GPUAdapterInfo;
  /** Milliseconds the last lane pass's kernels ran on the device; null without timestamps. */
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
    const submitter = new Submitter(device, pipelines, pool, checkAlive, timer);
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
    this.checkAlive();
    return this.enqueue(async () => {
      validateSpec(req.spec);
      validateDirectionRequest(req.spec, req.directions);
      // Nonlinear specs are refused by runPolynomial with its own message.
      if (isLinearNetwork(req.spec)) {
        const layout = polynomialLayout(req.spec, req.directions.blockMask, req.grouping);
        checkRequest(this.device.limits, req.spec, req.directions, layout.size);
      }
      const ops = setup.setupOps(this.ctx, req.spec, req.directions);
      return runPolynomial(this.info, ops, this.laneRunner, req, options);
    }, options.signal);
  }

  grid(req: GridRequest, options: RunOptions = {}): Promise<GridResult> {
    this.checkAlive();
    return this.enqueue(async () => {
      validateSpec(req.spec);
      validateDirectionRequest(req.spec, req.directions);
      const points = Array.isArray(req.ts) ? req.ts.length : 0;
      // An invalid number of points is refused by runGrid with its own message.
      if (points >= 1 && points <= MAX_GRID_POINTS) {
        checkRequest(this.device.limits, req.spec, req.directions, points);
      }
      const ops = setup.setupOps(this.ctx, req.spec, req.directions);
      return runGrid(this.info, ops, this.laneRunner, req, options);
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

  // ---- what the shared request logic calls ---------------------------------------------------

  private readonly laneRunner: LaneRunner = {
    propagate: async (spec, directions, plan, x, options) => {
      this.lastKernelMs = null;
      const { outputs, store, kernelMs } = await propagate(
        this.ctx,
        spec,
        directions,
        plan,
        x,
        options,
      );
      this.lastKernelMs = kernelMs;
      return { outputs, store, kernelMs };
    },
  };

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
