// What a request may cost before it is tried, and the GPU-vs-CPU agreement check.

import { CpuEngine } from '../engine/cpuEngine';
import type { Engine } from '../engine/types';
import { MAX_POLYNOMIAL_TERMS } from '../model/polynomial';
import { planLayers, SpecError } from '../model/spec';
import { GRID_POINTS, type PanelSpec } from './figure';
import type { FigureSettings } from './settings';

/**
 * The CPU engine regenerates every weight per use in float64 JavaScript on one thread, at roughly
 * 5·10⁷ multiply-adds (with their Philox draws) per second here. A figure is capped at 2·10⁹,
 * about 40 s; Figure 1 itself needs ~3·10⁶.
 */
export const CPU_MAX_MULTIPLY_ADDS = 2e9;
export const CPU_CAP_TEXT =
  'CPU engine: figures are capped at 2·10⁹ multiply-adds (≈40 s) — any width for blocks of ≤ 2 layers with narrow ends, about m ≤ 1000 for deeper blocks.';

/** Multiply-adds of one figure: every layer's product over every lane of every panel. */
export function figureMultiplyAdds(settings: FigureSettings, panels: PanelSpec[]): number {
  let total = 0;
  for (const panel of panels) {
    const layers = planLayers(panel.spec);
    const perDirection = panel.exact
      ? Math.min(
          MAX_POLYNOMIAL_TERMS,
          panel.blockMask.every(Boolean) && panel.spec.blocks.length > 1
            ? panel.spec.blocks.reduce((s, b) => s * (b.layers + 1), 1)
            : layers.length + 1,
        )
      : GRID_POINTS;
    const lanes = settings.directions * perDirection + 1;
    total += layers.reduce((s, l) => s + l.inSize * l.outSize, 0) * lanes;
    if (settings.family === 'gaussian')
      total +=
        layers.reduce((s, l) => s + l.inSize * l.outSize, 0) *
        settings.directions *
        (perDirection + 1);
  }
  return total;
}

export function checkCpuBudget(settings: FigureSettings, panels: PanelSpec[]): void {
  const work = figureMultiplyAdds(settings, panels);
  if (work > CPU_MAX_MULTIPLY_ADDS) {
    throw new SpecError(
      'widths',
      settings.widths,
      `this figure needs ${work.toExponential(1)} multiply-adds; without WebGPU the CPU engine is capped at ${CPU_MAX_MULTIPLY_ADDS.toExponential(0)} (≈40 s). Lower the widths of the deeper blocks or the number of directions.`,
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
