// The degree table (Theorem 2): for every non-empty set S of blocks, perturb only those blocks and
// ask whether t ↦ g is of degree |S| and linear in each block, on the theorem's own scale.
//
// Linear networks (σ = identity): read off the all-weights per-block polynomial p(t_1 … t_B).
// Perturbing only S is setting t_b = 0 for b ∉ S, so one engine pass gives every row. Each row
// carries two kinds of degree:
//
// - the verdict (docs/views.md "The degree verdict"): the part of p|_S above degree |S| — its
//   non-multilinear terms, Σ |p_α| R^{|α|} — relative to g's size on the ball, against Theorem 2's
//   O(1/√m). Consistent while excess · √m ≤ VERDICT_CONSTANT; the constant was chosen from measurements
//   across widths, families, depths and radii (bench/degree-verdict.mjs, docs/views.md);
// - measured degrees: the largest j with |c_j| above 10⁻³ of the largest (the old rule, kept as
//   `degree` for comparison: a fixed threshold, blind to m) and the exact degree, the largest j
//   above the float round-off floor (p really has degree Σ_{b∈S} L_b).
//
// Non-linear networks: the theorem does not apply and there is no polynomial. The figure's grid
// panels (all weights, each block alone) give one row each: the gap between g and its
// least-squares polynomial of degree |S| on the grid, judged by the same rule.

import { type PolynomialLayout, totalDegreeCoefficients } from '../model/polynomial';
import { type NetworkSpec, planLayers } from '../model/spec';
import {
  measuredDegree,
  median,
  nonMultilinearPart,
  restrictToVariables,
  termDegree,
  variableDegrees,
} from './theorem';

/**
 * The verdict's constant K: a row is consistent with Theorem 2 while its excess (the part above
 * degree |S|, relative to g's size on the ball) is at most K/√m. Measured (bench/degree-verdict.mjs, float64, worst
 * direction, see docs/views.md): linear networks stay below it at every width from 16 to 16384,
 * every family, L_b ≤ 4 and R ≤ 3; tanh inside a block exceeds it from m = 64.
 */
export const VERDICT_CONSTANT = 16;

/** float64 round-off per product and term, as float32NoiseFloor's 6e-8 (2⁻⁵³ ≈ 1.1e-16, ×2). */
const FLOAT64_EPSILON = 2.2e-16;

export interface DegreeRow {
  /** The perturbed blocks S, numbered from 1. */
  blocks: number[];
  /** Theorem 2's degree: |S|. */
  predicted: number;
  /**
   * Where the row comes from: `exact`, the per-block polynomial of a linear network; `fit`, the
   * least-squares polynomial of degree |S| through a grid panel (σ ≠ identity: no theorem).
   */
  source: 'exact' | 'fit';
  /** The width m of the theorem's 1/√m: the narrowest block's hidden width. */
  width: number;
  /** 1/√m. */
  theoremScale: number;
  /**
   * The part above degree |S|, worst direction, in g's units. Exact rows: Σ |p_α| R^{|α|} over
   * the non-multilinear terms of p restricted to S (bounds |p − its multilinear part| on the cube
   * |t_b| ≤ R). Fit rows: max |g − fit| on the grid.
   */
  excess: number;
  /**
   * The same relative to g's size on the ball, worst direction: excess / max(1, Σ_α |p_α| R^{|α|})
   * (exact, see sizeOnBall), max |g − fit| / max(1, max |g|) (fit). Scale-free: the verdict's
   * quantity.
   */
  excessRelative: number;
  /** excessRelative · √m: what Theorem 2 keeps bounded as m grows. */
  scaledExcess: number;
  /** The verdict: scaledExcess ≤ VERDICT_CONSTANT. */
  consistent: boolean;
  /** Old rule (exact rows): the largest j with |c_j| above 10⁻³ of the largest; null for fit rows. */
  degree: number | null;
  /** Old rule per direction; empty for fit rows. */
  perDirection: number[];
  /** The largest j with |c_j| above round-off (float32 or float64), worst direction; null for fit. */
  exactDegree: number | null;
  /** Degree in t_b for each block of S by the old rule (worst direction); empty for fit rows. */
  blockDegrees: number[];
  /** L_b for each block of S. */
  layers: number[];
  /** Median over directions of the absolute excess. */
  nonMultilinear: number;
}

/** Every non-empty subset of 0 … B−1, by size, then in lexicographic order. */
export function blockSubsets(B: number): number[][] {
  const subsets: number[][] = [];
  for (let mask = 1; mask < 1 << B; mask++) {
    subsets.push(Array.from({ length: B }, (_, b) => b).filter((b) => mask & (1 << b)));
  }
  return subsets.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

/** The theorem's m for a network: its narrowest block (the bound is in the smallest width). */
export function theoremWidth(spec: NetworkSpec): number {
  return Math.min(...spec.blocks.map((b) => b.width));
}

/** The verdict of Theorem 2 on a relative excess at width m. */
export function degreeVerdict(
  excess: number,
  width: number,
): { theoremScale: number; scaledExcess: number; consistent: boolean } {
  const scaledExcess = excess * Math.sqrt(width);
  return {
    theoremScale: 1 / Math.sqrt(width),
    scaledExcess,
    consistent: scaledExcess <= VERDICT_CONSTANT,
  };
}

/**
 * float64 round-off of a coefficient of size `scale` after a pass through the layers, like
 * float32NoiseFloor (theorem.ts) with float64's epsilon: the floor of the exact degree.
 */
export function float64NoiseFloor(spec: NetworkSpec, scale: number): number {
  const sumSqrt = planLayers(spec).reduce((s, l) => s + Math.sqrt(l.inSize), 0);
  return sumSqrt * FLOAT64_EPSILON * scale;
}

/** The largest j ≥ 1 with |c_j| above `floor` (and non-zero); 0 when none is. */
function degreeAbove(c: ArrayLike<number>, floor: number): number {
  for (let j = c.length - 1; j >= 1; j--) if (Math.abs(c[j]) > floor && c[j] !== 0) return j;
  return 0;
}

/**
 * g's size on the cube |t_b| ≤ R, the unit the verdict measures the excess in: Σ_α |p_α| R^{|α|}
 * (the constant g(W) included; it bounds max |p| there), and at least 1, the RMS of g at W_init
 * (|x|² = d and the 1/√fan-in scaling keep E g² = 1). The floor matters where every non-constant
 * term is O(1/√m) (chained directions) and g(W) happens to be near 0.
 */
function sizeOnBall(layout: PolynomialLayout, p: ArrayLike<number>, R: number): number {
  let size = 0;
  for (let c = 0; c < layout.size; c++) size += Math.abs(p[c]) * R ** termDegree(layout, c);
  return Math.max(1, size);
}

/**
 * One row per non-empty set of blocks, from the per-block polynomial of each direction (`rows`,
 * coefficients in `layout`, one variable per block in block order). `noiseFloor` is the engine's
 * float32 floor (0 in float64).
 */
export function degreeTable(
  spec: NetworkSpec,
  layout: PolynomialLayout,
  rows: ArrayLike<number>[],
  noiseFloor: number,
  R: number,
): DegreeRow[] {
  const B = spec.blocks.length;
  const width = theoremWidth(spec);
  return blockSubsets(B).map((blocks) => {
    const restricted = rows.map((p) => restrictToVariables(layout, p, blocks));
    const totals = restricted.map((p) => totalDegreeCoefficients(layout, p));
    const perDirection = totals.map((c) => measuredDegree(c, noiseFloor));
    const exactDegrees = totals.map((c) => {
      const scale = Math.max(...Array.from(c, Math.abs));
      return degreeAbove(c, Math.max(noiseFloor, float64NoiseFloor(spec, scale)));
    });
    const perVariable = restricted.map((p) => variableDegrees(layout, p, noiseFloor));
    // Below the float32 floor the excess is round-off: count it as 0.
    const excesses = restricted.map((p) => {
      const size = nonMultilinearPart(layout, p, R);
      return size > noiseFloor ? size : 0;
    });
    const relatives = restricted.map((p, d) => excesses[d] / sizeOnBall(layout, p, R));
    const excess = Math.max(...excesses);
    const excessRelative = Math.max(...relatives);
    return {
      blocks: blocks.map((b) => b + 1),
      predicted: blocks.length,
      source: 'exact' as const,
      width,
      excess,
      excessRelative,
      ...degreeVerdict(excessRelative, width),
      degree: Math.max(...perDirection),
      perDirection,
      exactDegree: Math.max(...exactDegrees),
      blockDegrees: blocks.map((b) => Math.max(...perVariable.map((d) => d[b]))),
      layers: blocks.map((b) => spec.blocks[b].layers),
      nonMultilinear: median(excesses),
    };
  });
}

/** What a fit row needs of a grid panel (a PanelResult, without importing figure.ts). */
export interface GridPanelDeviation {
  spec: NetworkSpec;
  blockMask: boolean[];
  /** Per direction: g at the grid's t. */
  curves: { values: ArrayLike<number> }[];
  /** Per direction: g − its least-squares polynomial of degree |S| at the same t. */
  deviations: { values: ArrayLike<number> }[];
}

/** One fit row per grid panel of a non-linear network (its blocks S: the panel's mask). */
export function fittedDegreeRow(panel: GridPanelDeviation): DegreeRow {
  const blocks = panel.blockMask.flatMap((on, b) => (on ? [b] : []));
  const width = theoremWidth(panel.spec);
  const maxAbs = (v: ArrayLike<number>) => Math.max(0, ...Array.from(v, Math.abs));
  const excesses = panel.deviations.map((d) => maxAbs(d.values));
  const relatives = excesses.map((e, d) => e / Math.max(1, maxAbs(panel.curves[d].values)));
  const excess = Math.max(...excesses);
  const excessRelative = Math.max(...relatives);
  return {
    blocks: blocks.map((b) => b + 1),
    predicted: blocks.length,
    source: 'fit',
    width,
    excess,
    excessRelative,
    ...degreeVerdict(excessRelative, width),
    degree: null,
    perDirection: [],
    exactDegree: null,
    blockDegrees: [],
    layers: blocks.map((b) => panel.spec.blocks[b].layers),
    nonMultilinear: median(excesses),
  };
}
