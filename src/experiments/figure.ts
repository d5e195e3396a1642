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
import { type FigureSettings, networkSpec } from './settings';
import { blockTermCount, float32NoiseFloor, nonMultilinearPart } from './theorem';

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
   * All-weights exact panels with B ≥ 2: per direction, the size of the part of p(t_1 … t_B) that
   * is not multilinear (Theorem 2 says it vanishes as m grows), relative to the whole non-constant
   * part, on the unit cube |t_b| ≤ R. Null where not computed.
   */
  nonMultilinear: number[] | null;
  /** The per-block polynomial behind `nonMultilinear` (direction 0), for the surface view. */
  blockPolynomial: { layout: PolynomialLayout; coefficients: number[][] } | null;
  /** Coefficients below this (absolute) are float32 round-off, not signal. 0 for float64. */
  noiseFloor: number;
  ms: number;
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
    return {
      panel,
      engine: result.engine,
      store: result.store,
      curves,
      coefficients: null,
      nonMultilinear: null,
      blockPolynomial: null,
      noiseFloor: float32 ? float32NoiseFloor(panel.spec, scale) : 0,
      ms: performance.now() - start,
    };
  }
  // Exact: the all-weights panel of a multi-block network asks for the per-block polynomial
  // p(t_1 … t_B) (its total-degree sums are the curve's coefficients); others for t alone.
  const perBlock =
    panel.blockMask.every(Boolean) &&
    panel.spec.blocks.length > 1 &&
    blockTermCount(panel.spec) <= MAX_POLYNOMIAL_TERMS;
  const result = await engine.polynomial(
    { spec: panel.spec, directions, grouping: perBlock ? 'per-block' : 'single' },
    options,
  );
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
  const nonMultilinear = perBlock ? rows.map((p) => nonMultilinearPart(layout, p, R)) : null;
  return {
    panel,
    engine: result.engine,
    store: result.store,
    curves,
    coefficients,
    nonMultilinear,
    blockPolynomial: perBlock ? { layout, coefficients: rows } : null,
    noiseFloor: float32 ? float32NoiseFloor(panel.spec, scale) : 0,
    ms: performance.now() - start,
  };
}
