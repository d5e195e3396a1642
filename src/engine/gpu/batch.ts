// Requests on the GPU, one or many at a time (GpuEngine.polynomial, .grid and .batch all come
// here). Every request's set-up and lane pass is recorded into as few command buffers as
// possible and the results of all of them are read back once:
//
//   1. plan and check every request (the errors polynomial() and grid() give alone);
//   2. directions: aligned, chained and gaussian ones are made on the device inside the same
//      submission (deviceSetup.ts); tilted and gradient ones on the host (directions.ts
//      setupOps, a read-back or a few each);
//   3. groups of requests whose shared buffers fit BATCH_LIMITS.groupBufferBytes (and whose
//      matrices fit the weight store together): per group the store is filled, the host writes
//      every lane descriptor, host-built direction vector and initial state once, and the set-up
//      and lane passes are recorded; a group is submitted before the next writes its buffers
//      (queue order keeps them apart);
//   4. one read-back of every request's outputs (and timestamps): one mapAsync and nothing
//      else. A cancel takes effect where the host waits, so once BATCH_LIMITS.waitEveryFlops of
//      work is recorded the batch submits it, waits (one onSubmittedWorkDone) and checks the
//      signal: a cancelled batch stops within one submission.
//
// A warm Figure 1 (four panels, aligned directions) is then one submit and one host wait.

import {
  buildDirections,
  type Direction,
  type DirectionRequest,
  validateDirectionRequest,
} from '../../model/directions';
import { drawInput, type Matrix, zeros } from '../../model/network';
import {
  gridLanes,
  type LanePlan,
  type PolynomialLayout,
  polynomialLanes,
  polynomialLayout,
} from '../../model/polynomial';
import {
  checkInteger,
  isLinearNetwork,
  type LayerPlan,
  type NetworkSpec,
  planLayers,
  SpecError,
  validateSpec,
} from '../../model/spec';
import { matrixKey } from '../matrixKey';
import { MAX_GRID_POINTS } from '../requests';
import {
  type BatchRequest,
  type BatchResult,
  type EngineInfo,
  type RunOptions,
  type StoreReport,
  storePath,
  type Timing,
  throwIfAborted,
} from '../types';
import type { GpuContext } from './context';
import { STATE_BUFFER_BUDGET, storageLimit } from './device';
import {
  buildsOnDevice,
  type DeviceRequest,
  directionShapes,
  hostNorms,
  placeDenseScales,
  SetupLayout,
  setupFloats,
  slotFloats,
} from './deviceSetup';
import { setupOps } from './directions';
import {
  denseMatrices,
  hasRankOne,
  initialState,
  type LaneUnit,
  rankOneFloats,
  unitFlops,
  unitPass,
  writeLaneDescs,
  writeRankOne,
} from './lanePass';
import { type MatrixKey, weightMatrix } from './products';
import { checkLanePass, checkRequest } from './requestSize';
import { storedBytes } from './store';
import type { Pass } from './submit';
import { KernelTimer } from './timer';

/** How a batch is cut into submissions and groups (tests shrink them to reach those paths). */
export const BATCH_LIMITS = {
  /** Wait for the GPU after about this much work (cancel latency vs round trips). */
  waitEveryFlops: 2e10,
  /**
   * A group's shared buffers (direction vectors, lane descriptors, initial states, set-up work)
   * stay under this (or the device's storage limit); a batch needing more is recorded in groups.
   */
  groupBufferBytes: 64 * 2 ** 20,
};

interface Job {
  request: BatchRequest;
  spec: NetworkSpec;
  layers: LayerPlan[];
  req: DirectionRequest;
  plan: LanePlan;
  layout: PolynomialLayout | null;
  ts: number[] | null;
  /** The plotted input x (drawInput index 0). */
  x: Float64Array;
  /** Directions made on the device (deviceSetup.ts): `directions` holds their shapes only. */
  device: boolean;
  directions: Direction[];
  units: LaneUnit[];
  /** Float offset of the job's norm slots in the group's direction buffer (device jobs). */
  normBase: number;
  /** Every matrix the job multiplies by: weights, then dense Δ pieces (distinct). */
  matrices: MatrixKey[];
  storedCount: number;
}

export interface BatchOutcome {
  results: BatchResult[];
  /** Milliseconds the lane passes' kernels ran (timestamp queries), or null without them. */
  kernelMs: number | null;
}

function groupCap(limits: GPUSupportedLimits): number {
  return Math.min(BATCH_LIMITS.groupBufferBytes, storageLimit(limits).bytes);
}

/** Validates one request and plans its lanes: the checks and errors of polynomial() / grid(). */
function planJob(limits: GPUSupportedLimits, request: BatchRequest): Job {
  const { spec, directions: req } = request.request;
  validateSpec(spec);
  validateDirectionRequest(spec, req);
  let plan: LanePlan;
  let layout: PolynomialLayout | null = null;
  let ts: number[] | null = null;
  if (request.kind === 'polynomial') {
    if (!isLinearNetwork(spec)) {
      throw new SpecError(
        'activation',
        spec.activation,
        `exact polynomials need σ = identity everywhere (placement '${spec.placement}' applies ${spec.activation}); evaluate on a grid instead`,
      );
    }
    layout = polynomialLayout(spec, req.blockMask, request.request.grouping);
    checkRequest(limits, spec, req, layout.size);
    plan = polynomialLanes(spec, layout);
  } else {
    const grid = request.request;
    const points = Array.isArray(grid.ts) ? grid.ts.length : 0;
    if (points >= 1 && points <= MAX_GRID_POINTS) checkRequest(limits, spec, req, points);
    checkInteger('grid points', grid.ts?.length, 1, MAX_GRID_POINTS);
    const bad = grid.ts.findIndex((t) => !Number.isFinite(t));
    if (bad >= 0) throw new SpecError(`ts[${bad}]`, grid.ts[bad], 'must be a finite number');
    ts = grid.ts.slice();
    plan = gridLanes(grid.ts);
  }
  const layers = planLayers(spec);
  const device = buildsOnDevice(req) && setupFloats({ spec, layers, req }) * 4 <= groupCap(limits);
  return {
    request,
    spec,
    layers,
    req,
    plan,
    layout,
    ts,
    x: drawInput(spec.seed, spec.inputSize, 0),
    device,
    directions: device ? directionShapes(layers, req) : [],
    units: [],
    normBase: 0,
    matrices: [],
    storedCount: 0,
  };
}

/**
 * Cuts a job's directions into units: each unit's state stays under STATE_BUFFER_BUDGET and its
 * share of the group buffers under their cap. Then lists the job's matrices.
 */
function makeUnits(limits: GPUSupportedLimits, job: Job): void {
  const { spec, layers, plan, req } = job;
  const { perDirectionBytes } = checkLanePass(limits, spec, plan.lanes);
  const cap = groupCap(limits);
  const coupled = layers.filter((l) => plan.coupling(l));
  const vectorBytes = 4 * coupled.reduce((s, l) => s + l.inSize + l.outSize, 0);
  const descBytes = 8 * plan.lanes * coupled.length;
  const ioBytes = 4 * plan.lanes * Math.max(spec.inputSize, spec.outputSize);
  const perUnit = Math.max(
    1,
    Math.min(
      Math.floor(STATE_BUFFER_BUDGET / perDirectionBytes),
      ...[vectorBytes, descBytes, ioBytes].map((b) => (b > 0 ? Math.floor(cap / b) : Infinity)),
    ),
  );
  for (let first = 0; first < req.count; first += perUnit) {
    const count = Math.min(perUnit, req.count - first);
    job.units.push({
      spec,
      layers,
      plan,
      first,
      count,
      directions: job.directions,
      device: job.device,
      denseScales: null,
      N: count * plan.lanes,
      inputOffset: 0,
      outputOffset: 0,
      descBase: [],
      rankOne: [],
    });
  }
  const seen = new Set<string>();
  const add = (m: MatrixKey) => {
    const key = matrixKey(m);
    if (seen.has(key)) return;
    seen.add(key);
    job.matrices.push(m);
  };
  for (const layer of layers) add(weightMatrix(spec.seed, layer));
  for (const unit of job.units) denseMatrices(unit).forEach(add);
}

/** Bytes a job adds to each group buffer. */
function jobBytes(job: Job): number[] {
  let dirs = job.device ? slotFloats(job.layers, job.req) : 0;
  let desc = 0;
  let io = 0;
  for (const unit of job.units) {
    for (const layer of job.layers) {
      if (hasRankOne(unit, layer)) dirs += rankOneFloats(unit, layer);
      if (job.plan.coupling(layer)) desc += 2 * unit.N;
    }
    io += job.spec.inputSize * unit.N;
  }
  const work = job.device ? setupFloats(job) : 0;
  return [dirs, desc, io, work].map((floats) => floats * 4);
}

/** Consecutive jobs whose buffers fit the cap and whose matrices fit the store together. */
function groupJobs(jobs: Job[], cap: number, storeBudget: number): Job[][] {
  const groups: Job[][] = [];
  let current: Job[] = [];
  let sums = [0, 0, 0, 0];
  let keys = new Set<string>();
  let matrixBytes = 0;
  for (const job of jobs) {
    const bytes = jobBytes(job);
    const fresh = job.matrices.filter((m) => !keys.has(matrixKey(m)));
    const freshBytes = fresh.reduce((s, m) => s + storedBytes(m), 0);
    const over =
      bytes.some((b, i) => sums[i] + b > cap) ||
      (storeBudget > 0 && matrixBytes + freshBytes > storeBudget);
    if (current.length > 0 && over) {
      groups.push(current);
      current = [];
      sums = [0, 0, 0, 0];
      keys = new Set();
      matrixBytes = 0;
    }
    current.push(job);
    sums = sums.map((s, i) => s + bytes[i]);
    for (const m of job.matrices) {
      const key = matrixKey(m);
      if (keys.has(key)) continue;
      keys.add(key);
      matrixBytes += storedBytes(m);
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * One group: fills the store, lays out and writes the group's buffers, and returns its passes
 * (store fills, device set-up, one lane pass per unit) with the work each does.
 */
async function recordGroup(
  ctx: GpuContext,
  jobs: Job[],
  outputs: GPUBuffer,
  pairs: Map<LaneUnit, number>,
): Promise<{ pass: Pass; flops: number }[]> {
  const { pool, device, store, timer } = ctx;
  // Weights first, then dense directions: the store keeps the weights when both do not fit.
  const matrices: MatrixKey[] = [];
  const seen = new Set<string>();
  for (const kind of ['weights', 'dense'] as const) {
    for (const job of jobs) {
      for (const [i, m] of job.matrices.entries()) {
        if (kind === 'weights' ? i >= job.layers.length : i < job.layers.length) continue;
        const key = matrixKey(m);
        if (seen.has(key)) continue;
        seen.add(key);
        matrices.push(m);
      }
    }
  }
  const { buffers, fills } = await store.acquire(matrices);
  const stored = new Map<string, GPUBuffer | null>();
  matrices.forEach((m, i) => {
    stored.set(matrixKey(m), buffers[i]);
  });
  for (const job of jobs) {
    job.storedCount = job.matrices.filter((m) => stored.get(matrixKey(m))).length;
  }

  // The direction buffer: host-written vectors and norm slots first, then the device's vectors.
  let dirsFloats = 0;
  const placeVectors = (unit: LaneUnit) => {
    unit.rankOne = unit.layers.map((layer) => {
      if (!hasRankOne(unit, layer)) return null;
      const uOffset = dirsFloats;
      dirsFloats += rankOneFloats(unit, layer);
      return { uOffset, vOffset: uOffset + unit.count * layer.outSize };
    });
  };
  for (const job of jobs) if (!job.device) job.units.forEach(placeVectors);
  for (const job of jobs) {
    if (!job.device) continue;
    job.normBase = dirsFloats;
    dirsFloats += slotFloats(job.layers, job.req);
  }
  const hostFloats = dirsFloats;
  for (const job of jobs) if (job.device) job.units.forEach(placeVectors);

  // Lane descriptors and initial states: every unit's, at their own offsets.
  let descEntries = 0;
  let inputFloats = 0;
  let maxRows = 1;
  let maxLanes = 1;
  for (const job of jobs) {
    maxRows = Math.max(maxRows, job.spec.inputSize, ...job.layers.map((l) => l.outSize));
    for (const unit of job.units) {
      unit.descBase = job.layers.map((layer) => {
        if (!job.plan.coupling(layer)) return -1;
        descEntries += unit.N;
        return descEntries - unit.N;
      });
      unit.inputOffset = inputFloats;
      inputFloats += job.spec.inputSize * unit.N;
      maxLanes = Math.max(maxLanes, unit.N);
    }
  }
  const deviceOf = new Map<Job, DeviceRequest>();
  for (const job of jobs) {
    if (!job.device) continue;
    const { spec, layers, req, x, units, normBase } = job;
    const r = { spec, layers, req, x, units, normBase };
    placeDenseScales(r);
    deviceOf.set(job, r);
  }
  const setup = new SetupLayout([...deviceOf.values()]);

  const io = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const stateA = pool.buffer('stateA', maxRows * maxLanes * 4, io);
  const stateB = pool.buffer('stateB', maxRows * maxLanes * 4, io);
  const dirs = pool.buffer(
    'dirs',
    dirsFloats * 4,
    GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  );
  const laneDesc = pool.laneDesc(descEntries * 8);
  const inputs = pool.buffer('inputs', inputFloats * 4, io);
  const work = pool.buffer('work', setup.floats * 4, io);

  if (hostFloats > 0) {
    const host = new Float32Array(hostFloats);
    for (const job of jobs) {
      const onDevice = deviceOf.get(job);
      if (onDevice) {
        for (const { slot, value } of hostNorms(onDevice)) host[slot] = value;
        continue;
      }
      for (const unit of job.units) {
        for (const layer of job.layers) {
          const at = unit.rankOne[layer.index];
          if (at) writeRankOne(unit, layer, host, at.uOffset);
        }
      }
    }
    device.queue.writeBuffer(dirs, 0, host);
  }
  if (descEntries > 0) {
    const desc = new ArrayBuffer(descEntries * 8);
    const view = new DataView(desc);
    for (const job of jobs) {
      for (const unit of job.units) {
        for (const layer of job.layers) {
          const base = unit.descBase[layer.index];
          if (base >= 0) writeLaneDescs(unit, layer, view, base);
        }
      }
    }
    device.queue.writeBuffer(laneDesc, 0, desc);
  }
  if (inputFloats > 0) {
    const init = new Float32Array(inputFloats);
    for (const job of jobs) for (const unit of job.units) initialState(unit, job.x, init);
    device.queue.writeBuffer(inputs, 0, init);
  }
  if (setup.hostFloats > 0) device.queue.writeBuffer(work, 0, setup.hostValues());

  const passes: { pass: Pass; flops: number }[] = [];
  if (fills.length > 0) passes.push({ pass: { dispatches: fills }, flops: 0 });
  for (const pass of setup.passes(work, dirs, () => pool.scratch(1), [stateA, stateB], stored)) {
    passes.push({ pass, flops: 0 });
  }
  for (const job of jobs) {
    for (const unit of job.units) {
      const timed = timer?.nextPass();
      if (timed) pairs.set(unit, timed.pair);
      passes.push({
        pass: unitPass(unit, { stateA, stateB, inputs, outputs, dirs }, stored, timed?.writes),
        flops: unitFlops(unit),
      });
    }
  }
  return passes;
}

/** Every request of `requests`, in order (see the top of this file). */
export async function runBatch(
  ctx: GpuContext,
  info: EngineInfo,
  requests: BatchRequest[],
  options: RunOptions = {},
): Promise<BatchOutcome> {
  const start = performance.now();
  const { signal, onProgress } = options;
  const { device, pool, store, submitter, timer } = ctx;
  const limits = device.limits;
  ctx.checkAlive();
  const jobs = requests.map((r) => planJob(limits, r));
  if (jobs.length === 0) return { results: [], kernelMs: null };
  onProgress?.(0, 'directions');
  for (const job of jobs) {
    if (job.device) continue;
    throwIfAborted(signal);
    job.directions = await buildDirections(job.spec, job.req, setupOps(ctx, job.spec, job.req));
  }
  throwIfAborted(signal);
  for (const job of jobs) makeUnits(limits, job);
  const setupMs = performance.now() - start;

  let outputFloats = 0;
  for (const job of jobs) {
    for (const unit of job.units) {
      unit.outputOffset = outputFloats;
      outputFloats += job.spec.outputSize * unit.N;
    }
  }
  const outputs = pool.buffer(
    'outputs',
    outputFloats * 4,
    GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  );
  timer?.reset();
  const pairs = new Map<LaneUnit, number>();
  const totalFlops = jobs.reduce((s, j) => s + j.units.reduce((t, u) => t + unitFlops(u), 0), 0);
  const stage = `directions and layer passes of ${jobs.length} request${jobs.length === 1 ? '' : 's'}`;
  onProgress?.(0, stage);
  let pending: Pass[] = [];
  let sinceWait = 0;
  let done = 0;
  const submitted: Promise<void>[] = [];
  const submit = async (wait: boolean) => {
    if (pending.length === 0) return;
    throwIfAborted(signal);
    const settled = submitter.submitPasses(pending, { wait });
    pending = [];
    if (!wait) {
      settled.catch(() => undefined);
      submitted.push(settled);
      return;
    }
    await settled;
    sinceWait = 0;
    throwIfAborted(signal);
    onProgress?.(totalFlops > 0 ? done / totalFlops : 0, stage);
  };
  // Requests on one network side by side (a sweep lists its families' requests one family after
  // another): they share the trace and the stored weights, which a group boundary would split.
  const network = new Map<string, number>();
  for (const job of jobs) {
    const key = JSON.stringify(job.spec);
    if (!network.has(key)) network.set(key, network.size);
  }
  const byNetwork = jobs
    .map((job, i) => ({ job, i, n: network.get(JSON.stringify(job.spec)) ?? 0 }))
    .sort((a, b) => a.n - b.n || a.i - b.i)
    .map(({ job }) => job);
  const groups = groupJobs(byNetwork, groupCap(limits), store.budgetBytes);
  for (const [g, group] of groups.entries()) {
    throwIfAborted(signal);
    for (const { pass, flops } of await recordGroup(ctx, group, outputs, pairs)) {
      // Past the threshold, what is recorded so far goes and is waited for; then the signal.
      if (pending.length > 0 && sinceWait >= BATCH_LIMITS.waitEveryFlops) await submit(true);
      pending.push(pass);
      sinceWait += flops;
      done += flops;
    }
    // The next group writes the shared buffers: this one's commands must be queued first.
    if (g < groups.length - 1) await submit(false);
  }
  throwIfAborted(signal);
  const regions = [{ buffer: outputs, bytes: outputFloats * 4 }];
  if (timer) regions.push({ buffer: timer.resolveBuffer, bytes: timer.bytes });
  const [out, stamps] = await submitter.runAndRead(pending, regions, (encoder) =>
    timer?.resolve(encoder),
  );
  await Promise.all(submitted);
  throwIfAborted(signal);

  const values = new Float32Array(out);
  const passMs = stamps ? KernelTimer.pairMilliseconds(stamps) : null;
  const end = performance.now();
  const results = jobs.map((job): BatchResult => {
    const n = job.plan.lanes;
    const k = job.spec.outputSize;
    const matrices: Matrix[] = [];
    let kernelMs: number | null = passMs ? 0 : null;
    let flops = 0;
    for (const unit of job.units) {
      const { N, outputOffset } = unit;
      for (let i = 0; i < unit.count; i++) {
        const m = zeros(k, n);
        for (let r = 0; r < k; r++) {
          for (let c = 0; c < n; c++) m.data[r * n + c] = values[outputOffset + r * N + i * n + c];
        }
        matrices.push(m);
      }
      const pair = pairs.get(unit);
      kernelMs = passMs && kernelMs !== null && pair !== undefined ? kernelMs + passMs[pair] : null;
      flops += unitFlops(unit);
    }
    const timing: Timing = {
      totalMs: end - start,
      setupMs,
      passMs: end - start - setupMs,
      flops,
    };
    if (kernelMs !== null) timing.kernelMs = kernelMs;
    const generated = job.matrices.length - job.storedCount;
    const report: StoreReport = {
      path: storePath(job.storedCount, generated),
      storedMatrices: job.storedCount,
      generatedMatrices: generated,
      bytes: store.bytes,
      budgetBytes: store.budgetBytes,
    };
    if (job.request.kind === 'polynomial') {
      const layout = job.layout as PolynomialLayout;
      return {
        kind: 'polynomial',
        result: { engine: info, store: report, layout, coefficients: matrices, timing },
      };
    }
    const ts = job.ts as number[];
    return { kind: 'grid', result: { engine: info, store: report, ts, values: matrices, timing } };
  });
  onProgress?.(1, 'done');
  return { results, kernelMs: passMs ? passMs.reduce((s, ms) => s + ms, 0) : null };
}
