// The CPU cost estimate against a direct count of the multiply-adds a figure really performs.
import { describe, expect, it, vi } from 'vitest';
import { runGrid, runPolynomial } from '../src/engine/requests';
import type { Engine, LaneRunner } from '../src/engine/types';
import { computePanel, planPanels } from '../src/experiments/figure';
import {
  CPU_MAX_MULTIPLY_ADDS,
  checkCpuBudget,
  figureMultiplyAdds,
  panelMultiplyAdds,
} from '../src/experiments/limits';
import { FIGURE1, type FigureSettings } from '../src/experiments/settings';
import { cpuDirectionOps } from '../src/model/directions';
import { propagateLanes } from '../src/model/polynomial';
import { planLayers } from '../src/model/spec';

// Instrumentation: every dense product (G X, Gᵀ X) and Frobenius norm the float64 reference
// model performs, counted as the multiply-adds it does, in the bucket of the stage running it.
const counter = vi.hoisted(() => ({ setup: 0, pass: 0, bucket: 'setup' as 'setup' | 'pass' }));

vi.mock('../src/model/network', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/model/network')>();
  return {
    ...original,
    generatedMatMul: (...args: Parameters<typeof original.generatedMatMul>) => {
      const [, , , rows, cols, x] = args;
      counter[counter.bucket] += rows * cols * x.cols;
      return original.generatedMatMul(...args);
    },
    generatedNormSquared: (...args: Parameters<typeof original.generatedNormSquared>) => {
      const [, , , rows, cols] = args;
      counter[counter.bucket] += rows * cols;
      return original.generatedNormSquared(...args);
    },
  };
});

/**
 * The float64 reference behind the shared request logic (requests.ts): set-up through
 * cpuDirectionOps, then the lane pass of model/polynomial.ts, one direction at a time. Dense
 * products are counted by the instrumentation above; the rank-one terms, which never reach it,
 * as addDirectionTerm does them: (in + out) per lane.
 */
const info = { kind: 'cpu', adapter: 'reference (counting)', precision: 'float64' } as const;
const countingRunner: LaneRunner = {
  async propagate(spec, directions, plan, x) {
    counter.bucket = 'pass';
    const outputs = directions.map((direction) => {
      for (const layer of planLayers(spec)) {
        const piece = direction.layers[layer.index];
        if (plan.coupling(layer) && piece.kind === 'rankOne' && piece.scale !== 0)
          counter.pass += (layer.inSize + layer.outSize) * plan.lanes;
      }
      return propagateLanes(spec, direction, plan, x);
    });
    const store = {
      path: 'generated' as const,
      storedMatrices: 0,
      generatedMatrices: 0,
      bytes: 0,
      budgetBytes: 0,
    };
    return { outputs, store };
  },
};
const counting: Engine = {
  info,
  peakBytes: 0,
  destroy: () => undefined,
  polynomial: (req, options) => {
    counter.bucket = 'setup';
    return runPolynomial(info, cpuDirectionOps, countingRunner, req, options);
  },
  grid: (req, options) => {
    counter.bucket = 'setup';
    return runGrid(info, cpuDirectionOps, countingRunner, req, options);
  },
};

/** Draws every panel of a figure as computePanel asks for it, counting what is done. */
async function directCount(settings: FigureSettings) {
  counter.setup = 0;
  counter.pass = 0;
  const panels = planPanels(settings);
  for (const panel of panels) await computePanel(counting, settings, panel);
  return { panels, setup: counter.setup, pass: counter.pass, total: counter.setup + counter.pass };
}

const deep: FigureSettings = {
  ...FIGURE1,
  blocks: 6,
  layers: [4, 4, 4, 4, 4, 4],
  widths: [100, 100, 100, 100, 100, 100],
  bottlenecks: [1, 1, 1, 1, 1],
};

describe('CPU cost estimate', () => {
  it('B = 6, L_b = 4, m = 100: within 1.5× of the multiply-adds the figure performs', async () => {
    const counted = await directCount(deep);
    const estimate = figureMultiplyAdds(deep, counted.panels);
    // About 1.1·10⁸ (the old estimate said 2.6·10⁹ and refused it).
    expect(counted.total).toBeGreaterThan(0.9e8);
    expect(counted.total).toBeLessThan(1.3e8);
    expect(estimate / counted.total).toBeGreaterThan(1 / 1.5);
    expect(estimate / counted.total).toBeLessThan(1.5);
    // The dense products are most of it, and the estimate's set-up term is exact.
    const parts = counted.panels.map((p) => panelMultiplyAdds(deep, p));
    expect(parts.reduce((s, p) => s + p.setup, 0)).toBe(counted.setup);
    expect(() => checkCpuBudget(deep, counted.panels)).not.toThrow();
  });

  it('Figure 1: the estimate matches the count (≈5·10⁷, rank-one terms included)', async () => {
    const counted = await directCount(FIGURE1);
    const estimate = figureMultiplyAdds(FIGURE1, counted.panels);
    expect(counted.total).toBeGreaterThan(4e7);
    expect(counted.total).toBeLessThan(6e7);
    expect(Math.abs(estimate / counted.total - 1)).toBeLessThan(0.1);
    expect(estimate).toBeLessThan(CPU_MAX_MULTIPLY_ADDS / 100);
  });

  it('Gaussian and gradient directions: dense Δ products and backward traces are counted', async () => {
    for (const family of ['gaussian', 'gradient'] as const) {
      const settings: FigureSettings = {
        ...deep,
        blocks: 3,
        layers: [3, 3, 3],
        widths: [60, 60, 60],
        bottlenecks: [2, 2],
        family,
        directions: 3,
      };
      const counted = await directCount(settings);
      const estimate = figureMultiplyAdds(settings, counted.panels);
      expect(estimate / counted.total).toBeGreaterThan(1 / 1.5);
      expect(estimate / counted.total).toBeLessThan(1.5);
      const setup = counted.panels.reduce((s, p) => s + panelMultiplyAdds(settings, p).setup, 0);
      expect(setup).toBe(counted.setup);
    }
  });

  it('refuses what is far over the cap, naming the widths', () => {
    const huge: FigureSettings = { ...deep, blocks: 2, layers: [8, 8], widths: [65536, 65536] };
    huge.bottlenecks = [1];
    const panels = planPanels(huge);
    expect(figureMultiplyAdds(huge, panels)).toBeGreaterThan(CPU_MAX_MULTIPLY_ADDS);
    expect(() => checkCpuBudget(huge, panels)).toThrow(/widths/);
  });
});
