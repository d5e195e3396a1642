// The lane pass: every direction's lanes side by side in one state matrix (rows × N lanes), so
// the weight product W^(ℓ) H is one wide product over all N lanes, then each direction's Δ term
// is added on its own lanes: a dense Δ by one more product on that direction's lanes, a rank-one
// Δ = u vᵀ by lane_dots + rank_one_update for all directions at once. One submit (one compute
// pass) per layer; directions are batched so a state buffer stays under STATE_BUFFER_BUDGET.

import type { Direction } from '../../model/directions';
import { type Matrix, zeros } from '../../model/network';
import type { LanePlan } from '../../model/polynomial';
import { type LayerPlan, type NetworkSpec, planLayers } from '../../model/spec';
import { matrixKey } from '../matrixKey';
import { type RunOptions, type StoreReport, storePath, throwIfAborted } from '../types';
import type { GpuContext } from './context';
import { STATE_BUFFER_BUDGET } from './device';
import { ACTIVATION_CODE } from './params';
import {
  elementGroups,
  MAX_GROUPS,
  type MatrixKey,
  productDispatches,
  weightMatrix,
} from './products';
import { checkLanePass } from './requestSize';
import type { Dispatch } from './submit';
import { KernelTimer } from './timer';

/** In a lane pass, wait for the GPU after about this much work (cancel latency vs round trips). */
const WAIT_EVERY_FLOPS = 2e10;

export interface LanePassResult {
  /** Per direction: k × lanes outputs. */
  outputs: Matrix[];
  store: StoreReport;
  /** Milliseconds the layer passes ran on the device (timestamp queries), or null without them. */
  kernelMs: number | null;
}

/** Stored buffers (or null: generate) of every matrix the pass multiplies by. */
type MatrixBuffers = Map<string, GPUBuffer | null>;

export async function propagate(
  ctx: GpuContext,
  spec: NetworkSpec,
  directions: Direction[],
  plan: LanePlan,
  x: Float64Array,
  options: RunOptions,
): Promise<LanePassResult> {
  const layers = planLayers(spec);
  const { perDirectionBytes } = checkLanePass(ctx.device.limits, spec, plan.lanes);
  const perBatch = Math.max(1, Math.floor(STATE_BUFFER_BUDGET / perDirectionBytes));

  // Weights first, then dense directions: the store keeps the weights when both do not fit.
  const matrices: MatrixKey[] = layers.map((layer) => weightMatrix(spec.seed, layer));
  for (const direction of directions) {
    for (const layer of layers) {
      const piece = direction.layers[layer.index];
      if (piece.kind !== 'dense' || piece.scale === 0 || !plan.coupling(layer)) continue;
      matrices.push({
        seed: piece.seed,
        stream: piece.stream,
        layer: layer.index,
        rows: layer.outSize,
        cols: layer.inSize,
      });
    }
  }
  const { buffers, fills } = await ctx.store.acquire(matrices);
  const stored: MatrixBuffers = new Map();
  matrices.forEach((m, i) => {
    stored.set(matrixKey(m), buffers[i]);
  });
  const storedCount = [...stored.values()].filter((b) => b !== null).length;

  const outputs: Matrix[] = [];
  let kernelMs: number | null = ctx.timer ? 0 : null;
  for (let first = 0; first < directions.length; first += perBatch) {
    const batch = directions.slice(first, first + perBatch);
    // The store's new matrices are filled ahead of the first layer that reads them.
    const before = first === 0 ? fills : [];
    const result = await propagateBatch(ctx, spec, batch, plan, x, stored, before, options, (f) =>
      options.onProgress?.(
        (first + f * batch.length) / directions.length,
        `layer pass, directions ${first + 1}–${first + batch.length} of ${directions.length}`,
      ),
    );
    outputs.push(...result.outputs);
    if (kernelMs !== null && result.kernelMs !== null) kernelMs += result.kernelMs;
  }
  return {
    outputs,
    kernelMs,
    store: {
      path: storePath(storedCount, stored.size - storedCount),
      storedMatrices: storedCount,
      generatedMatrices: stored.size - storedCount,
      bytes: ctx.store.bytes,
      budgetBytes: ctx.store.budgetBytes,
    },
  };
}

async function propagateBatch(
  ctx: GpuContext,
  spec: NetworkSpec,
  directions: Direction[],
  plan: LanePlan,
  x: Float64Array,
  stored: MatrixBuffers,
  fills: Dispatch[],
  options: RunOptions,
  progress: (fraction: number) => void,
): Promise<{ outputs: Matrix[]; kernelMs: number | null }> {
  const { device, pool, submitter, timer } = ctx;
  const layers = planLayers(spec);
  const n = plan.lanes;
  const N = directions.length * n;
  const maxRows = Math.max(spec.inputSize, ...layers.map((l) => l.outSize));
  const stateUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  let cur = pool.buffer('stateA', maxRows * N * 4, stateUsage);
  let next = pool.buffer('stateB', maxRows * N * 4, stateUsage);

  // Initial state: lanes that start at x hold x, the others zero. Shape d × N.
  const init = new Float32Array(spec.inputSize * N);
  for (let c = 0; c < N; c++) {
    if (!plan.startsAtInput(c % n)) continue;
    for (let r = 0; r < spec.inputSize; r++) init[r * N + c] = x[r];
  }
  device.queue.writeBuffer(cur, 0, init);
  timer?.reset();

  const pending: Promise<void>[] = [];
  let workSinceWait = 0;
  for (const layer of layers) {
    throwIfAborted(options.signal);
    const weights = weightMatrix(spec.seed, layer);
    // H_out = s_ℓ W^(ℓ) H over all N lanes: the weight matrix is shared by every direction.
    const dispatches = layer.index === 0 ? [...fills] : [];
    dispatches.push(
      ...productDispatches(
        { matrix: weights, transposed: false, alpha: layer.scale, lanes: N, ld: N },
        stored.get(matrixKey(weights)) ?? null,
      ),
    );
    const coupling = plan.coupling(layer);
    if (coupling) {
      // This layer's lane descriptors (source lane, weight) for every direction, written to the
      // shared laneDesc buffer ahead of this layer's submit (queue order keeps layers apart).
      const desc = new ArrayBuffer(N * 8);
      const descView = new DataView(desc);
      for (let d = 0; d < directions.length; d++) {
        for (let i = 0; i < n; i++) {
          const at = (d * n + i) * 8;
          const s = coupling.source[i];
          descView.setInt32(at, s < 0 ? -1 : d * n + s, true);
          descView.setFloat32(at + 4, coupling.weight[i], true);
        }
      }
      device.queue.writeBuffer(pool.laneDesc(desc.byteLength), 0, desc);
      const coupled = { ld: N, useLaneMap: true, accumulate: true };
      // Dense Δ: one product per direction, on that direction's lanes.
      directions.forEach((direction, d) => {
        const piece = direction.layers[layer.index];
        if (piece.kind !== 'dense' || piece.scale === 0) return;
        const matrix = { ...weights, seed: piece.seed, stream: piece.stream };
        dispatches.push(
          ...productDispatches(
            {
              ...coupled,
              matrix,
              transposed: false,
              alpha: layer.scale * piece.scale,
              lanes: n,
              laneBase: d * n,
            },
            stored.get(matrixKey(matrix)) ?? null,
          ),
        );
      });
      dispatches.push(...rankOneDispatches(ctx, directions, layer, N, n));
    }
    if (layer.activation !== 'identity') {
      dispatches.push({
        kernel: 'activate',
        params: {
          outRows: layer.outSize,
          lanes: N,
          ld: N,
          activation: ACTIVATION_CODE[layer.activation],
        },
        groups: elementGroups(layer.outSize, N),
      });
    }
    const done = submitter.submit(dispatches, { src: cur, dst: next, timed: true });
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
  const regions = [{ buffer: cur, bytes: spec.outputSize * N * 4 }];
  if (timer) regions.push({ buffer: timer.resolveBuffer, bytes: timer.bytes });
  const [out, stamps] = await submitter.runAndRead([], regions, (encoder) =>
    timer?.resolve(encoder),
  );
  const values = new Float32Array(out);
  return {
    kernelMs: stamps ? KernelTimer.milliseconds(stamps) : null,
    outputs: directions.map((_, d) => {
      const m = zeros(spec.outputSize, n);
      for (let r = 0; r < spec.outputSize; r++) {
        for (let i = 0; i < n; i++) m.data[r * n + i] = values[r * N + d * n + i];
      }
      return m;
    }),
  };
}

/**
 * Rank-one Δ = u vᵀ of every direction at once: lane_dots (vᵀ X' per lane), then
 * rank_one_update (Y += α u · dot), lanes in chunks that fit a dispatch dimension. The vectors go
 * to the shared `vecs` buffer ahead of this layer's submit: u of every direction (times its
 * scale; zero for directions whose piece is not rank one), then v.
 */
function rankOneDispatches(
  ctx: GpuContext,
  directions: Direction[],
  layer: LayerPlan,
  N: number,
  n: number,
): Dispatch[] {
  const live = directions.some((d) => {
    const piece = d.layers[layer.index];
    return piece.kind === 'rankOne' && piece.scale !== 0;
  });
  if (!live) return [];
  const vOffset = directions.length * layer.outSize;
  const values = new Float32Array(directions.length * (layer.outSize + layer.inSize));
  directions.forEach((direction, d) => {
    const piece = direction.layers[layer.index];
    if (piece.kind !== 'rankOne') return; // stays zero
    for (let r = 0; r < layer.outSize; r++)
      values[d * layer.outSize + r] = piece.scale * piece.u[r];
    values.set(piece.v, vOffset + d * layer.inSize);
  });
  ctx.device.queue.writeBuffer(ctx.pool.vecs(values.byteLength), 0, values);
  const dispatches: Dispatch[] = [];
  for (let laneBase = 0; laneBase < N; laneBase += MAX_GROUPS) {
    const lanes = Math.min(MAX_GROUPS, N - laneBase);
    const params = {
      ld: N,
      useLaneMap: 1,
      accumulate: 1,
      outRows: layer.outSize,
      inner: layer.inSize,
      laneBase,
      lanes,
      laneGroup: n,
      alpha: layer.scale,
      uOffset: 0,
      vOffset,
    };
    dispatches.push({ kernel: 'lane_dots', params, groups: [lanes, 1], scratchFloats: lanes });
    dispatches.push({
      kernel: 'rank_one_update',
      params,
      groups: elementGroups(layer.outSize, lanes),
    });
  }
  return dispatches;
}
