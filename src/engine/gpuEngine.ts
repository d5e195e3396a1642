// The WebGPU engine: float32 WGSL kernels for the wide products, weights generated in-kernel.
// Advantages: the m×m products run in parallel and no m×m matrix is ever stored (memory grows
// like m × lanes). Disadvantages: float32 only (relative error ≈ √m · 6e-8 per product), and
// every use of a weight regenerates it (see shaders/generated_matmul.wgsl for the cost).
//
// Works in the browser (navigator.gpu) and in Node (the `webgpu` package): pass a GPU object.
// Pipelines are built once; buffers grow and are reused; every GPU object is labelled
// `GpuEngine.<member>`; validation errors, out-of-memory and device loss become EngineErrors.

import activationWgsl from '../../shaders/activation.wgsl?raw';
import bindingsWgsl from '../../shaders/bindings.wgsl?raw';
import matmulWgsl from '../../shaders/generated_matmul.wgsl?raw';
import normsWgsl from '../../shaders/norms.wgsl?raw';
import randomWgsl from '../../shaders/random.wgsl?raw';
import rankOneWgsl from '../../shaders/rank_one.wgsl?raw';
import type { Direction, DirectionOps } from '../model/directions';
import { type Matrix, zeros } from '../model/network';
import type { LanePlan } from '../model/polynomial';
import { type Activation, type NetworkSpec, planLayers } from '../model/spec';
import { SerialQueue } from './queue';
import { runGrid, runPolynomial } from './requests';
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
  throwIfAborted,
} from './types';

/** Bytes per dispatch slot in the params buffer (minUniformBufferOffsetAlignment ≤ 256). */
const PARAMS_SLOT = 256;
/** In a lane pass, wait for the GPU after about this much work (cancel latency vs round trips). */
const WAIT_EVERY_FLOPS = 2e10;
/** WebGPU's default maxComputeWorkgroupsPerDimension. */
const MAX_GROUPS = 65535;
const NORM_WORKGROUPS = 1024;
/** Keep each hidden-state buffer under this, splitting directions into batches if needed. */
const STATE_BUFFER_BUDGET = 256 * 1024 * 1024;

type KernelName =
  | 'generated_matmul'
  | 'generated_matmul_wide'
  | 'reduce_splits'
  | 'lane_dots'
  | 'rank_one_update'
  | 'activate'
  | 'dense_norm_squared'
  | 'gaussian_rows'
  | 'generator_words';

const KERNEL_SOURCES: Record<KernelName, string> = {
  generated_matmul: matmulWgsl,
  generated_matmul_wide: matmulWgsl,
  reduce_splits: matmulWgsl,
  lane_dots: rankOneWgsl,
  rank_one_update: rankOneWgsl,
  activate: activationWgsl,
  dense_norm_squared: normsWgsl,
  gaussian_rows: normsWgsl,
  generator_words: normsWgsl,
};

/** Pipelines that share an entry point and differ in override constants. */
const KERNEL_ENTRY: Partial<Record<KernelName, string>> = {
  generated_matmul_wide: 'generated_matmul',
};
const KERNEL_CONSTANTS: Partial<Record<KernelName, Record<string, number>>> = {
  generated_matmul_wide: { WG_X: 32 },
};
/** Lanes per generated_matmul tile: 32, or 128 for the wide variant. */
const TILE_LANES = 32;
const WIDE_TILE_LANES = 128;

const ACTIVATION_CODE: Record<Activation, number> = { identity: 0, tanh: 1, relu: 2 };

/** One kernel launch: its parameters and workgroup counts. */
interface Dispatch {
  kernel: KernelName;
  params: Partial<DispatchParams>;
  groups: [number, number] | [number, number, number];
  /** Floats of `scratch` the kernel writes (split-K partials, dots). */
  scratchFloats?: number;
}

interface DispatchParams {
  seed: number;
  stream: number;
  layer: number;
  transposed: number;
  gRows: number;
  gCols: number;
  lanes: number;
  laneBase: number;
  ld: number;
  accumulate: number;
  useLaneMap: number;
  descBase: number;
  alpha: number;
  uOffset: number;
  vOffset: number;
  activation: number;
  outRows: number;
  inner: number;
  kSplit: number;
  laneGroup: number;
}

function encodeParams(params: Partial<DispatchParams>, view: DataView, offset: number): void {
  const u = [
    params.seed,
    params.stream,
    params.layer,
    params.transposed,
    params.gRows,
    params.gCols,
    params.lanes,
    params.laneBase,
    params.ld,
    params.accumulate,
    params.useLaneMap,
    params.descBase,
  ];
  u.forEach((v, i) => {
    view.setUint32(offset + 4 * i, (v ?? 0) >>> 0, true);
  });
  view.setFloat32(offset + 48, params.alpha ?? 1, true);
  const rest = [
    params.uOffset,
    params.vOffset,
    params.activation,
    params.outRows,
    params.inner,
    params.kSplit,
    params.laneGroup ?? 1,
  ];
  rest.forEach((v, i) => {
    view.setUint32(offset + 52 + 4 * i, (v ?? 0) >>> 0, true);
  });
}

/**
 * Aim for at least this many workgroups per product before splitting the inner dimension: a
 * 4096 × 4096 layer over 105 lanes is only 256 tiles, a sliver of an H100's 132 SMs × 32 warps.
 */
const TARGET_WORKGROUPS = 4096;
/** Smallest inner range per split workgroup (a multiple of the kernel's TILE_K = 16). */
const MIN_K_SPLIT = 256;

/**
 * The dispatches for one generated product over `lanes` lanes: one generated_matmul, or, when
 * the output is too small to fill the device (e.g. a 1 × m layer), a split-K generated_matmul
 * whose partials reduce_splits adds up.
 */
function matmulDispatches(
  params: Partial<DispatchParams>,
  outRows: number,
  inner: number,
  lanes: number,
): Dispatch[] {
  // Wide tiles once they would be at least half full: fewer regenerations of each entry.
  const wide = lanes >= WIDE_TILE_LANES / 2;
  const kernel: KernelName = wide ? 'generated_matmul_wide' : 'generated_matmul';
  const rowTiles = Math.ceil(outRows / 64);
  const laneTiles = Math.ceil(lanes / (wide ? WIDE_TILE_LANES : TILE_LANES));
  const tiles = rowTiles * laneTiles;
  const splits = Math.min(
    Math.ceil(TARGET_WORKGROUPS / tiles),
    Math.ceil(inner / MIN_K_SPLIT),
    MAX_GROUPS,
  );
  const base = { ...params, outRows, inner, lanes };
  if (splits <= 1) return [{ kernel, params: base, groups: [rowTiles, laneTiles] }];
  const kSplit = Math.ceil(inner / splits / 16) * 16;
  const count = Math.ceil(inner / kSplit);
  return [
    {
      kernel,
      params: { ...base, kSplit },
      groups: [rowTiles, laneTiles, count],
      scratchFloats: count * outRows * lanes,
    },
    {
      kernel: 'reduce_splits',
      params: { ...base, gRows: count },
      groups: elementGroups(outRows, lanes),
    },
  ];
}

/** Element-wise kernels: 64 lanes per workgroup in x, ROWS_PER_THREAD (16) rows per thread in y. */
function elementGroups(rows: number, lanes: number): [number, number] {
  return [Math.ceil(lanes / 64), Math.ceil(rows / 16)];
}

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info.description || info.device, info.vendor, info.architecture].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'unknown WebGPU adapter';
}

export interface GpuEngineOptions {
  powerPreference?: GPUPowerPreference;
  /** Called once if the device is lost after creation (the engine is then unusable). */
  onDeviceLost?: (message: string) => void;
}

export class GpuEngine implements Engine {
  readonly info: EngineInfo;
  readonly adapterInfo: GPUAdapterInfo;
  private readonly device: GPUDevice;
  private readonly layout: GPUBindGroupLayout;
  private readonly pipelines: Record<KernelName, GPUComputePipeline>;
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly queue = new SerialQueue();
  private bindGroupCache = new Map<string, GPUBindGroup>();
  private lostMessage: string | null = null;
  private destroyed = false;
  private currentBytes = 0;
  peakBytes = 0;

  /** Asks `gpu` for an adapter and device; throws EngineError('no-adapter') when there is none. */
  static async create(gpu: GPU | undefined, options: GpuEngineOptions = {}): Promise<GpuEngine> {
    if (!gpu)
      throw new EngineError('unsupported', 'This browser has no WebGPU (navigator.gpu is missing)');
    const adapter = await gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
    });
    if (!adapter)
      throw new EngineError('no-adapter', 'WebGPU is present but no adapter is available');
    const device = await adapter.requestDevice({
      label: 'GpuEngine.device',
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    const engine = new GpuEngine(adapter, device, options);
    await engine.checkPipelines();
    return engine;
  }

  private constructor(adapter: GPUAdapter, device: GPUDevice, options: GpuEngineOptions) {
    this.device = device;
    this.adapterInfo = adapter.info;
    this.info = { kind: 'webgpu', adapter: describeAdapter(adapter), precision: 'float32' };
    device.lost.then((info) => {
      if (this.destroyed) return;
      this.lostMessage = `GPU device lost (${info.reason}): ${info.message || 'no message'}`;
      options.onDeviceLost?.(this.lostMessage);
    });
    device.pushErrorScope('validation');
    const storage = (type: GPUBufferBindingType): GPUBindGroupLayoutEntry['buffer'] => ({ type });
    this.layout = device.createBindGroupLayout({
      label: 'GpuEngine.layout',
      entries: [
        {
          binding: 0,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: 'uniform', hasDynamicOffset: true },
        },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: storage('storage') },
        { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
        { binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
        { binding: 5, visibility: GPUShaderStage.COMPUTE, buffer: storage('storage') },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({
      label: 'GpuEngine.pipelineLayout',
      bindGroupLayouts: [this.layout],
    });
    const modules = new Map<string, GPUShaderModule>();
    const moduleFor = (source: string, name: KernelName): GPUShaderModule => {
      let module = modules.get(source);
      if (!module) {
        module = device.createShaderModule({
          label: `GpuEngine.module.${name}`,
          code: `${randomWgsl}\n${bindingsWgsl}\n${source}`,
        });
        modules.set(source, module);
      }
      return module;
    };
    const pipelines = {} as Record<KernelName, GPUComputePipeline>;
    for (const name of Object.keys(KERNEL_SOURCES) as KernelName[]) {
      pipelines[name] = device.createComputePipeline({
        label: `GpuEngine.pipeline.${name}`,
        layout: pipelineLayout,
        compute: {
          module: moduleFor(KERNEL_SOURCES[name], name),
          entryPoint: KERNEL_ENTRY[name] ?? name,
          constants: KERNEL_CONSTANTS[name],
        },
      });
    }
    this.pipelines = pipelines;
  }

  private async checkPipelines(): Promise<void> {
    const error = await this.device.popErrorScope();
    if (error)
      throw new EngineError('validation', `Building the WGSL pipelines failed: ${error.message}`);
  }

  get deviceLimits(): GPUSupportedLimits {
    return this.device.limits;
  }

  polynomial(req: PolynomialRequest, options: RunOptions = {}): Promise<PolynomialResult> {
    this.checkAlive();
    return this.queue.run(
      () => runPolynomial(this.info, this.directionOps, this.laneRunner, req, options),
      options.signal,
    );
  }

  grid(req: GridRequest, options: RunOptions = {}): Promise<GridResult> {
    this.checkAlive();
    return this.queue.run(
      () => runGrid(this.info, this.directionOps, this.laneRunner, req, options),
      options.signal,
    );
  }

  /** Destroys the device without marking the engine destroyed: device.lost fires as on a real loss. */
  simulateDeviceLoss(): void {
    this.device.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const buffer of this.buffers.values()) buffer.destroy();
    this.buffers.clear();
    this.bindGroupCache.clear();
    this.device.destroy();
  }

  // ---- operations the shared request logic needs -------------------------------------------

  private readonly directionOps: DirectionOps = {
    matmul: (seed, stream, layer, gRows, gCols, x, alpha, transposed) =>
      this.generatedMatMul(seed, stream, layer, gRows, gCols, x, alpha, transposed),
    denseNormSquared: (seed, stream, layer, rows, cols) =>
      this.denseNormSquared(seed, stream, layer, rows, cols),
    forwardTrace: (spec, inputs) => this.forwardTrace(spec, inputs),
    gaussianVectors: (seed, firstStream, count, layer, length) =>
      this.gaussianVectors(seed, firstStream, count, layer, length),
  };

  /** Row 0 of matrix `layer` for streams firstStream … firstStream + count − 1 (float32). */
  async gaussianVectors(
    seed: number,
    firstStream: number,
    count: number,
    layer: number,
    length: number,
  ): Promise<Float64Array[]> {
    this.checkAlive();
    const dispatch: Dispatch = {
      kernel: 'gaussian_rows',
      params: { seed, stream: firstStream, layer, gCols: length, lanes: count },
      groups: [Math.ceil(length / 4 / 64), count],
      scratchFloats: count * length,
    };
    const data = await this.runAndRead(
      [dispatch],
      undefined,
      undefined,
      this.scratch(count * length),
      count * length,
    );
    return Array.from({ length: count }, (_, i) =>
      Float64Array.from(data.subarray(i * length, (i + 1) * length)),
    );
  }

  /**
   * h_0 … h_L at W_init for the columns of `inputs`, all layers in flight at once and read back
   * in one transfer (one round trip instead of one per layer). Activations here are float32.
   */
  async forwardTrace(spec: NetworkSpec, inputs: Matrix): Promise<Matrix[]> {
    this.checkAlive();
    const layers = planLayers(spec);
    const n = inputs.cols;
    const maxRows = Math.max(spec.inputSize, ...layers.map((l) => l.outSize));
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    let cur = this.buffer('traceA', maxRows * n * 4, usage);
    let next = this.buffer('traceB', maxRows * n * 4, usage);
    const totalFloats = layers.reduce((s, l) => s + l.outSize * n, 0);
    const all = this.buffer('traceAll', totalFloats * 4, usage);
    this.device.queue.writeBuffer(cur, 0, Float32Array.from(inputs.data));
    const pending: Promise<void>[] = [];
    let offset = 0;
    for (const layer of layers) {
      const dispatches = matmulDispatches(
        {
          seed: spec.seed,
          stream: 0,
          layer: layer.index,
          gRows: layer.outSize,
          gCols: layer.inSize,
          ld: n,
          alpha: layer.scale,
        },
        layer.outSize,
        layer.inSize,
        n,
      );
      if (layer.activation !== 'identity') {
        dispatches.push({
          kernel: 'activate',
          params: {
            outRows: layer.outSize,
            lanes: n,
            ld: n,
            activation: ACTIVATION_CODE[layer.activation],
          },
          groups: elementGroups(layer.outSize, n),
        });
      }
      pending.push(this.submit(dispatches, cur, next));
      const encoder = this.device.createCommandEncoder({ label: 'GpuEngine.traceCopy' });
      encoder.copyBufferToBuffer(next, 0, all, offset * 4, layer.outSize * n * 4);
      this.device.queue.submit([encoder.finish()]);
      offset += layer.outSize * n;
      [cur, next] = [next, cur];
    }
    await Promise.all(pending);
    const data = await this.read(all, totalFloats);
    const trace: Matrix[] = [inputs];
    offset = 0;
    for (const layer of layers) {
      const size = layer.outSize * n;
      trace.push({
        rows: layer.outSize,
        cols: n,
        data: Float64Array.from(data.subarray(offset, offset + size)),
      });
      offset += size;
    }
    return trace;
  }

  private readonly laneRunner: LaneRunner = {
    propagate: async (spec, directions, plan, x, options) => ({
      outputs: await this.propagate(spec, directions, plan, x, options),
      store: {
        path: 'generated',
        storedMatrices: 0,
        generatedMatrices: planLayers(spec).length,
        bytes: 0,
        budgetBytes: 0,
      },
    }),
  };

  /** Y = α·G X (or α·Gᵀ X) on the GPU, for the forward and backward traces. */
  async generatedMatMul(
    seed: number,
    stream: number,
    layer: number,
    gRows: number,
    gCols: number,
    x: Matrix,
    alpha: number,
    transposed: boolean,
  ): Promise<Matrix> {
    this.checkAlive();
    const outRows = transposed ? gCols : gRows;
    const inner = transposed ? gRows : gCols;
    const n = x.cols;
    const src = this.buffer(
      'traceIn',
      inner * n * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    );
    const dst = this.buffer(
      'traceOut',
      outRows * n * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    );
    this.device.queue.writeBuffer(src, 0, Float32Array.from(x.data));
    const dispatches = matmulDispatches(
      { seed, stream, layer, transposed: transposed ? 1 : 0, gRows, gCols, ld: n, alpha },
      outRows,
      inner,
      n,
    );
    const data = await this.runAndRead(dispatches, src, dst, dst, outRows * n);
    return { rows: outRows, cols: n, data: Float64Array.from(data) };
  }

  /** ‖G‖_F² of a generated matrix, from per-workgroup float32 partials summed in float64. */
  async denseNormSquared(
    seed: number,
    stream: number,
    layer: number,
    rows: number,
    cols: number,
  ): Promise<number> {
    this.checkAlive();
    const groups = Math.min(rows, NORM_WORKGROUPS);
    const dispatch: Dispatch = {
      kernel: 'dense_norm_squared',
      params: { seed, stream, layer, gRows: rows, gCols: cols },
      groups: [groups, 1],
    };
    const partials = await this.runAndRead(
      [dispatch],
      undefined,
      undefined,
      this.scratch(groups),
      groups,
    );
    return partials.reduce((s, v) => s + v, 0);
  }

  /** Philox words and Gaussians for (counter, key) inputs, for tests of bit-identity. */
  async generatorWords(
    inputs: Uint32Array,
  ): Promise<{ words: Uint32Array; gaussians: Float32Array }> {
    this.checkAlive();
    const count = inputs.length / 6;
    const halves = new Float32Array(inputs.length * 2);
    inputs.forEach((w, i) => {
      halves[2 * i] = w & 0xffff;
      halves[2 * i + 1] = w >>> 16;
    });
    const vecs = this.buffer(
      'vecs',
      halves.byteLength,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    );
    this.device.queue.writeBuffer(vecs, 0, halves);
    const dispatch: Dispatch = {
      kernel: 'generator_words',
      params: { lanes: count },
      groups: [Math.ceil(count / 64), 1],
    };
    const out = await this.runAndRead(
      [dispatch],
      undefined,
      undefined,
      this.scratch(count * 12),
      count * 12,
    );
    const words = new Uint32Array(count * 4);
    const gaussians = new Float32Array(count * 4);
    for (let i = 0; i < count; i++) {
      for (let e = 0; e < 4; e++) {
        words[i * 4 + e] = (out[i * 12 + 2 * e] + out[i * 12 + 2 * e + 1] * 65536) >>> 0;
        gaussians[i * 4 + e] = out[i * 12 + 8 + e];
      }
    }
    return { words, gaussians };
  }

  /**
   * The lane pass: every direction's lanes side by side in one state matrix (rows × N lanes), so
   * the weight product W^(ℓ) H is one wide product over all N lanes, then each direction's Δ term
   * is added on its own lanes. Directions are batched so a state buffer stays under budget.
   */
  private async propagate(
    spec: NetworkSpec,
    directions: Direction[],
    plan: LanePlan,
    x: Float64Array,
    options: RunOptions,
  ): Promise<Matrix[]> {
    const layers = planLayers(spec);
    const maxRows = Math.max(spec.inputSize, ...layers.map((l) => l.outSize));
    const lanesPerDirection = plan.lanes;
    const budget = Math.min(STATE_BUFFER_BUDGET, this.device.limits.maxStorageBufferBindingSize);
    const perBatch = Math.floor(budget / (maxRows * lanesPerDirection * 4));
    if (perBatch < 1) {
      throw new EngineError(
        'too-large',
        `One direction needs a ${maxRows} × ${lanesPerDirection} state (${formatBytes(maxRows * lanesPerDirection * 4)}), over this device's ${formatBytes(budget)} per buffer`,
      );
    }
    const results: Matrix[] = [];
    for (let first = 0; first < directions.length; first += perBatch) {
      const batch = directions.slice(first, first + perBatch);
      const outputs = await this.propagateBatch(spec, batch, plan, x, options, (f) =>
        options.onProgress?.(
          (first + f * batch.length) / directions.length,
          `layer pass, directions ${first + 1}–${first + batch.length} of ${directions.length}`,
        ),
      );
      results.push(...outputs);
    }
    return results;
  }

  private async propagateBatch(
    spec: NetworkSpec,
    directions: Direction[],
    plan: LanePlan,
    x: Float64Array,
    options: RunOptions,
    progress: (fraction: number) => void,
  ): Promise<Matrix[]> {
    const layers = planLayers(spec);
    const n = plan.lanes;
    const N = directions.length * n;
    const maxRows = Math.max(spec.inputSize, ...layers.map((l) => l.outSize));
    const stateUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    let cur = this.buffer('stateA', maxRows * N * 4, stateUsage);
    let next = this.buffer('stateB', maxRows * N * 4, stateUsage);

    // Initial state: lanes that start at x hold x, the others zero. Shape d × N.
    const init = new Float32Array(spec.inputSize * N);
    for (let c = 0; c < N; c++) {
      if (!plan.startsAtInput(c % n)) continue;
      for (let r = 0; r < spec.inputSize; r++) init[r * N + c] = x[r];
    }
    this.device.queue.writeBuffer(cur, 0, init);

    // Lane descriptors (source lane, weight) for every coupled layer, and the rank-one vectors:
    // per layer, u of every direction (times its scale; zero for non-rank-one pieces), then v.
    const descBase: number[] = [];
    const vecOffsets: ({ u: number; v: number } | null)[] = [];
    let descCount = 0;
    let vecCount = 0;
    const rankOneLayers = layers.map((layer) => {
      const coupling = plan.coupling(layer);
      descBase.push(descCount);
      if (coupling) descCount += N;
      const live = directions.some((d) => {
        const piece = d.layers[layer.index];
        return piece.kind === 'rankOne' && piece.scale !== 0;
      });
      if (!coupling || !live) {
        vecOffsets.push(null);
        return false;
      }
      vecOffsets.push({ u: vecCount, v: vecCount + directions.length * layer.outSize });
      vecCount += directions.length * (layer.outSize + layer.inSize);
      return true;
    });
    const desc = new ArrayBuffer(Math.max(8, descCount * 8));
    const descView = new DataView(desc);
    const vecValues = new Float32Array(Math.max(1, vecCount));
    for (const layer of layers) {
      const coupling = plan.coupling(layer);
      if (coupling) {
        for (let d = 0; d < directions.length; d++) {
          for (let i = 0; i < n; i++) {
            const at = (descBase[layer.index] + d * n + i) * 8;
            const s = coupling.source[i];
            descView.setInt32(at, s < 0 ? -1 : d * n + s, true);
            descView.setFloat32(at + 4, coupling.weight[i], true);
          }
        }
      }
      const offsets = vecOffsets[layer.index];
      if (!rankOneLayers[layer.index] || !offsets) continue;
      directions.forEach((direction, d) => {
        const piece = direction.layers[layer.index];
        if (piece.kind !== 'rankOne') return; // stays zero
        for (let r = 0; r < layer.outSize; r++) {
          vecValues[offsets.u + d * layer.outSize + r] = piece.scale * piece.u[r];
        }
        vecValues.set(piece.v, offsets.v + d * layer.inSize);
      });
    }
    this.device.queue.writeBuffer(
      this.buffer('laneDesc', desc.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      0,
      desc,
    );
    const vecs = this.buffer(
      'vecs',
      vecValues.byteLength,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    );
    this.device.queue.writeBuffer(vecs, 0, vecValues);

    const pending: Promise<void>[] = [];
    let workSinceWait = 0;
    for (const layer of layers) {
      throwIfAborted(options.signal);
      const base = { gRows: layer.outSize, gCols: layer.inSize, ld: N, layer: layer.index };
      // H_out = s_ℓ W^(ℓ) H over all N lanes: the weight matrix is shared by every direction.
      const dispatches = matmulDispatches(
        { ...base, seed: spec.seed, stream: 0, alpha: layer.scale },
        layer.outSize,
        layer.inSize,
        N,
      );
      const coupling = plan.coupling(layer);
      if (coupling) {
        const coupled = { ...base, useLaneMap: 1, descBase: descBase[layer.index], accumulate: 1 };
        // Dense Δ: one generated product per direction, on that direction's lanes.
        directions.forEach((direction, d) => {
          const piece = direction.layers[layer.index];
          if (piece.kind !== 'dense' || piece.scale === 0) return;
          dispatches.push(
            ...matmulDispatches(
              {
                ...coupled,
                laneBase: d * n,
                seed: piece.seed,
                stream: piece.stream,
                alpha: layer.scale * piece.scale,
              },
              layer.outSize,
              layer.inSize,
              n,
            ),
          );
        });
        // Rank-one Δ: all directions at once, lanes in chunks that fit a dispatch dimension.
        const offsets = vecOffsets[layer.index];
        for (let laneBase = 0; offsets && laneBase < N; laneBase += MAX_GROUPS) {
          const lanes = Math.min(MAX_GROUPS, N - laneBase);
          const params = {
            ...coupled,
            outRows: layer.outSize,
            inner: layer.inSize,
            laneBase,
            lanes,
            laneGroup: n,
            alpha: layer.scale,
            uOffset: offsets.u,
            vOffset: offsets.v,
          };
          dispatches.push({
            kernel: 'lane_dots',
            params,
            groups: [lanes, 1],
            scratchFloats: lanes,
          });
          dispatches.push({
            kernel: 'rank_one_update',
            params,
            groups: elementGroups(layer.outSize, lanes),
          });
        }
      }
      if (layer.activation !== 'identity') {
        dispatches.push({
          kernel: 'activate',
          params: {
            ...base,
            outRows: layer.outSize,
            lanes: N,
            activation: ACTIVATION_CODE[layer.activation],
          },
          groups: elementGroups(layer.outSize, N),
        });
      }
      const done = this.submit(dispatches, cur, next);
      pending.push(done);
      done.then(() => progress((layer.index + 1) / layers.length)).catch(() => undefined);
      // Wait now and then, so that a cancel between layers takes effect on long work.
      workSinceWait += 2 * layer.outSize * layer.inSize * N;
      if (workSinceWait > WAIT_EVERY_FLOPS) {
        await done;
        workSinceWait = 0;
      }
      [cur, next] = [next, cur];
    }
    await Promise.all(pending);
    const out = await this.read(cur, spec.outputSize * N);
    return directions.map((_, d) => {
      const m = zeros(spec.outputSize, n);
      for (let r = 0; r < spec.outputSize; r++) {
        for (let i = 0; i < n; i++) m.data[r * n + i] = out[r * N + d * n + i];
      }
      return m;
    });
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** Records `dispatches` (src → dst), submits once, waits, and turns GPU errors into EngineErrors. */
  private async run(dispatches: Dispatch[], src?: GPUBuffer, dst?: GPUBuffer): Promise<void> {
    await this.submit(dispatches, src, dst);
  }

  /**
   * Records `dispatches` (src → dst) in one pass and submits it without waiting. The returned
   * promise settles when the GPU is done, rejecting with an EngineError on a validation error,
   * out-of-memory or device loss. Queue order makes later submissions see this one's results, so
   * callers can submit several and wait once (each wait costs a round trip to the device).
   */
  private submit(dispatches: Dispatch[], src?: GPUBuffer, dst?: GPUBuffer): Promise<void> {
    this.checkAlive();
    const device = this.device;
    const paramsBuffer = this.buffer(
      'params',
      dispatches.length * PARAMS_SLOT,
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    );
    const bytes = new ArrayBuffer(dispatches.length * PARAMS_SLOT);
    const view = new DataView(bytes);
    dispatches.forEach((d, i) => {
      encodeParams(d.params, view, i * PARAMS_SLOT);
    });
    this.scratch(Math.max(0, ...dispatches.map((d) => d.scratchFloats ?? 0)));
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    device.queue.writeBuffer(paramsBuffer, 0, bytes);
    const bindGroup = this.bindGroup(
      paramsBuffer,
      src ?? this.placeholder('src'),
      dst ?? this.placeholder('dst'),
    );
    const encoder = device.createCommandEncoder({ label: 'GpuEngine.encoder' });
    const pass = encoder.beginComputePass({ label: 'GpuEngine.pass' });
    dispatches.forEach((d, i) => {
      pass.setPipeline(this.pipelines[d.kernel]);
      pass.setBindGroup(0, bindGroup, [i * PARAMS_SLOT]);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2] ?? 1);
    });
    pass.end();
    device.queue.submit([encoder.finish()]);
    const done = Promise.all([
      device.popErrorScope(),
      device.popErrorScope(),
      device.queue.onSubmittedWorkDone(),
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

  private async runAndRead(
    dispatches: Dispatch[],
    src: GPUBuffer | undefined,
    dst: GPUBuffer | undefined,
    from: GPUBuffer,
    floats: number,
  ): Promise<Float32Array> {
    await this.run(dispatches, src, dst);
    return this.read(from, floats);
  }

  /** Copies the first `floats` values of `from` back to the host. */
  private async read(from: GPUBuffer, floats: number): Promise<Float32Array> {
    const size = floats * 4;
    const staging = this.buffer(
      'readback',
      size,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
    const encoder = this.device.createCommandEncoder({ label: 'GpuEngine.readEncoder' });
    encoder.copyBufferToBuffer(from, 0, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, size);
    } catch (error) {
      this.checkAlive();
      throw new EngineError('validation', `Reading results back failed: ${String(error)}`);
    }
    const out = new Float32Array(staging.getMappedRange(0, size).slice(0));
    staging.unmap();
    return out;
  }

  /** A reusable buffer that grows (never shrinks) to at least `size` bytes. */
  private buffer(name: string, size: number, usage: number): GPUBuffer {
    const bytes = Math.max(16, Math.ceil(size / 16) * 16);
    if (
      bytes > this.device.limits.maxBufferSize ||
      (usage & GPUBufferUsage.STORAGE && bytes > this.device.limits.maxStorageBufferBindingSize)
    ) {
      throw new EngineError(
        'too-large',
        `GpuEngine.${name} would need ${formatBytes(bytes)}, over this device's limit of ${formatBytes(this.device.limits.maxStorageBufferBindingSize)}`,
      );
    }
    const existing = this.buffers.get(name);
    if (existing && existing.size >= bytes) return existing;
    if (existing) {
      this.currentBytes -= existing.size;
      existing.destroy();
      this.bindGroupCache.clear();
    }
    const buffer = this.device.createBuffer({ label: `GpuEngine.${name}`, size: bytes, usage });
    this.buffers.set(name, buffer);
    this.currentBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.currentBytes);
    return buffer;
  }

  private scratch(floats: number): GPUBuffer {
    return this.buffer(
      'scratch',
      Math.max(NORM_WORKGROUPS, floats) * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    );
  }

  /** Kernels that do not touch src/dst still need something bound there. */
  private placeholder(which: 'src' | 'dst'): GPUBuffer {
    return this.buffer(`placeholder.${which}`, 16, GPUBufferUsage.STORAGE);
  }

  private bindGroup(params: GPUBuffer, src: GPUBuffer, dst: GPUBuffer): GPUBindGroup {
    const desc = this.buffer('laneDesc', 8, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const vecs = this.buffer('vecs', 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const scratch = this.scratch(1);
    const key = [params, src, dst, desc, vecs, scratch].map((b) => b.label).join('|');
    let group = this.bindGroupCache.get(key);
    if (!group) {
      group = this.device.createBindGroup({
        label: `GpuEngine.bindGroup(${src.label}→${dst.label})`,
        layout: this.layout,
        entries: [
          { binding: 0, resource: { buffer: params, size: PARAMS_SLOT } },
          { binding: 1, resource: { buffer: src } },
          { binding: 2, resource: { buffer: dst } },
          { binding: 3, resource: { buffer: desc } },
          { binding: 4, resource: { buffer: vecs } },
          { binding: 5, resource: { buffer: scratch } },
        ],
      });
      this.bindGroupCache.set(key, group);
    }
    return group;
  }

  private checkAlive(): void {
    if (this.destroyed) throw new EngineError('destroyed', 'GpuEngine used after destroy()');
    if (this.lostMessage) throw new EngineError('device-lost', this.lostMessage);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}
