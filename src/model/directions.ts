// Perturbation directions Δ in parameter space (model.md section 3).
//
// - gaussian: Δ^(ℓ) with i.i.d. N(0,1) entries. The paper's literal "random direction"; along it
//   g moves only by O(1/√m) inside the ball, which is why such plots look flat.
// - aligned: Δ^(ℓ) = ξ_ℓ ⊗ h_ℓ(x)/‖h_ℓ(x)‖ with ξ_ℓ a random unit vector: rank one, unit norm, and
//   aligned with the features layer ℓ sees, so it moves g by O(1) (Figure 1's picture).
// - tilted: aligned, then tilted by a random angle θ_ℓ ~ U[0, π/2) towards a random unit vector ζ
//   orthogonal to h_ℓ: Δ^(ℓ) = ξ_ℓ ⊗ (cos θ_ℓ ĥ_ℓ + sin θ_ℓ ζ_ℓ). Still rank one and unit norm, but
//   its O(1) effect is scaled by cos θ_ℓ. With d = r = k = 1 an aligned direction is fixed up to
//   sign on the 1-wide layers, so aligned curves coincide in groups; tilted ones all differ.
// - gradient: Δ^(ℓ) = ∇_{W^(ℓ)} g_o(W_init; x_j) = s_ℓ δ_ℓ ⊗ h_ℓ, also rank one; direction j uses
//   input x_j (x_0 = the plotted x, then fresh inputs), one direction per input.
// - chained: Δ^(ℓ) = ξ_ℓ ⊗ ξ_{ℓ−1} with the ξ of aligned: inside a block each layer's input side is
//   the previous layer's output side (a block's first layer reads ĥ_ℓ, as aligned). Rank one, unit
//   norm. A within-block product Δ^(ℓ) Δ^(ℓ−1) then carries ξ_{ℓ−1}·ξ_{ℓ−1} = 1 where aligned has
//   ĥ_ℓ·ξ_{ℓ−1} ≈ 1/√m, so the non-multilinear part of p, in g's units, falls like m^(−1/2)
//   (Theorem 2's rate is tight) instead of aligned's 1/m. Its share of all terms does not fall:
//   later layers of a block no longer read the features, so first-order terms are O(1/√m) too
//   (model.md §3, §5).
//
// Normalisation: `per-layer` gives every perturbed layer unit Frobenius norm (the ball of the
// paper's Definition 3). `global` keeps the family's relative layer sizes and scales the whole Δ
// to ‖Δ‖_F = √(number of perturbed layers), the same total as per-layer.

import {
  backwardTrace,
  column,
  drawInput,
  forwardTrace,
  type GeneratedMatMul,
  generatedMatMul,
  generatedNormSquared,
  type Matrix,
  zeros,
} from './network';
import { entryWord, gaussianVector, Stream } from './random';
import { checkInteger, checkOneOf, type NetworkSpec, planLayers, SpecError } from './spec';

export type DirectionFamily = 'gaussian' | 'aligned' | 'tilted' | 'gradient' | 'chained';
export type Normalisation = 'per-layer' | 'global';

export const DIRECTION_FAMILIES: readonly DirectionFamily[] = [
  'gaussian',
  'aligned',
  'tilted',
  'gradient',
  'chained',
];
export const NORMALISATIONS: readonly Normalisation[] = ['per-layer', 'global'];
export const MAX_DIRECTIONS = 64;

export interface DirectionRequest {
  family: DirectionFamily;
  normalisation: Normalisation;
  /** One flag per block: Δ is zero outside the chosen blocks (W_1 only, W_2 only, …). */
  blockMask: boolean[];
  count: number;
  /** uint32 seed of the directions, separate from the network's ("new directions"). */
  seed: number;
  /** Which output g_o is plotted and, for `gradient`, differentiated. */
  outputIndex: number;
}

/** Δ^(ℓ) of one layer. Dense entries are generated, never stored; rank one stores u, v. */
export type DirectionLayer =
  | { kind: 'zero' }
  /** Δ = scale · G with G the N(0,1) matrix `layer` of (seed, stream). */
  | { kind: 'dense'; seed: number; stream: number; scale: number }
  /** Δ = scale · u vᵀ, u of the layer's output size, v of its input size. */
  | { kind: 'rankOne'; u: Float64Array; v: Float64Array; scale: number };

export interface Direction {
  layers: DirectionLayer[];
}

/** The wide computations a direction family needs; each engine supplies its own. */
export interface DirectionOps {
  /** Generated products for the forward and backward traces at W_init. */
  matmul: GeneratedMatMul;
  /** ‖G‖_F² of a generated Gaussian matrix. */
  denseNormSquared(
    seed: number,
    stream: number,
    layer: number,
    rows: number,
    cols: number,
  ): number | Promise<number>;
  /**
   * Optional: row 0 of matrix `layer` (length entries) for `count` consecutive streams — the ξ of
   * aligned, tilted and chained directions, all directions at once. Default: gaussianVector on
   * the host.
   */
  gaussianVectors?: (
    seed: number,
    firstStream: number,
    count: number,
    layer: number,
    length: number,
  ) => Promise<Float64Array[]>;
  /** Optional whole forward trace in one go (saves an engine a round trip per layer). */
  forwardTrace?: (spec: NetworkSpec, inputs: Matrix) => Promise<Matrix[]>;
}

/** The float64 reference operations. */
export const cpuDirectionOps: DirectionOps = {
  matmul: generatedMatMul,
  denseNormSquared: generatedNormSquared,
};

export function validateDirectionRequest(
  spec: NetworkSpec,
  req: DirectionRequest,
): DirectionRequest {
  checkOneOf('family', req.family, DIRECTION_FAMILIES);
  checkOneOf('normalisation', req.normalisation, NORMALISATIONS);
  checkInteger('directions', req.count, 1, MAX_DIRECTIONS);
  checkInteger('directionSeed', req.seed, 0, 0xffffffff);
  checkInteger('outputIndex', req.outputIndex, 0, spec.outputSize - 1);
  const B = spec.blocks.length;
  if (
    !Array.isArray(req.blockMask) ||
    req.blockMask.length !== B ||
    req.blockMask.some((f) => typeof f !== 'boolean')
  ) {
    throw new SpecError(
      'blockMask',
      req.blockMask,
      `must list ${B} true/false flags, one per block`,
    );
  }
  if (!req.blockMask.some(Boolean)) {
    throw new SpecError('blockMask', req.blockMask, 'must perturb at least one block');
  }
  return req;
}

function normalised(v: Float64Array): { unit: Float64Array; norm: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  const unit = new Float64Array(v.length);
  if (norm > 0) for (let i = 0; i < v.length; i++) unit[i] = v[i] / norm;
  return { unit, norm };
}

/**
 * cos θ ĥ + sin θ ζ with θ ~ U[0, π/2) and ζ a random unit vector orthogonal to ĥ, both from
 * (seed, Stream.tilt(dir), layer): ζ from row 0, θ from entry (1, 0). A unit vector.
 */
function tilt(hHat: Float64Array, seed: number, dir: number, layer: number): Float64Array {
  const n = hHat.length;
  const z = gaussianVector(seed, Stream.tilt(dir), layer, n);
  let dot = 0;
  for (let i = 0; i < n; i++) dot += z[i] * hHat[i];
  for (let i = 0; i < n; i++) z[i] -= dot * hHat[i];
  const zeta = normalised(z);
  const theta =
    (((entryWord(seed, Stream.tilt(dir), layer, 1, 0) >>> 8) + 0.5) / 2 ** 24) * (Math.PI / 2);
  if (zeta.norm < 1e-12) return hHat; // 1-dimensional input: no orthogonal direction
  return hHat.map((h, i) => Math.cos(theta) * h + Math.sin(theta) * zeta.unit[i]);
}

/** Builds `count` directions of the requested family; wide work goes through `ops`. */
export async function buildDirections(
  spec: NetworkSpec,
  req: DirectionRequest,
  ops: DirectionOps,
): Promise<Direction[]> {
  validateDirectionRequest(spec, req);
  const layers = planLayers(spec);
  const perturbed = layers.map((layer) => req.blockMask[layer.block]);
  const nPerturbed = perturbed.filter(Boolean).length;

  // Inputs: aligned, tilted, chained and gaussian use the plotted x; gradient direction j uses x_j.
  // (chained reads the trace only at the first layer of each block.)
  const nInputs = req.family === 'gradient' ? req.count : 1;
  const inputs = zeros(spec.inputSize, nInputs);
  for (let j = 0; j < nInputs; j++) {
    const x =
      j === 0 ? drawInput(spec.seed, spec.inputSize, 0) : drawInput(req.seed, spec.inputSize, j);
    for (let i = 0; i < spec.inputSize; i++) inputs.data[i * nInputs + j] = x[i];
  }
  const needsTrace = req.family !== 'gaussian';
  const trace = !needsTrace
    ? []
    : ops.forwardTrace
      ? await ops.forwardTrace(spec, inputs)
      : await forwardTrace(spec, inputs, ops.matmul);
  const deltas =
    req.family === 'gradient' ? await backwardTrace(spec, trace, req.outputIndex, ops.matmul) : [];

  // ξ of every direction, per perturbed layer, in one request each (streams alignedXi(0 … count−1)).
  const usesXi = req.family === 'aligned' || req.family === 'tilted' || req.family === 'chained';
  const xis: Float64Array[][] = [];
  if (usesXi) {
    for (const layer of layers) {
      if (!perturbed[layer.index]) continue;
      xis[layer.index] = ops.gaussianVectors
        ? await ops.gaussianVectors(
            req.seed,
            Stream.alignedXi(0),
            req.count,
            layer.index,
            layer.outSize,
          )
        : Array.from({ length: req.count }, (_, dir) =>
            gaussianVector(req.seed, Stream.alignedXi(dir), layer.index, layer.outSize),
          );
    }
  }

  const directions: Direction[] = [];
  for (let dir = 0; dir < req.count; dir++) {
    // Raw layer pieces and their Frobenius norms before normalisation.
    const raw: { layer: DirectionLayer; norm: number }[] = [];
    for (const layer of layers) {
      if (!perturbed[layer.index]) {
        raw.push({ layer: { kind: 'zero' }, norm: 0 });
        continue;
      }
      if (req.family === 'gaussian') {
        const stream = Stream.denseDirection(dir);
        const normSq = await ops.denseNormSquared(
          req.seed,
          stream,
          layer.index,
          layer.outSize,
          layer.inSize,
        );
        raw.push({
          layer: { kind: 'dense', seed: req.seed, stream, scale: 1 },
          norm: Math.sqrt(normSq),
        });
      } else {
        // chained: inside a block (the previous layer is then perturbed too, the mask being per
        // block) the input side is the previous layer's ξ, of length outSize(ℓ−1) = inSize(ℓ).
        let v: { unit: Float64Array; norm: number };
        if (req.family === 'chained' && layer.indexInBlock > 0) {
          v = normalised(xis[layer.index - 1][dir]);
          v.norm = 1; // a unit vector by definition, so the raw piece ξ_ℓ ⊗ ξ_{ℓ−1} has norm 1
        } else {
          v = normalised(column(trace[layer.index], req.family === 'gradient' ? dir : 0));
        }
        if (req.family === 'tilted') v.unit = tilt(v.unit, req.seed, dir, layer.index);
        let u: { unit: Float64Array; norm: number };
        if (usesXi) {
          u = normalised(xis[layer.index][dir]);
          u.norm = 1; // ξ is a unit vector by definition; the raw piece is ξ ⊗ h
        } else {
          u = normalised(column(deltas[layer.index], dir));
          u.norm *= layer.scale; // ∇_W g = s_ℓ δ ⊗ h
        }
        const norm = u.norm * v.norm;
        raw.push({
          layer: { kind: 'rankOne', u: u.unit, v: v.unit, scale: norm > 0 ? 1 : 0 },
          norm,
        });
      }
    }
    // Normalise. `raw.layer` currently has unit norm (dense: norm `raw.norm`), so set scales.
    let globalScale = 0;
    if (req.normalisation === 'global') {
      const total = Math.sqrt(raw.reduce((s, p) => s + p.norm * p.norm, 0));
      globalScale = total > 0 ? Math.sqrt(nPerturbed) / total : 0;
    }
    directions.push({
      layers: raw.map(({ layer, norm }) => {
        if (layer.kind === 'zero') return layer;
        // Per-layer: unit norm. Global: the raw piece times one scale for the whole Δ.
        const unitScale = layer.kind === 'dense' ? (norm > 0 ? 1 / norm : 0) : layer.scale;
        const scale =
          req.normalisation === 'per-layer' ? unitScale : unitScale * norm * globalScale;
        return { ...layer, scale };
      }),
    });
  }
  return directions;
}
