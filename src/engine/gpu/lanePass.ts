// The lane pass of one unit (a request's directions, or a slice of them that fits
// STATE_BUFFER_BUDGET): every direction's lanes side by side in one state matrix (rows × N
// lanes), so the weight product W^(ℓ) H is one wide product over all N lanes, then each
// direction's Δ term is added on its own lanes: a dense Δ by one more product on that direction's
// lanes, a rank-one Δ = u vᵀ by lane_dots + rank_one_update for all directions at once.
//
// The whole unit is one compute pass (dispatches ping-pong between two state buffers, WebGPU
// orders their storage writes), recorded with the rest of a batch (batch.ts) into as few
// submissions as it can. So nothing here writes to the queue per layer: each layer's lane
// descriptors, rank-one vectors and dense scales sit at their own offsets (descBase, uOffset,
// vOffset, denseScales) of buffers written once for the batch — by the host for directions built
// there, by the device set-up (deviceSetup.ts) for aligned, chained and gaussian ones.

import type { Direction } from '../../model/directions';
import type { LanePlan } from '../../model/polynomial';
import type { LayerPlan, NetworkSpec } from '../../model/spec';
import { matrixKey } from '../matrixKey';
import { ACTIVATION_CODE } from './params';
import {
  elementGroups,
  MAX_GROUPS,
  type MatrixKey,
  productDispatches,
  weightMatrix,
} from './products';
import type { Dispatch, Pass } from './submit';

/** One lane pass: directions first … first + count − 1 of a request. */
export interface LaneUnit {
  spec: NetworkSpec;
  layers: LayerPlan[];
  plan: LanePlan;
  first: number;
  count: number;
  /**
   * Every direction of the request: the host's, or, for directions made on the device, their
   * shape (each piece's kind and dense matrix, scale 1: vectors and scales live on the device).
   */
  directions: Direction[];
  /** Made on the device (deviceSetup.ts): the host has no vectors or scales to write. */
  device: boolean;
  /**
   * Device-made dense pieces: float offset of the scale of direction first + i, layer ℓ, in the
   * direction buffer (denseScales[i][ℓ]), which the product reads there (product_alpha).
   */
  denseScales: number[][] | null;
  /** Lanes of the unit: count × plan.lanes. */
  N: number;
  /** Float offsets of the unit's initial state (in `inputs`) and of its k × N outputs. */
  inputOffset: number;
  outputOffset: number;
  /** Per layer: first lane descriptor (in `laneDesc`), or −1 when Δ^(ℓ) does not enter. */
  descBase: number[];
  /** Per layer: float offsets of u and v (in the batch's direction buffer), or null. */
  rankOne: ({ uOffset: number; vOffset: number } | null)[];
}

/** The buffers a unit's pass reads and writes. */
export interface LaneBuffers {
  stateA: GPUBuffer;
  stateB: GPUBuffer;
  inputs: GPUBuffer;
  outputs: GPUBuffer;
  /** Bound as `vecs`: every unit's rank-one u (times its scale) and v. */
  dirs: GPUBuffer;
}

/** Dense pieces of `unit`'s directions that the pass multiplies by (for the store). */
export function denseMatrices(unit: LaneUnit): MatrixKey[] {
  const out: MatrixKey[] = [];
  for (let d = unit.first; d < unit.first + unit.count; d++) {
    for (const layer of unit.layers) {
      const piece = unit.directions[d].layers[layer.index];
      if (piece.kind !== 'dense' || piece.scale === 0 || !unit.plan.coupling(layer)) continue;
      out.push({ ...weightMatrix(unit.spec.seed, layer), seed: piece.seed, stream: piece.stream });
    }
  }
  return out;
}

/** Whether layer ℓ of `unit` has a live rank-one piece in any of its directions. */
export function hasRankOne(unit: LaneUnit, layer: LayerPlan): boolean {
  if (!unit.plan.coupling(layer)) return false;
  for (let d = unit.first; d < unit.first + unit.count; d++) {
    const piece = unit.directions[d].layers[layer.index];
    if (piece.kind === 'rankOne' && piece.scale !== 0) return true;
  }
  return false;
}

/** Floats of a layer's u and v blocks: every direction of the unit, u then v. */
export function rankOneFloats(unit: LaneUnit, layer: LayerPlan): number {
  return unit.count * (layer.outSize + layer.inSize);
}

/**
 * Host-built u (times its scale; zero for directions whose piece is not rank one) and v of
 * every direction of the unit, at `out[offset …]` as the rank-one kernels read them.
 */
export function writeRankOne(
  unit: LaneUnit,
  layer: LayerPlan,
  out: Float32Array,
  offset: number,
): void {
  const directions = unit.directions;
  if (unit.device) return;
  const vOffset = offset + unit.count * layer.outSize;
  for (let i = 0; i < unit.count; i++) {
    const piece = directions[unit.first + i].layers[layer.index];
    if (piece.kind !== 'rankOne') continue; // stays zero
    for (let r = 0; r < layer.outSize; r++) {
      out[offset + i * layer.outSize + r] = piece.scale * piece.u[r];
    }
    out.set(piece.v, vOffset + i * layer.inSize);
  }
}

/** This layer's lane descriptors (source lane, weight) for every lane of the unit. */
export function writeLaneDescs(
  unit: LaneUnit,
  layer: LayerPlan,
  view: DataView,
  entry: number,
): void {
  const coupling = unit.plan.coupling(layer);
  if (!coupling) return;
  const n = unit.plan.lanes;
  for (let d = 0; d < unit.count; d++) {
    for (let i = 0; i < n; i++) {
      const at = (entry + d * n + i) * 8;
      const s = coupling.source[i];
      view.setInt32(at, s < 0 ? -1 : d * n + s, true);
      view.setFloat32(at + 4, coupling.weight[i], true);
    }
  }
}

/** The unit's initial state: lanes that start at x hold x, the others zero. Shape d × N. */
export function initialState(unit: LaneUnit, x: Float64Array, out: Float32Array): void {
  const { N, inputOffset } = unit;
  const n = unit.plan.lanes;
  for (let c = 0; c < N; c++) {
    if (!unit.plan.startsAtInput(c % n)) continue;
    for (let r = 0; r < unit.spec.inputSize; r++) out[inputOffset + r * N + c] = x[r];
  }
}

/** Floating-point operations of the unit's pass (2 per multiply-add). */
export function unitFlops(unit: LaneUnit): number {
  let flops = 0;
  for (const layer of unit.layers) {
    flops += 2 * layer.outSize * layer.inSize * unit.N;
    if (!unit.plan.coupling(layer)) continue;
    for (let d = unit.first; d < unit.first + unit.count; d++) {
      const piece = unit.directions[d].layers[layer.index];
      if (piece.kind === 'dense') flops += 2 * layer.outSize * layer.inSize * unit.plan.lanes;
      if (piece.kind === 'rankOne') flops += 2 * (layer.outSize + layer.inSize) * unit.plan.lanes;
    }
  }
  return flops;
}

/**
 * The unit's lane pass as one compute pass: the initial state copied in ahead of it, every layer
 * (W product over all N lanes, dense and rank-one Δ terms on the coupled lanes, σ), and the
 * k × N outputs copied out after it. `stored`: each matrix's buffer in the weight store, or null
 * (generated in the kernel).
 */
export function unitPass(
  unit: LaneUnit,
  buffers: LaneBuffers,
  stored: Map<string, GPUBuffer | null>,
  timestampWrites?: GPUComputePassTimestampWrites,
): Pass {
  const { spec, plan, N } = unit;
  const n = plan.lanes;
  let cur = buffers.stateA;
  let next = buffers.stateB;
  const dispatches: Dispatch[] = [];
  for (const layer of unit.layers) {
    const layerDispatches: Dispatch[] = [];
    const weights = weightMatrix(spec.seed, layer);
    // H_out = s_ℓ W^(ℓ) H over all N lanes: the weight matrix is shared by every direction.
    layerDispatches.push(
      ...productDispatches(
        { matrix: weights, transposed: false, alpha: layer.scale, lanes: N, ld: N },
        stored.get(matrixKey(weights)) ?? null,
      ),
    );
    const descBase = unit.descBase[layer.index];
    if (descBase >= 0) {
      const coupled = { ld: N, useLaneMap: true, accumulate: true, descBase };
      // Dense Δ: one product per direction, on that direction's lanes.
      for (let i = 0; i < unit.count; i++) {
        const piece = unit.directions[unit.first + i].layers[layer.index];
        if (piece.kind !== 'dense' || piece.scale === 0) continue;
        const matrix = { ...weights, seed: piece.seed, stream: piece.stream };
        const alphaIndex = unit.denseScales?.[i][layer.index];
        layerDispatches.push(
          ...productDispatches(
            {
              ...coupled,
              matrix,
              transposed: false,
              alpha: layer.scale * piece.scale,
              alphaIndex: alphaIndex !== undefined && alphaIndex >= 0 ? alphaIndex : undefined,
              lanes: n,
              laneBase: i * n,
            },
            stored.get(matrixKey(matrix)) ?? null,
          ),
        );
      }
      const vectors = unit.rankOne[layer.index];
      if (vectors) layerDispatches.push(...rankOneDispatches(layer, N, n, descBase, vectors));
    }
    if (layer.activation !== 'identity') {
      layerDispatches.push({
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
    for (const d of layerDispatches) dispatches.push({ ...d, src: cur, dst: next });
    [cur, next] = [next, cur];
  }
  const last = cur;
  return {
    dispatches,
    vecs: buffers.dirs,
    timestampWrites,
    before: (encoder) =>
      encoder.copyBufferToBuffer(
        buffers.inputs,
        unit.inputOffset * 4,
        buffers.stateA,
        0,
        spec.inputSize * N * 4,
      ),
    after: (encoder) =>
      encoder.copyBufferToBuffer(
        last,
        0,
        buffers.outputs,
        unit.outputOffset * 4,
        spec.outputSize * N * 4,
      ),
  };
}

/**
 * Rank-one Δ = u vᵀ of every direction at once: lane_dots (vᵀ X' per lane), then
 * rank_one_update (Y += α u · dot), lanes in chunks that fit a dispatch dimension. u of every
 * direction (times its scale) sits at uOffset, then v at vOffset.
 */
function rankOneDispatches(
  layer: LayerPlan,
  N: number,
  n: number,
  descBase: number,
  { uOffset, vOffset }: { uOffset: number; vOffset: number },
): Dispatch[] {
  const dispatches: Dispatch[] = [];
  for (let laneBase = 0; laneBase < N; laneBase += MAX_GROUPS) {
    const lanes = Math.min(MAX_GROUPS, N - laneBase);
    const params = {
      ld: N,
      useLaneMap: 1,
      accumulate: 1,
      descBase,
      outRows: layer.outSize,
      inner: layer.inSize,
      laneBase,
      lanes,
      laneGroup: n,
      alpha: layer.scale,
      uOffset,
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
