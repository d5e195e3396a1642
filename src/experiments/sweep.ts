// Width sweep (model.md §5): how fast g leaves its multilinear model as every block widens, next
// to Theorem 2's bound O(1/√m), and the derivative scales behind it (Lemmas 2–3). Along the
// all-weights direction, t ↦ g(W + tΔ) = Σ_j c_j t^j with c_j = Σ_{|α| = j} p_α of the per-block
// polynomial p(t_1 … t_B):
//
// - the non-multilinear size Σ_{α not multilinear} |p_α| R^{|α|}, in g's own units: it bounds
//   |p − its multilinear part| on the cube |t_b| ≤ R, the quantity Theorem 2 bounds by O(1/√m);
// - |c_B| = |B-th derivative| / B!: Ω(1) along aligned, tilted and gradient directions (Lemma 3
//   bounds the B-th derivative's operator norm from below, so some direction keeps it O(1)); it
//   falls along gaussian and chained ones;
// - |c_{B+1}| = |(B+1)-th derivative| / (B+1)!: O(1/√m) along every direction (Lemma 2).
//
// One series per direction family: the current settings' family first, then `aligned` and
// `chained` (SWEEP_FAMILIES). Aligned directions make the non-multilinear size fall like 1/m,
// faster than the bound. Chained ones reach the bound's 1/√m only through blocks of two layers:
// in a deeper block the chain's square terms pass an m × m layer and fall like 1/m as well (float64,
// d = r = k = 1, medians of 24 networks × 2 directions, m = 64 … 2048: −0.57 at L_b = 2, −1.02 at
// L_b = 3, −1.13 at L_b = 4; docs/claims.md). With one layer per block the size is exactly 0.
// Along chained directions g's multilinear part falls too (|c_B| slope ≈ −1/2 at L_b = 2): their
// layers' input sides are not the features, which is why the non-multilinear part is measured as
// an absolute size (theorem.ts nonMultilinearPart), not relative to all terms. What each family
// should show for given L_b is expectedSweepSlopes below; the notes word their sentences from it.

import { runRequests } from '../engine/runRequests';
import type { Engine, RunOptions } from '../engine/types';
import type { DirectionFamily } from '../model/directions';
import { MAX_POLYNOMIAL_TERMS, totalDegreeCoefficients } from '../model/polynomial';
import { isLinearNetwork, type NetworkSpec, SpecError } from '../model/spec';
import { directionRequest } from './figure';
import { type FigureSettings, networkSpec } from './settings';
import {
  blockTermCount,
  float32NoiseFloor,
  logLogSlope,
  median,
  nonMultilinearPart,
} from './theorem';

/** The families every sweep compares: aligned (faster than the bound) and chained (at it for L_b = 2). */
export const SWEEP_FAMILIES: readonly DirectionFamily[] = ['aligned', 'chained'];

/**
 * Networks per width: the settings' seed and the next ones. With d = r = k = 1 the directions of
 * one network barely differ, and a single network's slope scatters by ±0.3 (its O(1) gains at
 * W_init that multiply every term change with m); the median over 8 networks × the directions
 * is steady to about ±0.05 (chained, B = 2, L_b = 2, 48 networks in disjoint groups of 8).
 */
export const SWEEP_NETWORKS = 8;

/**
 * Slopes are fitted over m ≥ this. Below it the next order (1/m beside 1/√m, weighted by higher
 * powers of R) is not yet small: with it, chained's slope over m = 16 … 16384 reads −0.60 for
 * R = 2 instead of −0.57 from m = 64. The smaller widths are still drawn.
 */
export const FIT_FROM_WIDTH = 64;

/**
 * The theorem's slopes on log–log axes against m: |c_B| = Ω(1) (slope 0, Lemma 3; along some
 * direction — aligned, tilted and gradient ones here), and |c_{B+1}| and the non-multilinear size
 * O(1/√m) (slope ≤ −1/2, Lemma 2 and Theorem 2; along every direction).
 */
export const THEOREM_SLOPES = { nonMultilinear: -0.5, cB: 0, cB1: -0.5 } as const;

/**
 * What a width sweep of one family should measure for blocks of `layers` (L_b each, every block
 * perturbed): the expected log–log slopes against m, from the float64 measurements in
 * docs/claims.md (each checked by tests/claims.test.ts). `null` where the quantity is exactly 0.
 */
export interface SweepExpectation {
  /**
   * Slope of the non-multilinear size: −1/2 (the bound reached) for chained directions when some
   * block has two layers, −1 otherwise; null with one layer per block (exactly 0).
   */
  nonMultilinear: -0.5 | -1 | null;
  /** nonMultilinear is Theorem 2's −1/2: the bound is tight along this family and these blocks. */
  atBound: boolean;
  /**
   * Slope of |c_B|: 0 (Ω(1)) along aligned, tilted and gradient directions; −w/2 along gaussian
   * ones, w the number of blocks with a wide layer (L_b ≥ 2); ≤ −1/2 along chained ones (when a
   * block has L_b ≥ 2). 0 for every family with one layer per block (g does not depend on m).
   */
  cB: number;
  /** cB is an upper bound (chained: "−1/2 or faster"), not an estimate. */
  cBAtMost: boolean;
  /** Slope of |c_{B+1}|: at most −1/2 (Lemma 2); null when c_{B+1} ≡ 0 (one layer per block). */
  cB1: -0.5 | null;
}

/** The slopes a width sweep of `family` should show for blocks of `layers` (see SweepExpectation). */
export function expectedSweepSlopes(
  family: DirectionFamily,
  layers: readonly number[],
): SweepExpectation {
  const wide = layers.filter((l) => l >= 2).length;
  if (wide === 0) {
    // One layer per block: p is multilinear by construction and no layer has width m.
    return { nonMultilinear: null, atBound: false, cB: 0, cBAtMost: false, cB1: null };
  }
  const twoLayer = layers.some((l) => l === 2);
  const nonMultilinear = family === 'chained' && twoLayer ? -0.5 : -1;
  const cB = family === 'gaussian' ? -wide / 2 : family === 'chained' ? -0.5 : 0;
  return {
    nonMultilinear,
    atBound: nonMultilinear === -0.5,
    cB,
    cBAtMost: family === 'chained',
    cB1: -0.5,
  };
}

export interface SweepPoint {
  width: number;
  /** Median over networks × directions of the non-multilinear size (see nonMultilinearPart). */
  median: number;
  /** Median of |c_B|. */
  cB: number;
  /** Median of |c_{B+1}|; exactly 0 when Σ L_b = B (see SweepResult.cB1Vanishes). */
  cB1: number;
  /** Per sample (network-major: network n, direction d at n · directions + d), for the dots. */
  perDirection: number[];
  perDirectionCB: number[];
  perDirectionCB1: number[];
}

/**
 * One direction family over the widths. A slope is NaN until every width is in, and when fewer
 * than two widths from FIT_FROM_WIDTH have a median above the noise floor (all round-off, or
 * exactly 0). `slopeCB1` is null when c_{B+1} ≡ 0 (Σ L_b = B): there is no rate to measure.
 */
export interface SweepSeries {
  family: DirectionFamily;
  points: SweepPoint[];
  /** Fitted log–log slope of the median non-multilinear size; theorem: ≤ −1/2. */
  slope: number;
  /** Fitted log–log slope of median |c_B|; theorem: 0 (Ω(1)). */
  slopeCB: number;
  /** Fitted log–log slope of median |c_{B+1}|; theorem: ≤ −1/2. Null when c_{B+1} ≡ 0. */
  slopeCB1: number | null;
  /**
   * float32 round-off of the non-multilinear size: float32NoiseFloor of the widest network with
   * scale max_j |c_j| R^j (the largest term on [−R, R]) over the family's samples at the latest
   * width (the widest, once done). 0 in float64. Medians below it are drawn but not fitted.
   */
  noiseFloor: number;
  /** The same for the coefficients |c_j|, with scale max_j |c_j|. 0 in float64. */
  coefficientNoiseFloor: number;
}

export interface SweepResult {
  /** The current settings' family first, then the rest of SWEEP_FAMILIES. */
  series: SweepSeries[];
  /** The current settings' family (series[0]). */
  family: DirectionFamily;
  /** All widths the sweep visits (the series' points are a prefix of these while running). */
  widths: number[];
  /** Network seeds of every width (the settings' seed first). */
  seeds: number[];
  /** Number of blocks B: the degree of the multilinear part, so c_B is its top coefficient. */
  blocks: number;
  /**
   * True when Σ L_b = B (one layer per block): p is multilinear by construction, c_{B+1} does not
   * exist (stored as 0) and the non-multilinear size is exactly 0 at every width.
   */
  cB1Vanishes: boolean;
  /** Slopes are fitted over widths ≥ this. */
  fitFrom: number;
  theorem: typeof THEOREM_SLOPES;
  precision: 'float32' | 'float64';
}

/** Widths 16, 32, … up to a cap set by the engine and by whether blocks hold m × m layers. */
export function sweepWidths(settings: FigureSettings, engineKind: 'webgpu' | 'cpu'): number[] {
  const square = settings.layers.some((l) => l >= 3);
  const cap = engineKind === 'webgpu' ? (square ? 4096 : 65536) : square ? 512 : 16384;
  const widths: number[] = [];
  for (let m = 16; m <= cap; m *= 2) widths.push(m);
  return widths;
}

/** The families a sweep of these settings runs, the reader's own first. */
export function sweepFamilies(settings: FigureSettings): DirectionFamily[] {
  return [settings.family, ...SWEEP_FAMILIES.filter((f) => f !== settings.family)];
}

export async function widthSweep(
  engine: Engine,
  settings: FigureSettings,
  options: RunOptions & { onPartial?: (partial: SweepResult) => void } = {},
): Promise<SweepResult> {
  const base = networkSpec(settings);
  if (!isLinearNetwork(base)) {
    throw new SpecError(
      'activation',
      settings.activation,
      'the width sweep needs a linear network (σ = identity): it measures the exact polynomial',
    );
  }
  if (blockTermCount(base) > MAX_POLYNOMIAL_TERMS) {
    throw new SpecError(
      'layers',
      settings.layers,
      `the per-block polynomial would have over ${MAX_POLYNOMIAL_TERMS} terms`,
    );
  }
  const widths = sweepWidths(settings, engine.info.kind);
  const families = sweepFamilies(settings);
  const seeds = Array.from({ length: SWEEP_NETWORKS }, (_, n) => (settings.seed + n) >>> 0);
  const B = base.blocks.length;
  const cB1Vanishes = base.blocks.every((b) => b.layers === 1);
  const float32 = engine.info.precision === 'float32';
  const R = settings.radius;
  const o = settings.outputIndex;
  const withWidth = (width: number, seed: number): NetworkSpec => ({
    ...base,
    seed,
    blocks: base.blocks.map((b) => ({ ...b, width })),
  });
  const widest = withWidth(widths[widths.length - 1], settings.seed);
  const floors = families.map(() => ({ size: 0, coefficients: 0 }));

  const points: SweepPoint[][] = families.map(() => []);
  const steps = widths.length * families.length * seeds.length;
  // Widths outer, families inner: every family's curve grows together as the partials arrive.
  for (const [i, width] of widths.entries()) {
    // Every family and network of this width in one go: one submission on the GPU engine.
    const perWidth = families.length * seeds.length;
    const answers = await runRequests(
      engine,
      families.flatMap((family) =>
        seeds.map((seed) => {
          const spec = withWidth(width, seed);
          const blocks = spec.blocks.map(() => true);
          const directions = { ...directionRequest(settings, blocks), family };
          return {
            kind: 'polynomial' as const,
            request: { spec, directions, grouping: 'per-block' as const },
          };
        }),
      ),
      {
        signal: options.signal,
        onProgress: (fraction, stage) => {
          const k = Math.min(perWidth - 1, Math.floor(fraction * perWidth + 1e-9));
          options.onProgress?.(
            (i * perWidth + fraction * perWidth) / steps,
            `${families[Math.floor(k / seeds.length)]}, m = ${width}, network ${(k % seeds.length) + 1}/${seeds.length}: ${stage}`,
          );
        },
      },
    );
    for (const f of families.keys()) {
      const size: number[] = [];
      const cB: number[] = [];
      const cB1: number[] = [];
      let largest = 0; // max_j |c_j| and max_j |c_j| R^j over the samples
      let largestTerm = 0;
      for (const n of seeds.keys()) {
        const answer = answers[f * seeds.length + n];
        if (answer.kind !== 'polynomial') throw new Error('width sweep: not a polynomial');
        const result = answer.result;
        const { layout } = result;
        for (const m of result.coefficients) {
          const p = m.data.subarray(o * layout.size, (o + 1) * layout.size);
          size.push(nonMultilinearPart(layout, p, R));
          const c = totalDegreeCoefficients(layout, p);
          // c_{B+1} is absent (total degree Σ L_b = B) exactly when cB1Vanishes: it is 0.
          cB.push(Math.abs(c[B] ?? 0));
          cB1.push(Math.abs(c[B + 1] ?? 0));
          c.forEach((cj, j) => {
            largest = Math.max(largest, Math.abs(cj));
            largestTerm = Math.max(largestTerm, Math.abs(cj) * R ** j);
          });
        }
      }
      points[f].push({
        width,
        median: median(size),
        cB: median(cB),
        cB1: median(cB1),
        perDirection: size,
        perDirectionCB: cB,
        perDirectionCB1: cB1,
      });
      if (float32) {
        floors[f] = {
          size: float32NoiseFloor(widest, largestTerm),
          coefficients: float32NoiseFloor(widest, largest),
        };
      }
      const last = i === widths.length - 1 && f === families.length - 1;
      if (options.onPartial && !last) options.onPartial(summarise(false));
    }
  }
  return summarise(true);

  /** The result so far; slopes once every width is in (NaN before). */
  function summarise(done: boolean): SweepResult {
    return {
      series: families.map((family, f) => {
        const sofar = points[f].slice();
        const fitted = (value: (p: SweepPoint) => number, floor: number) =>
          done ? fitSlope(sofar, value, floor) : Number.NaN;
        return {
          family,
          points: sofar,
          slope: fitted((p) => p.median, floors[f].size),
          slopeCB: fitted((p) => p.cB, floors[f].coefficients),
          slopeCB1: cB1Vanishes ? null : fitted((p) => p.cB1, floors[f].coefficients),
          noiseFloor: floors[f].size,
          coefficientNoiseFloor: floors[f].coefficients,
        };
      }),
      family: settings.family,
      widths,
      seeds,
      blocks: B,
      cB1Vanishes,
      fitFrom: FIT_FROM_WIDTH,
      theorem: THEOREM_SLOPES,
      precision: engine.info.precision,
    };
  }
}

/**
 * logLogSlope of a median against m over the widths from FIT_FROM_WIDTH (all of them when fewer
 * than three reach it) where the median is above the float32 noise floor (every positive one in
 * float64): round-off would flatten the fit. NaN with fewer than two such widths.
 */
function fitSlope(points: SweepPoint[], value: (p: SweepPoint) => number, floor: number): number {
  const wide = points.filter((p) => p.width >= FIT_FROM_WIDTH);
  const usable = (wide.length >= 3 ? wide : points).filter((p) => value(p) > floor);
  return logLogSlope(
    usable.map((p) => p.width),
    usable.map(value),
  );
}
