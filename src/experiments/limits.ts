// What a request may cost before it is tried, and the GPU-vs-CPU agreement check.

import { CpuEngine } from '../engine/cpuEngine';
import type { Engine } from '../engine/types';
import {
  gridLanes,
  type LanePlan,
  MAX_POLYNOMIAL_TERMS,
  polynomialLanes,
  polynomialLayout,
  type VariableGrouping,
} from '../model/polynomial';
import { isLinearNetwork, type LayerPlan, planLayers, SpecError } from '../model/spec';
import { degreeSweepPanels } from './degreeSweep';
import { GRID_POINTS, type PanelSpec, panelGrouping } from './figure';
import { type FigureSettings, networkSpec } from './settings';
import { SWEEP_NETWORKS, sweepFamilies, sweepWidths } from './sweep';
import { blockTermCount } from './theorem';

/**
 * The CPU engine's budget per figure, in multiply-adds as `figureMultiplyAdds` counts them (every
 * lane, so an upper bound: the engine skips lanes that are still zero). Measured on a 2-core
 * machine (bench/README.md): about 2·10⁹ multiply-adds per second per core in WebAssembly SIMD
 * with stored weights, plus ≈28 ns per weight generated once. 2·10¹⁰ is then ≈5 s on two cores,
 * ≈10 s on one. Figure 1 needs ≈5·10⁷; B = 6 blocks of L_b = 4 layers at m = 100 about 1.1·10⁸.
 */
export const CPU_MAX_MULTIPLY_ADDS = 2e10;
export const CPU_CAP_TEXT =
  'CPU engine: figures are capped at 2·10¹⁰ multiply-adds — about 2·10⁹ per second per core (WebAssembly SIMD, weights stored once), so ≈5 s on two cores: any width for blocks of ≤ 2 layers with narrow ends, about m ≤ 2500 for blocks of 4 layers (m ≤ 5000 without the σ panel).';

/**
 * The lane plan `computePanel` runs for a panel: the same layout/grouping, or the same grid.
 * `grouping` overrides the panel's own (the block-structure analysis runs one t per layer).
 */
export function panelLanePlan(panel: PanelSpec, grouping?: VariableGrouping): LanePlan {
  if (!panel.exact) return gridLanes(new Float64Array(GRID_POINTS).fill(1));
  const layout = polynomialLayout(panel.spec, panel.blockMask, grouping ?? panelGrouping(panel));
  return polynomialLanes(panel.spec, layout);
}

/** Multiply-adds of one panel, split into the direction set-up and the lane pass. */
export interface PanelWork {
  /** Forward (and, for gradient directions, backward) traces; Gaussian directions' norms. */
  setup: number;
  /** W^(ℓ) over every lane of every direction. */
  weights: number;
  /** Δ^(ℓ) over the coupled lanes of the perturbed layers (dense for Gaussian, rank one else). */
  directions: number;
  total: number;
}

/**
 * What one panel costs, counted from the lane plan the pass runs (model/polynomial.ts): per
 * direction, every layer multiplies all lanes by W^(ℓ) (in·out each), and a perturbed layer adds
 * Δ^(ℓ) on the lanes its coupling reads (in·out for a dense Gaussian Δ, in + out for rank one).
 */
export function panelMultiplyAdds(
  settings: FigureSettings,
  panel: PanelSpec,
  grouping?: VariableGrouping,
): PanelWork {
  const layers = planLayers(panel.spec);
  const plan = panelLanePlan(panel, grouping);
  const count = settings.directions;
  const family = settings.family;
  const perturbed = (layer: LayerPlan) => panel.blockMask[layer.block];
  let weights = 0;
  let directions = 0;
  let setup = 0;
  for (const layer of layers) {
    const area = layer.inSize * layer.outSize;
    weights += area * plan.lanes * count;
    // Set-up (model/directions.ts buildDirections): aligned, tilted, chained and gradient
    // directions read a forward trace (one input, or one per direction for gradient); gradient
    // also a backward one (layers 1 … L−1); Gaussian directions need ‖G‖_F of every perturbed
    // layer per direction. Chained Δ is rank one like aligned (its ξ rows cost O(out), not
    // counted).
    if (family === 'gradient') setup += area * count * (layer.index > 0 ? 2 : 1);
    else if (family !== 'gaussian') setup += area;
    else if (perturbed(layer)) setup += area * count;
    const coupling = plan.coupling(layer);
    if (!coupling || !perturbed(layer)) continue;
    let coupled = 0;
    for (const source of coupling.source) if (source >= 0) coupled++;
    const piece = family === 'gaussian' ? area : layer.inSize + layer.outSize;
    directions += piece * coupled * count;
  }
  return { setup, weights, directions, total: setup + weights + directions };
}

/** Multiply-adds of one figure: the sum over its panels (see `panelMultiplyAdds`). */
export function figureMultiplyAdds(settings: FigureSettings, panels: PanelSpec[]): number {
  return panels.reduce((s, panel) => s + panelMultiplyAdds(settings, panel).total, 0);
}

/**
 * Multiply-adds of the width sweep (sweep.ts `widthSweep`): one exact per-block polynomial, all
 * blocks perturbed, per width × family × network, each counted as a panel. Null when the sweep
 * would refuse these settings (σ ≠ identity) before computing.
 */
export function sweepMultiplyAdds(
  settings: FigureSettings,
  engineKind: 'webgpu' | 'cpu',
): number | null {
  const base = networkSpec(settings);
  if (!isLinearNetwork(base)) return null;
  const blockMask = base.blocks.map(() => true);
  let total = 0;
  for (const width of sweepWidths(settings, engineKind)) {
    const spec = { ...base, blocks: base.blocks.map((b) => ({ ...b, width })) };
    const panel: PanelSpec = { id: 'sweep', title: '', spec, blockMask, exact: true };
    for (const family of sweepFamilies(settings))
      total += panelMultiplyAdds({ ...settings, family }, panel, 'per-block').total;
  }
  return total * SWEEP_NETWORKS;
}

/**
 * Multiply-adds of the degree verdict's width sweep (degreeSweep.ts): at each width the panels it
 * computes — the all-weights one of a linear network (per-block polynomial), or the all-weights and
 * each block's grid panel for σ ≠ identity — with the grid multiply-adds among them, and the
 * requests. Null when it would refuse these settings (a polynomial with too many terms).
 */
export function degreeSweepWork(
  settings: FigureSettings,
  engineKind: 'webgpu' | 'cpu',
): { multiplyAdds: number; grid: number; requests: number } | null {
  const base = networkSpec(settings);
  const linear = isLinearNetwork(base);
  if (linear && blockTermCount(base) > MAX_POLYNOMIAL_TERMS) return null;
  let multiplyAdds = 0;
  let requests = 0;
  for (const width of sweepWidths(settings, engineKind)) {
    const at = { ...settings, widths: settings.widths.map(() => width) };
    for (const panel of degreeSweepPanels(at)) {
      multiplyAdds += panelMultiplyAdds(at, panel).total;
      requests++;
    }
  }
  return { multiplyAdds, grid: linear ? 0 : multiplyAdds, requests };
}

/**
 * Multiply-adds of the block-structure analysis (blockStructure.ts): one exact polynomial with
 * one t per layer, all blocks perturbed. Null when it would refuse these settings.
 */
export function blockStructureMultiplyAdds(settings: FigureSettings): number | null {
  const spec = networkSpec(settings);
  if (!isLinearNetwork(spec)) return null;
  const blockMask = spec.blocks.map(() => true);
  const panel: PanelSpec = { id: 'blocks', title: '', spec, blockMask, exact: true };
  return panelMultiplyAdds(settings, panel, 'per-layer').total;
}

export function checkCpuBudget(settings: FigureSettings, panels: PanelSpec[]): void {
  const work = figureMultiplyAdds(settings, panels);
  if (work > CPU_MAX_MULTIPLY_ADDS) {
    throw new SpecError(
      'widths',
      settings.widths,
      `this figure needs ${work.toExponential(1)} multiply-adds; without WebGPU the CPU engine is capped at ${CPU_MAX_MULTIPLY_ADDS.toExponential(0)}. Lower the widths of the deeper blocks or the number of directions.`,
    );
  }
}

/**
 * Runs one small linear spec on both engines and returns the worst coefficient error relative to
 * the largest coefficient (float32 GPU vs float64 CPU).
 */
export async function agreementCheck(gpu: Engine, cpu: Engine = new CpuEngine()) {
  const spec = {
    blocks: [
      { layers: 2, width: 256 },
      { layers: 2, width: 256 },
    ],
    inputSize: 2,
    bottleneckWidths: [1],
    outputSize: 1,
    activation: 'identity' as const,
    placement: 'none' as const,
    seed: 1,
  };
  const req = {
    spec,
    directions: {
      family: 'aligned' as const,
      normalisation: 'per-layer' as const,
      blockMask: [true, true],
      count: 3,
      seed: 2,
      outputIndex: 0,
    },
    grouping: 'per-block' as const,
  };
  const start = performance.now();
  const [g, c] = await Promise.all([gpu.polynomial(req), cpu.polynomial(req)]);
  let err = 0;
  let scale = 0;
  c.coefficients.forEach((m, d) => {
    m.data.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs(g.coefficients[d].data[i] - v));
    });
  });
  return {
    maxRelativeError: err / scale,
    spec: 'B=2, L_b=2, m=256, d=2, 3 aligned directions',
    ms: performance.now() - start,
  };
}
