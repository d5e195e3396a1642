// Directions built on the device, inside the batch's submission, for every family but gradient:
// nothing is read back between the set-up and the lane pass that uses it. For an aligned,
// chained or tilted request:
//
//   forward trace of the plotted x   h_ℓ (the input each layer sees), products as in the pass,
//                                    each layer's output copied into `work`
//   Gaussian rows                    gaussian_rows for every perturbed layer's ξ (tilted: and
//                                    its z), into scratch and copied into `work`
//   norms ‖h_ℓ‖²                     sum_squares into the request's norm slots (global scale)
//   û = scale · ξ/‖ξ‖, v̂ = h/‖h‖     scaled_unit_rows (setup.wgsl), written where the lane pass
//                                    reads them (the batch's direction buffer, bound as `vecs`);
//                                    chained inside a block v̂ = ξ_{ℓ−1}/‖ξ_{ℓ−1}‖; tilted
//                                    v̂ = cos θ ĥ + sin θ ζ (tilt_rows, θ written by the host)
//
// and for a gaussian one, per direction and perturbed layer, ‖G‖_F² (dense_norm_squared's
// partials, added by partial_sum) and the piece's scale (dense_scale), which the lane pass's
// dense product multiplies its alpha by (product_alpha in bindings.wgsl). That is
// buildDirections (src/model/directions.ts) for these families, in float32. Traces are shared by
// the requests of one network (a figure's panels, a sweep's families) and ξ rows by requests with
// the same direction seed. Gradient directions need a backward trace and are still built on the
// host (directions.ts setupOps), with their own read-backs.

import type { Direction, DirectionRequest } from '../../model/directions';
import { entryWord, Stream } from '../../model/random';
import type { LayerPlan, NetworkSpec } from '../../model/spec';
import { matrixKey } from '../matrixKey';
import { NORM_WORKGROUPS } from './directions';
import type { LaneUnit } from './lanePass';
import { ACTIVATION_CODE } from './params';
import { elementGroups, generatorParams, productDispatches, weightMatrix } from './products';
import type { Dispatch, Pass } from './submit';
import { ELEMENT_LANES } from './tiles';

/** Families whose directions the device builds itself. */
export function buildsOnDevice(req: DirectionRequest): boolean {
  return req.family !== 'gradient';
}

const NO_VECTOR = new Float64Array(0);

/**
 * The shape of a device-built request's directions: a rank-one (aligned, chained, tilted) or
 * dense (gaussian: its generated matrix) piece on every perturbed layer, scale 1 — the vectors
 * and scales themselves are made on the device.
 */
export function directionShapes(layers: LayerPlan[], req: DirectionRequest): Direction[] {
  return Array.from({ length: req.count }, (_, dir) => ({
    layers: layers.map((layer) => {
      if (!req.blockMask[layer.block]) return { kind: 'zero' as const };
      if (req.family === 'gaussian') {
        return { kind: 'dense', seed: req.seed, stream: Stream.denseDirection(dir), scale: 1 };
      }
      return { kind: 'rankOne' as const, u: NO_VECTOR, v: NO_VECTOR, scale: 1 };
    }),
  }));
}

/**
 * Floats of a request's slots in the direction buffer, from normBase: one norm² per perturbed
 * layer (rank-one families); gaussian one norm² per direction and perturbed layer, then as many
 * scales.
 */
export function slotFloats(layers: LayerPlan[], req: DirectionRequest): number {
  const P = perturbedLayers(layers, req).length;
  return req.family === 'gaussian' ? 2 * req.count * P : P;
}

/** Sets each unit's denseScales: where the scale of each dense piece is made (gaussian). */
export function placeDenseScales(r: DeviceRequest): void {
  if (r.req.family !== 'gaussian') return;
  const perturbed = perturbedLayers(r.layers, r.req);
  const P = perturbed.length;
  const scales = r.normBase + r.req.count * P;
  for (const unit of r.units) {
    unit.denseScales = Array.from({ length: unit.count }, (_, i) => {
      const at = r.layers.map(() => -1);
      perturbed.forEach((layer, j) => {
        at[layer.index] = scales + (unit.first + i) * P + j;
      });
      return at;
    });
  }
}

/** One request whose directions are made on the device. */
export interface DeviceRequest {
  spec: NetworkSpec;
  layers: LayerPlan[];
  req: DirectionRequest;
  x: Float64Array;
  units: LaneUnit[];
  /** Float offset of the request's slots (norms², dense scales) in the direction buffer. */
  normBase: number;
}

/** Whether layer ℓ's v̂ comes from the previous layer's ξ (chained, inside a block). */
function chainedInside(req: DirectionRequest, layer: LayerPlan): boolean {
  return req.family === 'chained' && layer.indexInBlock > 0;
}

/** Perturbed layers of a request, in order (their index is the norm slot). */
export function perturbedLayers(layers: LayerPlan[], req: DirectionRequest): LayerPlan[] {
  return layers.filter((l) => req.blockMask[l.block]);
}

/** Norm slots the host fills: 1 for chained layers inside a block (ξ_{ℓ−1} is a unit vector). */
export function hostNorms(r: DeviceRequest): { slot: number; value: number }[] {
  return perturbedLayers(r.layers, r.req).flatMap((layer, j) =>
    chainedInside(r.req, layer) ? [{ slot: r.normBase + j, value: 1 }] : [],
  );
}

interface TraceNeed {
  spec: NetworkSpec;
  layers: LayerPlan[];
  x: Float64Array;
  /** Layers to run: h_0 … h_depth are needed. */
  depth: number;
  xOffset: number;
  /** Float offset of h_ℓ in `work`, ℓ = 0 … depth. */
  offsets: number[];
}

/** Gaussian rows: row 0 of matrix `layer` of (seed, stream + i) for i < count (ξ, or tilted's z). */
interface XiNeed {
  seed: number;
  stream: number;
  layer: number;
  length: number;
  count: number;
  /** Float offset in `work` (and, relative to the first ξ, in scratch). */
  offset: number;
}

/** Where every request's trace and ξ rows live in `work`: x vectors first (host-written). */
export class SetupLayout {
  private readonly traces = new Map<string, TraceNeed>();
  private readonly xis = new Map<string, XiNeed>();
  /** Tilted requests: float offset in `work` of their (cos θ, sin θ) pairs, host-written. */
  private readonly angles = new Map<DeviceRequest, number>();
  /** Floats the host writes (the x vectors and tilt angles), then the whole of `work`. */
  hostFloats = 0;
  floats = 0;
  xiBase = 0;

  constructor(readonly requests: DeviceRequest[]) {
    const rows = (seed: number, stream: number, layer: number, length: number, count: number) => {
      const key = rowsKey(seed, stream, layer, length);
      const xi = this.xis.get(key);
      if (xi) xi.count = Math.max(xi.count, count);
      else this.xis.set(key, { seed, stream, layer, length, count, offset: 0 });
    };
    for (const r of requests) {
      if (r.req.family === 'gaussian') continue; // no trace, no ξ
      const key = traceKey(r.spec);
      let depth = 0;
      for (const layer of perturbedLayers(r.layers, r.req)) {
        if (!chainedInside(r.req, layer)) depth = Math.max(depth, layer.index);
        rows(r.req.seed, Stream.alignedXi(0), layer.index, layer.outSize, r.req.count);
        if (r.req.family === 'tilted') {
          rows(r.req.seed, Stream.tilt(0), layer.index, layer.inSize, r.req.count);
        }
      }
      const trace = this.traces.get(key);
      if (trace) trace.depth = Math.max(trace.depth, depth);
      else {
        this.traces.set(key, {
          spec: r.spec,
          layers: r.layers,
          x: r.x,
          depth,
          xOffset: 0,
          offsets: [],
        });
      }
    }
    let at = 0;
    for (const t of this.traces.values()) {
      t.xOffset = at;
      t.offsets = [at];
      at += t.spec.inputSize;
    }
    for (const r of requests) {
      if (r.req.family !== 'tilted') continue;
      this.angles.set(r, at);
      at += 2 * r.req.count * perturbedLayers(r.layers, r.req).length;
    }
    this.hostFloats = at;
    for (const t of this.traces.values()) {
      for (let l = 0; l < t.depth; l++) {
        t.offsets.push(at);
        at += t.layers[l].outSize;
      }
    }
    this.xiBase = at;
    for (const xi of this.xis.values()) {
      xi.offset = at;
      at += xi.count * xi.length;
    }
    this.floats = at;
  }

  /** Float offset in `work` of h_ℓ (the input of layer ℓ) of `spec`'s trace. */
  private h(spec: NetworkSpec, layer: number): number {
    const t = this.traces.get(traceKey(spec));
    if (!t || layer >= t.offsets.length) throw new Error(`no trace of layer ${layer} planned`);
    return t.offsets[layer];
  }

  /** Float offset in `work` of ξ row `dir` of `layer` (tilted's z: `stream` Stream.tilt(0)). */
  private xi(seed: number, layer: LayerPlan, dir: number, stream = Stream.alignedXi(0)): number {
    const length = stream === Stream.alignedXi(0) ? layer.outSize : layer.inSize;
    const xi = this.xis.get(rowsKey(seed, stream, layer.index, length));
    if (!xi) throw new Error(`no Gaussian rows of layer ${layer.index} planned`);
    return xi.offset + dir * xi.length;
  }

  /**
   * What the host writes at the start of `work`: the x vectors, then each tilted request's
   * (cos θ, sin θ) per perturbed layer j and direction d at 2 (j · count + d), θ as tilt() in
   * src/model/directions.ts draws it.
   */
  hostValues(): Float32Array {
    const out = new Float32Array(this.hostFloats);
    for (const t of this.traces.values()) out.set(t.x, t.xOffset);
    for (const [r, base] of this.angles) {
      perturbedLayers(r.layers, r.req).forEach((layer, j) => {
        for (let dir = 0; dir < r.req.count; dir++) {
          const theta = tiltAngle(r.req.seed, dir, layer.index);
          out[base + 2 * (j * r.req.count + dir)] = Math.cos(theta);
          out[base + 2 * (j * r.req.count + dir) + 1] = Math.sin(theta);
        }
      });
    }
    return out;
  }

  /**
   * The set-up passes: every trace (one pass per layer, its output copied into `work`), every ξ
   * row (one pass into scratch, copied into `work`), then one pass of norms and unit rows into
   * `dirs`. `state`: the two buffers the traces ping-pong between (the lane pass's, free then).
   */
  passes(
    work: GPUBuffer,
    dirs: GPUBuffer,
    scratch: () => GPUBuffer,
    state: [GPUBuffer, GPUBuffer],
    stored: Map<string, GPUBuffer | null>,
  ): Pass[] {
    const passes: Pass[] = [];
    for (const t of this.traces.values()) {
      let [cur, next] = state;
      for (let l = 0; l < t.depth; l++) {
        const layer = t.layers[l];
        const matrix = weightMatrix(t.spec.seed, layer);
        const dispatches: Dispatch[] = productDispatches(
          { matrix, transposed: false, alpha: layer.scale, lanes: 1, ld: 1 },
          stored.get(matrixKey(matrix)) ?? null,
        );
        if (layer.activation !== 'identity') {
          dispatches.push({
            kernel: 'activate',
            params: {
              outRows: layer.outSize,
              lanes: 1,
              ld: 1,
              activation: ACTIVATION_CODE[layer.activation],
            },
            groups: elementGroups(layer.outSize, 1),
          });
        }
        const from = next;
        const to = t.offsets[l + 1];
        const input = cur;
        passes.push({
          dispatches,
          src: cur,
          dst: next,
          before:
            l === 0
              ? (encoder) =>
                  encoder.copyBufferToBuffer(work, t.xOffset * 4, input, 0, t.spec.inputSize * 4)
              : undefined,
          after: (encoder) => encoder.copyBufferToBuffer(from, 0, work, to * 4, layer.outSize * 4),
        });
        [cur, next] = [next, cur];
      }
    }
    const xiFloats = this.floats - this.xiBase;
    if (xiFloats > 0) {
      const dispatches: Dispatch[] = [...this.xis.values()].map((xi) => {
        const outOffset = xi.offset - this.xiBase;
        return {
          kernel: 'gaussian_rows',
          params: {
            seed: xi.seed,
            stream: xi.stream,
            layer: xi.layer,
            gCols: xi.length,
            lanes: xi.count,
            outOffset,
          },
          groups: [Math.ceil(xi.length / 4 / ELEMENT_LANES), xi.count],
          scratchFloats: outOffset + xi.count * xi.length,
        };
      });
      passes.push({
        dispatches,
        after: (encoder) =>
          encoder.copyBufferToBuffer(scratch(), 0, work, this.xiBase * 4, xiFloats * 4),
      });
    }
    const vectors: Dispatch[] = [];
    for (const r of this.requests) vectors.push(...this.vectorDispatches(r));
    if (vectors.length > 0) passes.push({ dispatches: vectors, src: work, dst: dirs });
    return passes;
  }

  /** Norms², then û and v̂ of every unit's directions (or the dense scales), for one request. */
  private vectorDispatches(r: DeviceRequest): Dispatch[] {
    if (r.req.family === 'gaussian') return denseScaleDispatches(r);
    const out: Dispatch[] = [];
    const perturbed = perturbedLayers(r.layers, r.req);
    perturbed.forEach((layer, j) => {
      if (chainedInside(r.req, layer)) return; // the host wrote 1
      out.push({
        kernel: 'sum_squares',
        params: {
          inOffset: this.h(r.spec, layer.index),
          inStride: 0,
          inner: layer.inSize,
          outOffset: r.normBase + j,
        },
        groups: [1, 1],
      });
    });
    const scaleMode = r.req.normalisation === 'per-layer' ? 1 : 2;
    for (const unit of r.units) {
      perturbed.forEach((layer, j) => {
        const at = unit.rankOne[layer.index];
        if (!at) return;
        out.push({
          kernel: 'scaled_unit_rows',
          params: {
            inOffset: this.xi(r.req.seed, layer, unit.first),
            inStride: layer.outSize,
            inner: layer.outSize,
            outOffset: at.uOffset,
            scaleMode,
            normBase: r.normBase,
            normCount: perturbed.length,
            normIndex: j,
          },
          groups: [unit.count, 1],
        });
        const angles = this.angles.get(r);
        if (angles !== undefined) {
          // Tilted: v̂ = cos θ ĥ + sin θ ζ.
          out.push({
            kernel: 'tilt_rows',
            params: {
              inOffset: this.h(r.spec, layer.index),
              zOffset: this.xi(r.req.seed, layer, unit.first, Stream.tilt(0)),
              angleOffset: angles + 2 * (j * r.req.count + unit.first),
              inner: layer.inSize,
              outOffset: at.vOffset,
            },
            groups: [unit.count, 1],
          });
          return;
        }
        const inside = chainedInside(r.req, layer);
        const previous = r.layers[layer.index - 1];
        out.push({
          kernel: 'scaled_unit_rows',
          params: {
            inOffset: inside
              ? this.xi(r.req.seed, previous, unit.first)
              : this.h(r.spec, layer.index),
            inStride: inside ? layer.inSize : 0,
            inner: layer.inSize,
            outOffset: at.vOffset,
            scaleMode: 0,
          },
          groups: [unit.count, 1],
        });
      });
    }
    return out;
  }
}

/**
 * A gaussian request's scales: ‖G‖_F² of every direction's perturbed layers (per-workgroup
 * partials in scratch, then added into the norm slots), then every piece's scale from its
 * direction's norms. The partials of one request are used before the next request's overwrite
 * them (dispatches in one pass run in order).
 */
function denseScaleDispatches(r: DeviceRequest): Dispatch[] {
  const perturbed = perturbedLayers(r.layers, r.req);
  const P = perturbed.length;
  const norms: Dispatch[] = [];
  const sums: Dispatch[] = [];
  const scales: Dispatch[] = [];
  let partials = 0;
  for (let dir = 0; dir < r.req.count; dir++) {
    perturbed.forEach((layer, j) => {
      const groups = Math.min(layer.outSize, NORM_WORKGROUPS);
      const matrix = {
        ...weightMatrix(r.spec.seed, layer),
        seed: r.req.seed,
        stream: Stream.denseDirection(dir),
      };
      norms.push({
        kernel: 'dense_norm_squared',
        params: { ...generatorParams(matrix), outOffset: partials },
        groups: [groups, 1],
        scratchFloats: partials + groups,
      });
      sums.push({
        kernel: 'partial_sum',
        params: { inOffset: partials, inner: groups, outOffset: r.normBase + dir * P + j },
        groups: [1, 1],
      });
      scales.push({
        kernel: 'dense_scale',
        params: {
          normBase: r.normBase + dir * P,
          normCount: P,
          normIndex: j,
          scaleMode: r.req.normalisation === 'per-layer' ? 1 : 2,
          outOffset: r.normBase + r.req.count * P + dir * P + j,
        },
        groups: [1, 1],
      });
      partials += groups;
    });
  }
  return [...norms, ...sums, ...scales];
}

function traceKey(spec: NetworkSpec): string {
  return JSON.stringify(spec);
}

function rowsKey(seed: number, stream: number, layer: number, length: number): string {
  return `${seed}|${stream}|${layer}|${length}`;
}

/** θ_ℓ ~ U[0, π/2) of tilted direction `dir`, from entry (1, 0) of (seed, Stream.tilt(dir), ℓ). */
function tiltAngle(seed: number, dir: number, layer: number): number {
  return (((entryWord(seed, Stream.tilt(dir), layer, 1, 0) >>> 8) + 0.5) / 2 ** 24) * (Math.PI / 2);
}

/** Floats of `work` one request would need alone (trace, ξ rows), to size batches. */
export function setupFloats(r: Pick<DeviceRequest, 'spec' | 'layers' | 'req'>): number {
  if (r.req.family === 'gaussian') return 0;
  let floats = r.spec.inputSize;
  let depth = 0;
  for (const layer of perturbedLayers(r.layers, r.req)) {
    floats += r.req.count * layer.outSize;
    if (r.req.family === 'tilted') floats += r.req.count * (layer.inSize + 2);
    if (!chainedInside(r.req, layer)) depth = Math.max(depth, layer.index);
  }
  for (let l = 0; l < depth; l++) floats += r.layers[l].outSize;
  return floats;
}
