// Figure 1 and its generalisations: which panels a setting gives, and how each is computed.
// Linear networks are drawn from their exact polynomial (model.md §4); others from a grid of t.

import type { Engine, EngineInfo, RunOptions, StoreReport } from '../engine/types';
import type { DirectionRequest } from '../model/directions';
import {
  evaluatePolynomial,
  MAX_POLYNOMIAL_TERMS,
  type PolynomialLayout,
  totalDegreeCoefficients,
} from '../model/polynomial';
import { isLinearNetwork, type NetworkSpec } from '../model/spec';
import { type DegreeRow, degreeTable, fittedDegreeRow } from './degrees';
import { type FigureSettings, networkSpec } from './settings';
import {
  blockTermCount,
  deviationFromFit,
  float32NoiseFloor,
  leastSquaresPolynomial,
  maxAbsOnInterval,
  multilinearModel,
  nonMultilinearPart,
  span,
} from './theorem';

/** Samples per curve drawn from an exact polynomial (the plot re-evaluates it when it zooms). */
export const CURVE_SAMPLES = 241;
/** t values per curve for non-polynomial networks (each is one lane of the GPU pass). */
export const GRID_POINTS = 121;

export interface PanelSpec {
  id: string;
  /** e.g. "(b) identity, all weights". */
  title: string;
  spec: NetworkSpec;
  blockMask: boolean[];
  /** Exact polynomial (σ = identity everywhere) or a grid of t. */
  exact: boolean;
}

export interface Curve {
  direction: number;
  ts: Float64Array;
  values: Float64Array;
}

export interface PanelResult {
  panel: PanelSpec;
  engine: EngineInfo;
  /** Whether the weights came from the engine's store or were generated, and its size. */
  store: StoreReport;
  curves: Curve[];
  /** Exact panels: c_0 … c_L of t ↦ g(W + tΔ; x) per direction; null on a grid. */
  coefficients: number[][] | null;
  /**
   * All-weights exact panels: per direction, the size of the part of p(t_1 … t_B) that is not
   * multilinear, Σ |p_α| R^{|α|} over those terms on the cube |t_b| ≤ R — an absolute size in g's
   * units, which Theorem 2 bounds by O(1/√m) (theorem.ts nonMultilinearPart). Null where not
   * computed.
   */
  nonMultilinear: number[] | null;
  /** The per-block polynomial behind `nonMultilinear` (direction 0), for the surface view. */
  blockPolynomial: { layout: PolynomialLayout; coefficients: number[][] } | null;
  /** Coefficients below this (absolute) are float32 round-off, not signal. 0 for float64. */
  noiseFloor: number;
  /** The model drawn dashed over g on all-weights panels (Theorem 2), or null on other panels. */
  model: PanelModel | null;
  /** g minus its least-squares polynomial of the predicted degree: the deviation view. */
  deviation: PanelDeviation;
  /** All-weights panels of linear networks: the degree of g for every set of blocks. */
  degreeTable: DegreeRow[] | null;
  ms: number;
}

export interface PanelModel {
  /**
   * `multilinear`: the multilinear part of p(t_1 … t_B) along t_b = t (exact; eq. 18 for B = 2).
   * `fit`: the least-squares polynomial of degree B through g (non-linear networks, or a linear
   * one whose per-block polynomial has too many terms).
   */
  kind: 'multilinear' | 'fit';
  degree: number;
  /** Per direction, coefficients of t^0 … t^degree. */
  coefficients: Float64Array[];
  /** Per direction, max over |t| ≤ R of |g − q| (exact panels: of the polynomial g − q). */
  gap: number[];
}

export interface PanelDeviation {
  /** The predicted degree: the number of perturbed blocks. */
  degree: number;
  /** Per direction, g − fit at the curve's t (exact panels: also as coefficients, below). */
  curves: Curve[];
  /** Exact panels: per direction, the coefficients of g − fit (a polynomial); else null. */
  coefficients: Float64Array[] | null;
  /** Per direction, max |g − fit| over the span of g (max − min over |t| ≤ R). */
  relative: number[];
}

const ACT_LABEL = { identity: 'identity', tanh: 'tanh', relu: 'ReLU' } as const;

function maskLabel(mask: boolean[]): string {
  const on = mask.flatMap((m, b) => (m ? [b + 1] : []));
  if (on.length === mask.length) return 'all weights';
  return `W_${on.join(', W_')} only`;
}

function networkLabel(spec: NetworkSpec): string {
  if (isLinearNetwork(spec)) return 'identity';
  const where = {
    none: '',
    all: '',
    'inside-blocks': ' inside blocks',
    'first-block': ' in block 1',
  }[spec.placement];
  return `${ACT_LABEL[spec.activation]}${where}`;
}

/** The panels of a figure: optional σ contrast (Figure 1a), all weights, then one per block. */
export function planPanels(settings: FigureSettings): PanelSpec[] {
  const spec = networkSpec(settings);
  const B = settings.blocks;
  const panels: Omit<PanelSpec, 'title'>[] = [];
  const all = Array(B).fill(true);
  if (settings.contrast !== 'none' && isLinearNetwork(spec)) {
    const contrast = { ...spec, activation: settings.contrast, placement: 'all' as const };
    panels.push({ id: 'contrast', spec: contrast, blockMask: all, exact: false });
  }
  panels.push({ id: 'all', spec, blockMask: all, exact: isLinearNetwork(spec) });
  if (B > 1) {
    for (let b = 0; b < B; b++) {
      const mask = all.map((_, i) => i === b);
      panels.push({ id: `block-${b + 1}`, spec, blockMask: mask, exact: isLinearNetwork(spec) });
    }
  }
  return panels.map((p, i) => ({
    ...p,
    title: `(${String.fromCharCode(97 + i)}) ${networkLabel(p.spec)}, ${maskLabel(p.blockMask)}`,
  }));
}

export function linspace(from: number, to: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

/** The directions a figure's settings ask for, on the blocks of `blockMask`. */
export function directionRequest(settings: FigureSettings, blockMask: boolean[]): DirectionRequest {
  return {
    family: settings.family,
    normalisation: settings.normalisation,
    blockMask,
    count: settings.directions,
    seed: settings.directionSeed,
    outputIndex: settings.outputIndex,
  };
}

/**
 * The grouping an exact panel is computed with: one variable per block for the all-weights panel
 * while p(t_1 … t_B) has at most MAX_POLYNOMIAL_TERMS terms (its total-degree sums are the curve's
 * coefficients; the model q, the non-multilinear part and the degree table come from it), t alone
 * otherwise.
 */
export function panelGrouping(panel: PanelSpec): 'per-block' | 'single' {
  const all = panel.blockMask.every(Boolean);
  return all && blockTermCount(panel.spec) <= MAX_POLYNOMIAL_TERMS ? 'per-block' : 'single';
}

/** Theorem 2's degree for a panel: the number of blocks it perturbs. */
export function predictedDegree(panel: PanelSpec): number {
  return panel.blockMask.filter(Boolean).length;
}

function deviationOf(
  curves: Curve[],
  degree: number,
  coefficients: number[][] | null,
  R: number,
): PanelDeviation {
  if (!coefficients) {
    const devs = curves.map((c) => ({ ...c, values: deviationFromFit(c.ts, c.values, degree) }));
    return {
      degree,
      curves: devs,
      coefficients: null,
      relative: devs.map((d, i) => relativeTo(maxAbs(d.values), span(curves[i].values))),
    };
  }
  // Exact: the fit is through the sampled curve; g − fit is a polynomial, evaluated anywhere.
  const diff = coefficients.map((c, d) => {
    const fit = leastSquaresPolynomial(curves[d].ts, curves[d].values, degree);
    return Float64Array.from(c, (v, j) => v - (fit[j] ?? 0));
  });
  return {
    degree,
    curves: curves.map((c, d) => ({
      ...c,
      values: c.ts.map((t) => evaluatePolynomial(diff[d], t)),
    })),
    coefficients: diff,
    relative: diff.map((c, d) => relativeTo(maxAbsOnInterval(c, R), span(curves[d].values))),
  };
}

const maxAbs = (values: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
};
const relativeTo = (value: number, scale: number) => (scale > 0 ? value / scale : 0);

/** A least-squares polynomial of the theorem's degree through each curve, with its gap to g. */
function fittedModel(curves: Curve[], degree: number): PanelModel {
  const coefficients = curves.map((c) => leastSquaresPolynomial(c.ts, c.values, degree));
  return {
    kind: 'fit',
    degree,
    coefficients,
    gap: curves.map((c, d) =>
      maxAbs(
        Float64Array.from(c.values, (v, i) => v - evaluatePolynomial(coefficients[d], c.ts[i])),
      ),
    ),
  };
}

export async function computePanel(
  engine: Engine,
  settings: FigureSettings,
  panel: PanelSpec,
  options: RunOptions = {},
): Promise<PanelResult> {
  const start = performance.now();
  const R = settings.radius;
  const o = settings.outputIndex;
  const directions = directionRequest(settings, panel.blockMask);
  const float32 = engine.info.precision === 'float32';
  if (!panel.exact) {
    const ts = Array.from(linspace(-R, R, GRID_POINTS));
    const result = await engine.grid({ spec: panel.spec, directions, ts }, options);
    const curves = result.values.map((m, d) => ({
      direction: d,
      ts: Float64Array.from(ts),
      values: m.data.slice(o * ts.length, (o + 1) * ts.length),
    }));
    const scale = Math.max(...curves.flatMap((c) => Array.from(c.values, Math.abs)));
    const degree = predictedDegree(panel);
    return {
      panel,
      engine: result.engine,
      store: result.store,
      curves,
      coefficients: null,
      nonMultilinear: null,
      blockPolynomial: null,
      noiseFloor: float32 ? float32NoiseFloor(panel.spec, scale) : 0,
      model: panel.blockMask.every(Boolean) ? fittedModel(curves, degree) : null,
      deviation: deviationOf(curves, degree, null, R),
      degreeTable: null,
      ms: performance.now() - start,
    };
  }
  // Exact: see panelGrouping.
  const grouping = panelGrouping(panel);
  const perBlock = grouping === 'per-block';
  const result = await engine.polynomial({ spec: panel.spec, directions, grouping }, options);
  const { layout } = result;
  const rows = result.coefficients.map((m) =>
    Array.from(m.data.subarray(o * layout.size, (o + 1) * layout.size)),
  );
  const coefficients = rows.map((p) => Array.from(totalDegreeCoefficients(layout, p)));
  const ts = linspace(-R, R, CURVE_SAMPLES);
  const curves = coefficients.map((c, d) => ({
    direction: d,
    ts,
    values: ts.map((t) => evaluatePolynomial(c, t)),
  }));
  const scale = Math.max(...coefficients.flatMap((c) => c.map(Math.abs)));
  const noiseFloor = float32 ? float32NoiseFloor(panel.spec, scale) : 0;
  const nonMultilinear = perBlock ? rows.map((p) => nonMultilinearPart(layout, p, R)) : null;
  const degree = predictedDegree(panel);
  let model: PanelModel | null = null;
  if (perBlock) {
    const q = rows.map((p) => multilinearModel(layout, p));
    model = {
      kind: 'multilinear',
      degree,
      coefficients: q,
      gap: coefficients.map((c, d) =>
        maxAbsOnInterval(
          c.map((v, j) => v - (q[d][j] ?? 0)),
          R,
        ),
      ),
    };
  } else if (panel.blockMask.every(Boolean)) {
    model = fittedModel(curves, degree);
  }
  return {
    panel,
    engine: result.engine,
    store: result.store,
    curves,
    coefficients,
    nonMultilinear,
    blockPolynomial: perBlock ? { layout, coefficients: rows } : null,
    noiseFloor,
    model,
    deviation: deviationOf(curves, degree, coefficients, R),
    degreeTable: perBlock ? degreeTable(panel.spec, layout, rows, noiseFloor, R) : null,
    ms: performance.now() - start,
  };
}

/**
 * The degree table of a figure: the all-weights panel's rows for a linear network (every set of
 * blocks, from its per-block polynomial; null when p has too many terms), or, for σ ≠ identity,
 * one fit row per grid panel of the main network (all weights, then each block alone; the σ
 * contrast panel is another network and is left out). Null until those panels are in.
 */
export function figureDegreeTable(
  results: readonly (PanelResult | null)[],
): { source: 'exact' | 'fit'; rows: DegreeRow[] } | null {
  const main = results.filter((r): r is PanelResult => r !== null && r.panel.id !== 'contrast');
  const all = main.find((r) => r.panel.id === 'all');
  if (!all) return null;
  if (all.panel.exact) return all.degreeTable ? { source: 'exact', rows: all.degreeTable } : null;
  const rows = main.map((r) =>
    fittedDegreeRow({
      spec: r.panel.spec,
      blockMask: r.panel.blockMask,
      curves: r.curves,
      deviations: r.deviation.curves,
    }),
  );
  return { source: 'fit', rows: rows.sort((a, b) => a.blocks.length - b.blocks.length) };
}
