// The figure maths against closed forms: fits, deviations, degrees, the model q, the degree table.
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { blockSubsets, degreeTable } from '../src/experiments/degrees';
import { computePanel, planPanels } from '../src/experiments/figure';
import { FIGURE1, PRESETS, withBlocks } from '../src/experiments/settings';
import {
  deviationFromFit,
  leastSquaresPolynomial,
  logLogSlope,
  maxAbsOnInterval,
  measuredDegree,
  median,
  multilinearModel,
  nonMultilinearPart,
  restrictToVariables,
  span,
  variableDegrees,
} from '../src/experiments/theorem';
import { evaluatePolynomial, polynomialLayout } from '../src/model/polynomial';
import type { NetworkSpec } from '../src/model/spec';

const grid = (R: number, n: number) =>
  Array.from({ length: n }, (_, i) => -R + (2 * R * i) / (n - 1));

/** A spec with B blocks of the given depths (only its block structure matters here). */
const specOf = (layers: number[]): NetworkSpec => ({
  blocks: layers.map((l) => ({ layers: l, width: 16 })),
  inputSize: 1,
  bottleneckWidths: layers.slice(1).map(() => 1),
  outputSize: 1,
  activation: 'identity',
  placement: 'none',
  seed: 1,
});

describe('least-squares polynomials', () => {
  it('recovers a known polynomial exactly, at every degree up to 6, on a wide interval', () => {
    const ts = grid(3, 121);
    for (let degree = 0; degree <= 6; degree++) {
      const c = Array.from({ length: degree + 1 }, (_, j) => (j % 2 ? -1 : 1) * (j + 1) * 0.7 ** j);
      const fit = leastSquaresPolynomial(
        ts,
        ts.map((t) => evaluatePolynomial(c, t)),
        degree,
      );
      for (let j = 0; j <= degree; j++) expect(fit[j]).toBeCloseTo(c[j], 9);
    }
  });

  it('the best line through t² on [−1, 1] (continuous limit: 1/3) and its deviation t² − 1/3', () => {
    const ts = grid(1, 2001);
    const fit = leastSquaresPolynomial(
      ts,
      ts.map((t) => t * t),
      1,
    );
    expect(fit[1]).toBeCloseTo(0, 12);
    // Discrete mean of t² over the grid: (n+1)/(3(n−1)) for n points.
    expect(fit[0]).toBeCloseTo(2002 / (3 * 2000), 12);
    const dev = deviationFromFit(
      ts,
      ts.map((t) => t * t),
      1,
    );
    expect(Math.max(...dev)).toBeCloseTo(1 - fit[0], 12);
    expect(Math.min(...dev)).toBeCloseTo(-fit[0], 12);
  });

  it('a deviation from a polynomial of its own degree is round-off; one degree less is not', () => {
    const ts = grid(2, 241);
    const cubic = ts.map((t) => 0.5 - t + 0.25 * t ** 3);
    expect(Math.max(...deviationFromFit(ts, cubic, 3).map(Math.abs))).toBeLessThan(1e-13);
    // The cubic's best quadratic leaves 0.25·(t³ − projection onto 1, t): clearly non-zero.
    expect(Math.max(...deviationFromFit(ts, cubic, 2).map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('asks for more coefficients than points: lowers the degree, still interpolates', () => {
    const fit = leastSquaresPolynomial([0, 1], [1, 3], 4);
    expect(Array.from(fit)).toEqual([1, 2, 0, 0, 0].map((v, j) => (j < 2 ? fit[j] : v)));
    expect(fit[0]).toBeCloseTo(1, 12);
    expect(fit[1]).toBeCloseTo(2, 12);
  });
});

describe('degrees', () => {
  it('measured degree: the largest j above the noise floor and 1e-3 of the largest c_j (j ≥ 1)', () => {
    expect(measuredDegree([5, 1, 0.5, 2e-4], 0)).toBe(2);
    expect(measuredDegree([5, 1, 0.5, 2e-3], 0)).toBe(3);
    expect(measuredDegree([5, 1, 0.5, 2e-3], 5e-3)).toBe(2);
    // The constant does not set the scale: a huge g(W) does not hide a small but real c_2.
    expect(measuredDegree([1e6, 1, 0.01], 0)).toBe(2);
    expect(measuredDegree([3, 0, 0], 0)).toBe(0);
  });

  it('per-block degrees and the multilinear model of p(t1, t2) = 1 + t1 + 2 t2 + 3 t1 t2 + ε t1²', () => {
    const layout = polynomialLayout(specOf([2, 2]), [true, true], 'per-block');
    // Index = α1 + 3 α2.
    const p = new Float64Array(9);
    p[0] = 1;
    p[1] = 1;
    p[3] = 2;
    p[4] = 3;
    p[2] = 1e-5; // t1²: non-multilinear, below 1e-3 of the largest
    expect(variableDegrees(layout, p, 0)).toEqual([1, 1]);
    p[2] = 0.1;
    expect(variableDegrees(layout, p, 0)).toEqual([2, 1]);
    expect(Array.from(multilinearModel(layout, p))).toEqual([1, 3, 3]);
    // Non-multilinear part: 0.1 t1², sized on |t| ≤ R = 2 (absolute, in g's units).
    expect(nonMultilinearPart(layout, p, 2)).toBeCloseTo(0.4, 14);
    // Setting t2 = 0 keeps 1 + t1 + 0.1 t1².
    const only1 = restrictToVariables(layout, p, [0]);
    expect(Array.from(only1).filter((v) => v !== 0)).toEqual([1, 1, 0.1]);
  });

  it('the degree table of a known polynomial: one row per non-empty subset, sorted by size', () => {
    expect(blockSubsets(3)).toEqual([[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]);
    expect(blockSubsets(6)).toHaveLength(63);
    const spec = specOf([1, 3]);
    const layout = polynomialLayout(spec, [true, true], 'per-block');
    // Index = α1 + 2 α2 (degrees [1, 3]): p = 2 + t1 + t2 + t1 t2 + 0.5 t2³.
    const p = new Float64Array(8);
    p[0] = 2;
    p[1] = 1;
    p[2] = 1;
    p[3] = 1;
    p[6] = 0.5;
    const rows = degreeTable(spec, layout, [p], 0, 1);
    expect(rows.map((r) => r.blocks)).toEqual([[1], [2], [1, 2]]);
    expect(rows.map((r) => r.predicted)).toEqual([1, 1, 2]);
    expect(rows.map((r) => r.degree)).toEqual([1, 3, 3]);
    expect(rows[2].blockDegrees).toEqual([1, 3]);
    expect(rows[1].layers).toEqual([3]);
    expect(rows[1].nonMultilinear).toBeCloseTo(0.5, 14);
  });
});

describe('small helpers', () => {
  it('median, span, log–log slope, max |p| on an interval', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBe(0);
    expect(span([2, -1, 5])).toBe(6);
    const ms = [64, 128, 256, 512];
    expect(
      logLogSlope(
        ms,
        ms.map((m) => 3 / Math.sqrt(m)),
      ),
    ).toBeCloseTo(-0.5, 12);
    expect(logLogSlope([1, 2], [0, 0])).toBeNaN();
    expect(maxAbsOnInterval([0, 0, -1], 2)).toBe(4);
  });
});

describe('panels (float64 CPU engine)', () => {
  const cpu = new CpuEngine();

  it('Figure 1: q is drawn on the all-weights panel and within 1e-3 of the span; single blocks are lines', async () => {
    const settings = { ...FIGURE1, contrast: 'none' as const };
    const [all, w1] = planPanels(settings);
    const a = await computePanel(cpu, settings, all);
    expect(a.model?.kind).toBe('multilinear');
    const gap = median(a.model?.gap ?? []);
    const curveSpan = median(a.curves.map((c) => span(c.values)));
    expect(gap / curveSpan).toBeLessThan(1e-3);
    // The theorem allows O(1/√m) = 1e-2 relative; aligned directions give O(1/m).
    expect(gap / curveSpan).toBeGreaterThan(0);
    const b = await computePanel(cpu, settings, w1);
    expect(b.model).toBeNull();
    expect(median(b.deviation.relative)).toBeLessThan(1e-3);
    expect(a.degreeTable?.map((r) => [r.degree, r.predicted])).toEqual([
      [1, 1],
      [1, 1],
      [2, 2],
    ]);
  });

  it('B = 3 (aligned, m = 10⁴): seven rows, each at degree |S|; L_b = 4 still gives degree 2', async () => {
    const three = PRESETS.find((p) => p.id === 'two-bottlenecks')?.settings ?? FIGURE1;
    const [all3] = planPanels(three);
    const rows3 = (await computePanel(cpu, three, all3)).degreeTable ?? [];
    expect(rows3).toHaveLength(7);
    for (const row of rows3) {
      expect(row.degree).toBe(row.blocks.length);
      expect(row.blockDegrees.every((d) => d === 1)).toBe(true);
    }
    // The deep-blocks preset (m = 4096: at m = 1024 the cubic term is still 4e-3 of the largest).
    const deep = PRESETS.find((p) => p.id === 'deep-blocks')?.settings ?? FIGURE1;
    const [allDeep] = planPanels(deep);
    const rowsDeep = (await computePanel(cpu, deep, allDeep)).degreeTable ?? [];
    expect(rowsDeep.at(-1)?.blocks).toEqual([1, 2]);
    expect(rowsDeep.at(-1)?.degree).toBe(2);
    // p has degree up to 8 in t: the table reads 2 because the rest fell below 1e-3.
    expect(rowsDeep.at(-1)?.layers).toEqual([4, 4]);
  });

  it('tanh inside both blocks: the W_1-only curve is visibly not a line (deviation > 5% of span)', async () => {
    const tanh = PRESETS.find((p) => p.id === 'tanh-inside')?.settings ?? FIGURE1;
    const panels = planPanels({ ...tanh, widths: [2000, 2000] });
    const w1 = panels.find((p) => p.id === 'block-1');
    if (!w1) throw new Error('no W_1 panel');
    const result = await computePanel(cpu, { ...tanh, widths: [2000, 2000] }, w1);
    expect(median(result.deviation.relative)).toBeGreaterThan(0.05);
    const all = await computePanel(cpu, tanh, panels[0]);
    expect(all.model?.kind).toBe('fit');
  });

  it('B = 6 (m = 10⁴): 63 rows, each at degree |S| and degree 1 in each block', async () => {
    const six = {
      ...withBlocks(FIGURE1, 6),
      widths: Array(6).fill(10_000),
      contrast: 'none' as const,
      directions: 3,
    };
    const [all] = planPanels(six);
    const rows = (await computePanel(cpu, six, all)).degreeTable ?? [];
    expect(rows).toHaveLength(63);
    for (const row of rows) {
      expect(row.degree).toBe(row.predicted);
      expect(row.blockDegrees.every((d) => d === 1)).toBe(true);
    }
  });
});
