// The WebGPU trainer: the three models of src/model/training.ts (the float64 reference) in float32
// WGSL kernels, weights in device buffers updated in place. W_0 is written on the device from the
// same Philox stream as every other view (train_fill, gaussian_quad); the network's W starts as a
// copy of it, the linearised models' displacements D = W − W_0 start at zero (buffers are zeroed).
//
// A gradient step is one fixed list of dispatches (forward, residual, backward with the update
// fused into the transposed product's read of each weight), encoded once per (model, η) into a
// uniform buffer and replayed `count` times, many steps per command buffer, with no read-back:
// the training targets live on the device. Per step each weight matrix is read twice and written
// once (forward read; backward read + in-place write).

import type { Matrix } from '../../../model/network';
import { Stream } from '../../../model/random';
import { type LayerPlan, planLayers, SpecError } from '../../../model/spec';
import { SerialQueue } from '../../queue';
import type { TrainedModel, Trainer, TrainingProblem } from '../../trainer';
import { EngineError, type EngineInfo } from '../../types';
import { describeAdapter, openDevice } from '../device';
import { ACTIVATION_CODE } from '../params';
import {
  type ArenaLayout,
  arenaLayout,
  backwardSplit,
  checkMemory,
  GPU_TRAINING_BUDGET_BYTES,
} from './layout';
import { encodeTrainParams, TRAIN_PARAMS_SLOT, type TrainParams } from './params';
import {
  buildTrainPipelines,
  TRAIN_SIZES,
  type TrainKernel,
  type TrainPipelines,
} from './pipelines';

export interface GpuTrainerOptions {
  powerPreference?: GPUPowerPreference;
  /** Bytes of weights and states the trainer may hold (default GPU_TRAINING_BUDGET_BYTES). */
  budgetBytes?: number;
  /** Gradient steps recorded into one command buffer (default 64). */
  stepsPerSubmit?: number;
  /** Called once if the device is lost (the trainer is then unusable). */
  onDeviceLost?: (message: string) => void;
  /**
   * A device to share (with other trainers, or the GPU engine) instead of opening one: the
   * trainer then frees only its own buffers on destroy(). Pipelines are built once per device.
   */
  shared?: { device: GPUDevice; adapter: GPUAdapter };
}

const pipelineCache = new WeakMap<GPUDevice, Promise<TrainPipelines>>();

function pipelinesFor(device: GPUDevice): Promise<TrainPipelines> {
  let built = pipelineCache.get(device);
  if (!built) {
    built = buildTrainPipelines(device);
    pipelineCache.set(device, built);
    built.catch(() => pipelineCache.delete(device));
  }
  return built;
}

interface Dispatch {
  kernel: TrainKernel;
  params: TrainParams;
  groups: [number, number, number];
  mat?: GPUBuffer;
  ref?: GPUBuffer;
}

/** Dispatches with their parameters in one uniform buffer and their bind groups, built once. */
interface Plan {
  dispatches: Dispatch[];
  params: GPUBuffer;
  groups: GPUBindGroup[];
}

const PLAN_CACHE = 16;
/** Command buffers in flight before gradientSteps waits for the device. */
const MAX_IN_FLIGHT = 4;

const ceil = (a: number, b: number) => Math.ceil(a / b);

export class GpuTrainer implements Trainer {
  readonly info: EngineInfo;
  readonly adapterInfo: GPUAdapterInfo;
  private readonly queue = new SerialQueue();
  private readonly layers: LayerPlan[];
  private readonly arena: GPUBuffer;
  private readonly initial: GPUBuffer[];
  private readonly weights = new Map<TrainedModel, GPUBuffer[]>();
  private readonly dummyMat: GPUBuffer;
  private readonly dummyRef: GPUBuffer;
  private readonly plans = new Map<string, Plan>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private readonly a: ArenaLayout;
  private readonly n: number;
  private readonly k: number;
  private readonly held: number;
  private readonly stepsPerSubmit: number;
  private readonly owned: GPUBuffer[] = [];
  private readonly ownsDevice: boolean;
  private lostMessage: string | null = null;
  private destroyed = false;

  /**
   * Opens a device on `gpu`, checks memory, allocates and fills the weights. Throws
   * EngineError('unsupported' | 'no-adapter') without WebGPU, 'too-large' past the limits.
   */
  static async create(
    gpu: GPU | undefined,
    problem: TrainingProblem,
    options: GpuTrainerOptions = {},
  ): Promise<GpuTrainer> {
    const layers = planLayers(problem.spec);
    checkProblem(problem, layers);
    const { device, adapter } =
      options.shared ??
      (await openDevice(gpu, { powerPreference: options.powerPreference, timestamps: false }));
    const ownsDevice = !options.shared;
    let trainer: GpuTrainer | null = null;
    try {
      const arena = arenaLayout(layers, problem);
      checkMemory(
        layers,
        arena,
        1 + problem.models.length,
        device.limits,
        options.budgetBytes ?? GPU_TRAINING_BUDGET_BYTES,
      );
      let pipelines: TrainPipelines;
      try {
        pipelines = await pipelinesFor(device);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new EngineError('validation', `Building the training pipelines failed: ${message}`);
      }
      trainer = new GpuTrainer(device, adapter, pipelines, problem, layers, arena, options);
      await trainer.initialise(problem);
      return trainer;
    } catch (error) {
      if (trainer) trainer.destroy();
      else if (ownsDevice) device.destroy();
      throw error;
    }
  }

  private constructor(
    private readonly device: GPUDevice,
    adapter: GPUAdapter,
    private readonly pipelines: TrainPipelines,
    private readonly problem: TrainingProblem,
    layers: LayerPlan[],
    arena: ArenaLayout,
    options: GpuTrainerOptions,
  ) {
    this.adapterInfo = adapter.info;
    this.ownsDevice = !options.shared;
    this.info = { kind: 'webgpu', adapter: describeAdapter(adapter), precision: 'float32' };
    this.layers = layers;
    this.a = arena;
    this.n = problem.trainInputs.cols;
    this.k = problem.trainTargets.rows;
    this.held = problem.heldOutInputs.cols;
    this.stepsPerSubmit = Math.max(1, options.stepsPerSubmit ?? 64);
    device.lost.then((info) => {
      if (this.destroyed) return;
      this.lostMessage = `GPU device lost (${info.reason}): ${info.message || 'no message'}`;
      options.onDeviceLost?.(this.lostMessage);
    });
    device.pushErrorScope('out-of-memory');
    let nextId = 1;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const create = (label: string, bytes: number) => {
      const buffer = device.createBuffer({
        label: `GpuTrainer.${label}`,
        size: Math.max(16, Math.ceil(bytes / 16) * 16),
        usage: storage,
      });
      this.ids.set(buffer, nextId++);
      this.owned.push(buffer);
      return buffer;
    };
    this.arena = create('arena', arena.floats * 4);
    this.dummyMat = create('dummyMat', 16);
    this.dummyRef = create('dummyRef', 16);
    const bytes = (l: LayerPlan) => l.outSize * l.inSize * 4;
    this.initial = layers.map((l) => create(`w0[${l.index}]`, bytes(l)));
    for (const kind of problem.models) {
      this.weights.set(
        kind,
        layers.map((l) => create(`${kind}[${l.index}]`, bytes(l))),
      );
    }
  }

  /** Uploads the data, fills W_0 on the device and copies it into the network's weights. */
  private async initialise(problem: TrainingProblem): Promise<void> {
    const memory = await this.device.popErrorScope();
    if (memory) throw new EngineError('out-of-memory', `GPU out of memory: ${memory.message}`);
    const { a, n, k } = this;
    const nk = n * k;
    this.upload(a.xTrain, problem.trainInputs.data);
    this.upload(a.xHeld, problem.heldOutInputs.data);
    this.upload(a.targets, problem.trainTargets.data);
    const basis = new Float32Array(k * nk);
    for (let i = 0; i < n; i++) for (let o = 0; o < k; o++) basis[o * nk + i * k + o] = 1;
    this.upload(a.basis, basis);
    const fills: Dispatch[] = this.layers.map((l, i) => ({
      kernel: 'train_fill',
      params: {
        rows: l.outSize,
        cols: l.inSize,
        seed: this.problem.spec.seed,
        stream: Stream.weights,
        layer: l.index,
      },
      groups: [
        ceil(ceil(l.inSize, 4), TRAIN_SIZES.wg),
        Math.min(l.outSize, 65535),
        ceil(l.outSize, 65535),
      ],
      mat: this.initial[i],
    }));
    const network = this.weights.get('network');
    await this.run(
      this.plan('fill', () => fills),
      1,
      (encoder) => {
        if (network) {
          this.initial.forEach((w0, i) => {
            encoder.copyBufferToBuffer(w0, 0, network[i], 0, w0.size);
          });
        }
      },
    );
  }

  // ---- the Trainer interface ------------------------------------------------------------------

  async gradientSteps(model: TrainedModel, eta: number, count: number): Promise<void> {
    this.checkAlive();
    return this.queue.run(async () => {
      if (count <= 0) return;
      const plan = this.plan(`step:${model}:${eta}`, () => this.stepDispatches(model, eta));
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      let inFlight = 0;
      for (let done = 0; done < count; done += this.stepsPerSubmit) {
        const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.steps' });
        this.record(encoder, plan, Math.min(this.stepsPerSubmit, count - done));
        this.device.queue.submit([encoder.finish()]);
        if (++inFlight >= MAX_IN_FLIGHT) {
          await this.device.queue.onSubmittedWorkDone();
          this.checkAlive();
          inFlight = 0;
        }
      }
      await this.settle();
    });
  }

  async outputs(model: TrainedModel, inputs: 'train' | 'heldOut'): Promise<Matrix> {
    this.checkAlive();
    return this.queue.run(async () => {
      const lanes = inputs === 'train' ? this.n : this.held;
      const x = inputs === 'train' ? this.a.xTrain : this.a.xHeld;
      const plan = this.plan(`outputs:${model}:${inputs}`, () =>
        this.forwardDispatches(model, x, lanes),
      );
      const data = await this.runAndRead(plan, this.a.h[this.layers.length], this.k * lanes);
      return { rows: this.k, cols: lanes, data: Float64Array.from(data) };
    });
  }

  async kernel(model: TrainedModel, blocks?: readonly number[]): Promise<Matrix> {
    this.checkAlive();
    return this.queue.run(async () => {
      const nk = this.n * this.k;
      const layers = this.layersOf(blocks);
      if (layers.length === 0) return { rows: nk, cols: nk, data: new Float64Array(nk * nk) };
      const plan = this.plan(`kernel:${model}:${layers.join(',')}`, () =>
        this.kernelDispatches(model, layers),
      );
      const data = await this.runAndRead(plan, this.a.kernel, nk * nk);
      return { rows: nk, cols: nk, data: Float64Array.from(data) };
    });
  }

  async pullBack(model: TrainedModel, block: number, alpha: Matrix): Promise<void> {
    this.checkAlive();
    return this.queue.run(async () => {
      if (alpha.rows !== this.k || alpha.cols !== this.n) {
        throw new Error(
          `pullBack: α must be ${this.k} × ${this.n}, got ${alpha.rows} × ${alpha.cols}`,
        );
      }
      const layers = this.layersOf([block]);
      if (layers.length === 0) throw new Error(`pullBack: no block ${block}`);
      this.upload(this.a.alpha, alpha.data);
      const plan = this.plan(`pullBack:${model}:${block}`, () => {
        const updates = new Map(layers.map((l) => [l, this.layers[l].scale]));
        return [
          ...this.forwardDispatches(model, this.a.xTrain, this.n),
          ...this.backwardDispatches(model, this.a.alpha, this.n, layers[0], updates, 1).dispatches,
        ];
      });
      await this.run(plan, 1);
    });
  }

  async distances(model: TrainedModel): Promise<number[]> {
    this.checkAlive();
    return this.queue.run(async () => {
      const params = this.model(model);
      const plan = this.plan(`distances:${model}`, () =>
        this.layers.map((l, i) => ({
          kernel: 'train_square_distance' as const,
          params: {
            rows: l.outSize * l.inSize,
            yOff: this.a.distance[i].offset,
            useRef: model === 'network' ? 1 : 0,
          },
          groups: [this.a.distance[i].count, 1, 1] as [number, number, number],
          mat: params[i],
          ref: model === 'network' ? this.initial[i] : undefined,
        })),
      );
      const first = this.a.distance[0].offset;
      const last = this.a.distance[this.layers.length - 1];
      const data = await this.runAndRead(plan, first, last.offset + last.count - first);
      const sums = new Float64Array(this.problem.spec.blocks.length);
      this.layers.forEach((l, i) => {
        const { offset, count } = this.a.distance[i];
        let sum = 0;
        for (let j = 0; j < count; j++) sum += data[offset - first + j];
        sums[l.block] += sum;
      });
      return Array.from(sums, Math.sqrt);
    });
  }

  /** Destroys the device without marking the trainer destroyed: device.lost fires as on a real loss. */
  simulateDeviceLoss(): void {
    this.device.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const plan of this.plans.values()) plan.params.destroy();
    this.plans.clear();
    if (this.ownsDevice) this.device.destroy();
    else for (const buffer of this.owned) buffer.destroy();
  }

  // ---- dispatch lists ---------------------------------------------------------------------------

  private model(kind: TrainedModel): GPUBuffer[] {
    const buffers = this.weights.get(kind);
    if (!buffers) throw new Error(`GpuTrainer: model ${kind} was not set up`);
    return buffers;
  }

  private layersOf(blocks?: readonly number[]): number[] {
    return this.layers.filter((l) => !blocks || blocks.includes(l.block)).map((l) => l.index);
  }

  /** Linearisation group of layer l: its block, or 0 for the NTK model. */
  private group(kind: TrainedModel, l: number): number {
    return kind === 'ntk' ? 0 : this.layers[l].block;
  }

  /** Arena offset of what layer l multiplies, for a forward pass from `x`. */
  private input(l: number, x: number): number {
    return l === 0 ? x : this.a.h[l];
  }

  private forwardProduct(
    mat: GPUBuffer,
    l: number,
    x: number,
    y: number,
    lanes: number,
    accumulate: boolean,
    activation = 0,
  ): Dispatch {
    const layer = this.layers[l];
    const narrow = layer.inSize <= TRAIN_SIZES.narrowCols;
    return {
      kernel: narrow ? 'train_forward_narrow' : 'train_forward',
      params: {
        rows: layer.outSize,
        cols: layer.inSize,
        lanes,
        xOff: x,
        yOff: y,
        alpha: layer.scale,
        accumulate: accumulate ? 1 : 0,
        activation,
      },
      groups: [
        ceil(layer.outSize, narrow ? TRAIN_SIZES.wg : TRAIN_SIZES.rows),
        1,
        ceil(lanes, TRAIN_SIZES.lanes),
      ],
      mat,
    };
  }

  /** f(X) into h[L]: the network, or the linearised pairs (h, ḣ) of docs/training.md §2. */
  private forwardDispatches(kind: TrainedModel, x: number, lanes: number): Dispatch[] {
    const params = this.model(kind);
    const L = this.layers.length;
    const out: Dispatch[] = [];
    if (kind === 'network') {
      this.layers.forEach((layer, l) => {
        const act = ACTIVATION_CODE[layer.activation];
        out.push(
          this.forwardProduct(params[l], l, this.input(l, x), this.a.h[l + 1], lanes, false, act),
        );
      });
      return out;
    }
    let tangent: number | null = null;
    let slot = 0;
    for (let l = 0; l < L; l++) {
      const h = this.input(l, x);
      const next = this.a.h[l + 1];
      const w0 = this.initial[l];
      const groupEnd = l === L - 1 || this.group(kind, l + 1) !== this.group(kind, l);
      if (groupEnd) {
        // h_{ℓ+1} = s W_0 h + s D h + s W_0 ḣ: the group's output h + ḣ.
        out.push(this.forwardProduct(w0, l, h, next, lanes, false));
        out.push(this.forwardProduct(params[l], l, h, next, lanes, true));
        if (tangent !== null) out.push(this.forwardProduct(w0, l, tangent, next, lanes, true));
        tangent = null;
      } else {
        const t = this.a.tangent[slot];
        slot ^= 1;
        out.push(this.forwardProduct(params[l], l, h, t, lanes, false));
        if (tangent !== null) out.push(this.forwardProduct(w0, l, tangent, t, lanes, true));
        out.push(this.forwardProduct(w0, l, h, next, lanes, false));
        tangent = t;
      }
    }
    return out;
  }

  /**
   * y (+)= s_ℓ · A_ℓᵀ g (in_ℓ × lanes), times σ' of the layer below when `slope` is given; with
   * `update`, A_ℓ += β δ hᵀ with δ = g, fused into the same read of A when lanes ≤ LT.
   */
  private transposedProduct(
    mat: GPUBuffer,
    l: number,
    g: number,
    y: number,
    lanes: number,
    accumulate: boolean,
    update: { h: number; beta: number } | null,
    slope: { off: number; ld: number; div: number; activation: number } | null,
  ): Dispatch[] {
    const layer = this.layers[l];
    const { splits, chunk } = backwardSplit(layer.outSize, layer.inSize, lanes);
    const fused = update !== null && lanes <= TRAIN_SIZES.lanes;
    const out: Dispatch[] = [
      {
        kernel: 'train_backward',
        params: {
          rows: layer.outSize,
          cols: layer.inSize,
          lanes,
          xOff: g,
          hOff: update?.h ?? 0,
          beta: update?.beta ?? 0,
          update: fused ? 1 : 0,
          partOff: this.a.partials,
          splits,
          chunk,
        },
        groups: [ceil(layer.inSize, TRAIN_SIZES.wg), splits, ceil(lanes, TRAIN_SIZES.lanes)],
        mat,
      },
    ];
    if (update && !fused) out.push(this.updateDispatch(mat, l, g, update.h, lanes, update.beta));
    out.push({
      kernel: 'train_reduce',
      params: {
        cols: layer.inSize,
        lanes,
        partOff: this.a.partials,
        splits,
        alpha: layer.scale,
        yOff: y,
        accumulate: accumulate ? 1 : 0,
        activation: slope?.activation ?? 0,
        slopeOff: slope?.off ?? 0,
        slopeLd: slope?.ld ?? 1,
        slopeDiv: slope?.div ?? 1,
      },
      groups: [ceil(layer.inSize * lanes, TRAIN_SIZES.wg), 1, 1],
    });
    return out;
  }

  private updateDispatch(
    mat: GPUBuffer,
    l: number,
    delta: number,
    h: number,
    lanes: number,
    beta: number,
  ): Dispatch {
    const layer = this.layers[l];
    const groups = ceil(layer.outSize * layer.inSize, TRAIN_SIZES.wg);
    return {
      kernel: 'train_update',
      params: { rows: layer.outSize, cols: layer.inSize, lanes, dOff: delta, hOff: h, beta },
      groups: [Math.min(groups, 65535), ceil(groups, 65535), 1],
      mat,
    };
  }

  /**
   * The backward pass of the cotangent at `c` (k × lanes) down to layer `lowest`, as
   * TrainingNetwork.backward; `updates` maps a layer to β: params_ℓ += β δ_ℓ h_ℓᵀ (the trace's
   * samples are lanes / slopeDiv). Returns the dispatches and where each δ_ℓ lies.
   */
  private backwardDispatches(
    kind: TrainedModel,
    c: number,
    lanes: number,
    lowest: number,
    updates: Map<number, number> | null,
    slopeDiv: number,
  ): { dispatches: Dispatch[]; delta: number[] } {
    const params = this.model(kind);
    const L = this.layers.length;
    const a = this.a;
    const traceLanes = lanes / slopeDiv;
    const x = a.xTrain;
    const out: Dispatch[] = [];
    const delta: number[] = this.layers.map(() => -1);
    const updateOf = (l: number) => {
      const beta = updates?.get(l);
      return beta === undefined ? null : { h: this.input(l, x), beta };
    };
    if (kind === 'network') {
      let g = c;
      for (let l = L - 1; l >= lowest; l--) {
        delta[l] = g;
        const update = updateOf(l);
        if (l === lowest) {
          if (update) out.push(this.updateDispatch(params[l], l, g, update.h, lanes, update.beta));
          break;
        }
        const below = this.layers[l - 1];
        const slope =
          below.activation === 'identity'
            ? null
            : {
                off: this.input(l, x),
                ld: traceLanes,
                div: slopeDiv,
                activation: ACTIVATION_CODE[below.activation],
              };
        out.push(
          ...this.transposedProduct(params[l], l, g, a.g[l - 1], lanes, false, update, slope),
        );
        g = a.g[l - 1];
      }
      return { dispatches: out, delta };
    }
    let g = c;
    let gTangent = c;
    for (let l = L - 1; l >= lowest; l--) {
      const groupEnd = l === L - 1 || this.group(kind, l + 1) !== this.group(kind, l);
      if (groupEnd) gTangent = g;
      delta[l] = gTangent;
      const update = updateOf(l);
      if (l === lowest) {
        if (update) {
          out.push(this.updateDispatch(params[l], l, gTangent, update.h, lanes, update.beta));
        }
        break;
      }
      const groupStart = this.group(kind, l - 1) !== this.group(kind, l);
      const w0 = this.initial[l];
      const next = a.g[l - 1];
      // g_ℓ = s W_0ᵀ g + s Dᵀ ḡ (D updated in the second product's read); ḡ_ℓ = s W_0ᵀ ḡ.
      out.push(...this.transposedProduct(w0, l, g, next, lanes, false, null, null));
      out.push(...this.transposedProduct(params[l], l, gTangent, next, lanes, true, update, null));
      if (!groupStart) {
        out.push(
          ...this.transposedProduct(w0, l, gTangent, a.delta[l - 1], lanes, false, null, null),
        );
        gTangent = a.delta[l - 1];
      }
      g = next;
      if (groupStart) gTangent = g;
    }
    return { dispatches: out, delta };
  }

  /** One gradient step: forward, residual f(X) − Y into the top cotangent, backward with updates. */
  private stepDispatches(kind: TrainedModel, eta: number): Dispatch[] {
    const { a, n, k } = this;
    const L = this.layers.length;
    const residual: Dispatch = {
      kernel: 'train_residual',
      params: { rows: k, lanes: n, xOff: a.h[L], hOff: a.targets, yOff: a.g[L - 1] },
      groups: [ceil(k * n, TRAIN_SIZES.wg), 1, 1],
    };
    const updates = new Map(this.layers.map((l) => [l.index, (-eta / n) * l.scale]));
    return [
      ...this.forwardDispatches(kind, a.xTrain, n),
      residual,
      ...this.backwardDispatches(kind, a.g[L - 1], n, 0, updates, 1).dispatches,
    ];
  }

  /** K = Σ_ℓ s_ℓ² (δ_ℓᵀ δ_ℓ) ⊙ (h_ℓᵀ h_ℓ)[samples] over `layers`, into the arena's kernel. */
  private kernelDispatches(kind: TrainedModel, layers: number[]): Dispatch[] {
    const { a, n, k } = this;
    const nk = n * k;
    const lowest = Math.min(...layers);
    const back = this.backwardDispatches(kind, a.basis, nk, lowest, null, k);
    const out = [...this.forwardDispatches(kind, a.xTrain, n), ...back.dispatches];
    layers.forEach((l, i) => {
      const layer = this.layers[l];
      out.push({
        kernel: 'train_sample_gram',
        params: { rows: layer.inSize, lanes: n, xOff: this.input(l, a.xTrain), yOff: a.sampleGram },
        groups: [ceil(n, 8), ceil(n, 8), 1],
      });
      out.push({
        kernel: 'train_kernel_gram',
        params: {
          rows: layer.outSize,
          cols: n,
          lanes: nk,
          xOff: back.delta[l],
          hOff: a.sampleGram,
          slopeDiv: k,
          alpha: layer.scale * layer.scale,
          yOff: a.kernel,
          accumulate: i === 0 ? 0 : 1,
        },
        groups: [ceil(nk, 8), ceil(nk, 8), 1],
      });
    });
    return out;
  }

  // ---- plans, submits, read-backs ---------------------------------------------------------------

  private plan(key: string, build: () => Dispatch[]): Plan {
    const cached = this.plans.get(key);
    if (cached) {
      this.plans.delete(key);
      this.plans.set(key, cached);
      return cached;
    }
    const dispatches = build();
    const bytes = Math.max(1, dispatches.length) * TRAIN_PARAMS_SLOT;
    const data = new ArrayBuffer(bytes);
    const view = new DataView(data);
    dispatches.forEach((d, i) => {
      encodeTrainParams(d.params, view, i * TRAIN_PARAMS_SLOT);
    });
    const params = this.device.createBuffer({
      label: `GpuTrainer.params(${key})`,
      size: bytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(params, 0, data);
    const cache = new Map<string, GPUBindGroup>();
    const groups = dispatches.map((d) => {
      const mat = d.mat ?? this.dummyMat;
      const ref = d.ref ?? this.dummyRef;
      const id = `${this.ids.get(mat)}:${this.ids.get(ref)}`;
      let group = cache.get(id);
      if (!group) {
        group = this.device.createBindGroup({
          label: `GpuTrainer.group(${key})`,
          layout: this.pipelines.layout,
          entries: [
            { binding: 0, resource: { buffer: params, size: TRAIN_PARAMS_SLOT } },
            { binding: 1, resource: { buffer: this.arena } },
            { binding: 2, resource: { buffer: mat } },
            { binding: 3, resource: { buffer: ref } },
          ],
        });
        cache.set(id, group);
      }
      return group;
    });
    const plan = { dispatches, params, groups };
    this.plans.set(key, plan);
    if (this.plans.size > PLAN_CACHE) {
      const [oldest] = this.plans.keys();
      this.plans.get(oldest)?.params.destroy();
      this.plans.delete(oldest);
    }
    return plan;
  }

  /** Records `plan` `repeat` times into one compute pass. */
  private record(encoder: GPUCommandEncoder, plan: Plan, repeat: number): void {
    if (plan.dispatches.length === 0) return;
    const pass = encoder.beginComputePass({ label: 'GpuTrainer.pass' });
    let current: GPUComputePipeline | null = null;
    for (let r = 0; r < repeat; r++) {
      plan.dispatches.forEach((d, i) => {
        const pipeline = this.pipelines.pipeline[d.kernel];
        if (pipeline !== current) {
          pass.setPipeline(pipeline);
          current = pipeline;
        }
        pass.setBindGroup(0, plan.groups[i], [i * TRAIN_PARAMS_SLOT]);
        pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
      });
    }
    pass.end();
  }

  /** Submits `plan` (then `after`) in one command buffer and waits, errors as EngineErrors. */
  private async run(
    plan: Plan,
    repeat: number,
    after?: (encoder: GPUCommandEncoder) => void,
  ): Promise<void> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder({ label: 'GpuTrainer.encoder' });
    this.record(encoder, plan, repeat);
    after?.(encoder);
    this.device.queue.submit([encoder.finish()]);
    await this.settle();
  }

  /** Runs `plan` and reads `floats` floats of the arena from float `offset`. */
  private async runAndRead(plan: Plan, offset: number, floats: number): Promise<Float32Array> {
    const bytes = Math.ceil((floats * 4) / 4) * 4;
    const staging = this.device.createBuffer({
      label: 'GpuTrainer.readback',
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    try {
      await this.run(plan, 1, (encoder) => {
        encoder.copyBufferToBuffer(this.arena, offset * 4, staging, 0, bytes);
      });
      try {
        await staging.mapAsync(GPUMapMode.READ, 0, bytes);
      } catch (error) {
        this.checkAlive();
        throw new EngineError('validation', `Reading results back failed: ${String(error)}`);
      }
      return new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    } finally {
      staging.destroy();
    }
  }

  /** Pops the two error scopes pushed before a submit and waits for the queue. */
  private async settle(): Promise<void> {
    const [validation, memory] = await Promise.all([
      this.device.popErrorScope(),
      this.device.popErrorScope(),
      this.device.queue.onSubmittedWorkDone(),
    ]);
    this.checkAlive();
    if (validation)
      throw new EngineError('validation', `WebGPU validation error: ${validation.message}`);
    if (memory) throw new EngineError('out-of-memory', `GPU out of memory: ${memory.message}`);
  }

  private upload(offset: number, data: ArrayLike<number>): void {
    this.device.queue.writeBuffer(this.arena, offset * 4, Float32Array.from(data));
  }

  private checkAlive(): void {
    if (this.destroyed) throw new EngineError('destroyed', 'GpuTrainer used after destroy()');
    if (this.lostMessage) throw new EngineError('device-lost', this.lostMessage);
  }
}

/** What the float64 reference also refuses, and what the kernels assume. */
function checkProblem(problem: TrainingProblem, layers: LayerPlan[]): void {
  for (const kind of problem.models) {
    if (kind !== 'network' && layers.some((layer) => layer.activation !== 'identity')) {
      throw new SpecError(
        'model',
        kind,
        'the NTK and block-linearised models are built for linear blocks (σ = identity); with σ train the network alone',
      );
    }
  }
  if (layers[layers.length - 1].activation !== 'identity') {
    throw new SpecError(
      'activation',
      layers[layers.length - 1].activation,
      'the output layer must be linear',
    );
  }
  const { spec, trainInputs, trainTargets, heldOutInputs } = problem;
  const n = trainInputs.cols;
  if (
    trainInputs.rows !== spec.inputSize ||
    heldOutInputs.rows !== spec.inputSize ||
    trainTargets.rows !== spec.outputSize ||
    trainTargets.cols !== n
  ) {
    throw new SpecError(
      'training data',
      `${trainInputs.rows} × ${n}`,
      'does not match the network',
    );
  }
}
