// Exact polynomials of t ↦ g(W + tΔ; x) by coefficient propagation (model.md section 4), and
// direct evaluation on a grid of t for any activation.
//
// With σ = identity every layer is linear in its own weights, so along a direction the network is
// a polynomial. Give layer ℓ a variable v(ℓ) (one t for all layers, one t_b per block, or one per
// layer) and carry one vector per multi-index α (the coefficient of Π t_v^{α_v}) through the
// layers:
//     new_h_α = s_ℓ ( W^(ℓ) h_α + Δ^(ℓ) h_{α − e_v(ℓ)} )
// The degree in t_v is at most the number of perturbed layers assigned to v. Both engines run the
// same "lane" pass: a lane is a column of the hidden-state matrix. For a polynomial, lane α reads
// lane α − e_v through Δ; for a grid of t, lane i reads itself with weight t_i.

import type { Direction, DirectionLayer } from './directions';
import { applyActivation, generatedMatMul, type Matrix, repeatColumn, zeros } from './network';
import { type LayerPlan, type NetworkSpec, planLayers, SpecError } from './spec';

export type VariableGrouping = 'single' | 'per-block' | 'per-layer';

/** How the lanes of one direction's pass read each other through Δ^(ℓ). */
export interface LaneCoupling {
  /** For each lane c: the lane whose state Δ^(ℓ) multiplies, or −1 for none. */
  source: Int32Array;
  /** For each lane c: the factor on that Δ term (1 for polynomials, t_c on a grid). */
  weight: Float64Array;
}

export interface LanePlan {
  lanes: number;
  /** Lanes that start as the input x; the others start at zero. */
  startsAtInput: (lane: number) => boolean;
  /** The coupling used at layer ℓ, or null when Δ^(ℓ) does not enter. */
  coupling: (layer: LayerPlan) => LaneCoupling | null;
}

/** The multi-index layout of a multivariate polynomial: variable 0 varies fastest. */
export interface PolynomialLayout {
  grouping: VariableGrouping;
  /** For each layer, its variable, or −1 when the layer is not perturbed. */
  variableOfLayer: number[];
  /** Degree bound per variable (number of perturbed layers it owns). */
  degrees: number[];
  strides: number[];
  /** Number of coefficients Π (degree_v + 1). */
  size: number;
}

/** Largest multivariate coefficient count per direction an engine is asked to carry. */
export const MAX_POLYNOMIAL_TERMS = 4096;

export function polynomialLayout(
  spec: NetworkSpec,
  blockMask: boolean[],
  grouping: VariableGrouping,
): PolynomialLayout {
  const layers = planLayers(spec);
  const variableIds: number[] = [];
  const variableOfLayer = layers.map((layer) => {
    if (!blockMask[layer.block]) return -1;
    const key = grouping === 'single' ? 0 : grouping === 'per-block' ? layer.block : layer.index;
    let v = variableIds.indexOf(key);
    if (v < 0) v = variableIds.push(key) - 1;
    return v;
  });
  const degrees = variableIds.map((_, v) => variableOfLayer.filter((w) => w === v).length);
  const strides: number[] = [];
  let size = 1;
  for (const d of degrees) {
    strides.push(size);
    size *= d + 1;
  }
  if (size > MAX_POLYNOMIAL_TERMS) {
    throw new SpecError(
      'grouping',
      grouping,
      `gives ${size} polynomial terms per direction; at most ${MAX_POLYNOMIAL_TERMS} (use fewer layers or 'single')`,
    );
  }
  return { grouping, variableOfLayer, degrees, strides, size };
}

/** Exponents α of coefficient index `c`. */
export function multiIndex(layout: PolynomialLayout, c: number): number[] {
  return layout.degrees.map((d, v) => Math.floor(c / layout.strides[v]) % (d + 1));
}

export function polynomialLanes(spec: NetworkSpec, layout: PolynomialLayout): LanePlan {
  const couplings = planLayers(spec).map((layer) => {
    const v = layout.variableOfLayer[layer.index];
    if (v < 0) return null;
    const source = new Int32Array(layout.size);
    const weight = new Float64Array(layout.size).fill(1);
    const stride = layout.strides[v];
    const radix = layout.degrees[v] + 1;
    for (let c = 0; c < layout.size; c++) {
      source[c] = Math.floor(c / stride) % radix >= 1 ? c - stride : -1;
    }
    return { source, weight };
  });
  return {
    lanes: layout.size,
    startsAtInput: (lane) => lane === 0,
    coupling: (layer) => couplings[layer.index],
  };
}

export function gridLanes(ts: ArrayLike<number>): LanePlan {
  const source = Int32Array.from({ length: ts.length }, (_, i) => i);
  const weight = Float64Array.from(ts);
  const coupling = { source, weight };
  return { lanes: ts.length, startsAtInput: () => true, coupling: () => coupling };
}

/** Y += s_ℓ · (Δ^(ℓ) applied to the coupled lanes of H), the float64 reference. */
export function addDirectionTerm(
  delta: DirectionLayer,
  layer: LayerPlan,
  coupling: LaneCoupling,
  h: Matrix,
  y: Matrix,
): void {
  if (delta.kind === 'zero' || delta.scale === 0) return;
  const n = h.cols;
  // Gather the coupled lanes: X[:, c] = weight_c · H[:, source_c].
  const x = zeros(h.rows, n);
  for (let c = 0; c < n; c++) {
    const src = coupling.source[c];
    if (src < 0) continue;
    const w = coupling.weight[c];
    for (let r = 0; r < h.rows; r++) x.data[r * n + c] = w * h.data[r * n + src];
  }
  const alpha = layer.scale * delta.scale;
  if (delta.kind === 'dense') {
    const term = generatedMatMul(
      delta.seed,
      delta.stream,
      layer.index,
      layer.outSize,
      layer.inSize,
      x,
      alpha,
    );
    for (let i = 0; i < y.data.length; i++) y.data[i] += term.data[i];
  } else {
    // (u vᵀ) X = u (vᵀ X): O(m) per lane.
    const dots = new Float64Array(n);
    for (let r = 0; r < x.rows; r++) {
      for (let c = 0; c < n; c++) dots[c] += delta.v[r] * x.data[r * n + c];
    }
    for (let r = 0; r < y.rows; r++) {
      const ur = alpha * delta.u[r];
      for (let c = 0; c < n; c++) y.data[r * n + c] += ur * dots[c];
    }
  }
}

/** Runs the lane pass for one direction; returns the k × lanes outputs (float64). */
export function propagateLanes(
  spec: NetworkSpec,
  direction: Direction,
  plan: LanePlan,
  x: Float64Array,
): Matrix {
  const layers = planLayers(spec);
  let h = repeatColumn(x, plan.lanes);
  for (let c = 0; c < plan.lanes; c++) {
    if (!plan.startsAtInput(c)) for (let r = 0; r < h.rows; r++) h.data[r * plan.lanes + c] = 0;
  }
  for (const layer of layers) {
    const y = generatedMatMul(
      spec.seed,
      0,
      layer.index,
      layer.outSize,
      layer.inSize,
      h,
      layer.scale,
    );
    const coupling = plan.coupling(layer);
    if (coupling) addDirectionTerm(direction.layers[layer.index], layer, coupling, h, y);
    applyActivation(layer.activation, y);
    h = y;
  }
  return h;
}

/** Univariate coefficients c_j = Σ_{|α| = j} p_α from multivariate ones. */
export function totalDegreeCoefficients(
  layout: PolynomialLayout,
  p: ArrayLike<number>,
): Float64Array {
  const maxDegree = layout.degrees.reduce((a, b) => a + b, 0);
  const c = new Float64Array(maxDegree + 1);
  for (let i = 0; i < layout.size; i++) {
    const degree = multiIndex(layout, i).reduce((a, b) => a + b, 0);
    c[degree] += p[i];
  }
  return c;
}

/** The multilinear part of p (every exponent ≤ 1): what Theorem 2 predicts g becomes. */
export function isMultilinearTerm(layout: PolynomialLayout, c: number): boolean {
  return multiIndex(layout, c).every((a) => a <= 1);
}

/** Horner evaluation of Σ c_j t^j. */
export function evaluatePolynomial(coefficients: ArrayLike<number>, t: number): number {
  let y = 0;
  for (let j = coefficients.length - 1; j >= 0; j--) y = y * t + coefficients[j];
  return y;
}

/** p(t_1 … t_V) = Σ_α p_α Π t_v^{α_v}. */
export function evaluateMultivariate(
  layout: PolynomialLayout,
  p: ArrayLike<number>,
  t: number[],
): number {
  let sum = 0;
  for (let c = 0; c < layout.size; c++) {
    let term = p[c];
    const alpha = multiIndex(layout, c);
    for (let v = 0; v < alpha.length; v++) term *= t[v] ** alpha[v];
    sum += term;
  }
  return sum;
}
