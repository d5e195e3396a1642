import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { blockStructure } from '../src/experiments/blockStructure';
import { FIGURE1 } from '../src/experiments/settings';
import {
  SWEEP_NETWORKS,
  type SweepResult,
  sweepFamilies,
  widthSweep,
} from '../src/experiments/sweep';
import { leastSquaresSlope } from '../src/experiments/theorem';

const cpu = new CpuEngine();

describe('analyses (float64)', () => {
  it('block structure: within-block mixed derivatives ≪ across-block ones at m = 10⁴', async () => {
    const result = await blockStructure(cpu, FIGURE1);
    expect(result.blockOfLayer).toEqual([0, 0, 1, 1]);
    const L = 4;
    for (let l = 0; l < L; l++) expect(result.median[l * L + l]).toBe(0); // linear in each layer
    // Measured: largest across 0.99, largest within 1.8e-4.
    expect(result.acrossBlocks).toBeGreaterThan(0.5);
    expect(result.withinBlocks).toBeLessThan(0.01 * result.acrossBlocks);
  });

  it('block structure: the contrast disappears at small width', async () => {
    const narrow = await blockStructure(cpu, { ...FIGURE1, widths: [10, 10] });
    expect(narrow.withinBlocks).toBeGreaterThan(0.05 * narrow.acrossBlocks); // measured 0.12
  });

  // Figure 1's network (B = 2, L_b = 2, d = k = r = 1), m = 16 … 16384, 8 networks × 5 directions.
  // Measured (seeds 2024 … 2031, R = 2, fitted from m = 64): non-multilinear size aligned −1.01,
  // chained −0.62; |c_B| aligned −0.00, chained −0.46; |c_{B+1}| aligned −1.0, chained −1.0.
  it("width sweep: aligned falls like 1/m, chained at the bound's 1/√m; |c_B| = Ω(1), |c_{B+1}| falls", async () => {
    const result = await widthSweep(cpu, FIGURE1);
    expect(result.series.map((s) => s.family)).toEqual(['aligned', 'chained']);
    expect(result.precision).toBe('float64');
    expect(result.blocks).toBe(2);
    expect(result.cB1Vanishes).toBe(false);
    const [aligned, chained] = result.series;
    for (const s of result.series) {
      expect(s.points.map((p) => p.width)).toEqual(result.widths);
      expect(s.points[0].width).toBe(16);
      expect(s.points[0].perDirection).toHaveLength(SWEEP_NETWORKS * FIGURE1.directions);
      expect(s.noiseFloor).toBe(0);
    }
    console.log(
      result.series
        .map(
          (s) =>
            `${s.family}: ${s.slope.toFixed(3)} / c_B ${s.slopeCB.toFixed(3)} / c_B+1 ${s.slopeCB1?.toFixed(3)}`,
        )
        .join('\n'),
    );
    // Theorem 2: at least like 1/√m. Aligned: faster (model.md §5); chained: at the rate.
    expect(aligned.slope).toBeLessThanOrEqual(-0.8);
    expect(aligned.points.at(-1)?.median).toBeLessThan((aligned.points[0].median ?? 0) / 100);
    expect(chained.slope).toBeGreaterThanOrEqual(-0.65);
    expect(chained.slope).toBeLessThanOrEqual(-0.35);
    // Lemma 3: |c_B| = Ω(1) along aligned directions.
    expect(Math.abs(aligned.slopeCB)).toBeLessThanOrEqual(0.15);
    expect(aligned.points.every((p) => p.cB > 0.3)).toBe(true);
    // Lemma 2: |c_{B+1}| = O(1/√m) along every direction (both measure ≈ −1).
    for (const s of result.series) expect(s.slopeCB1).toBeLessThanOrEqual(-0.35);
  });

  it("width sweep: the settings' own family comes first; one layer per block has no c_{B+1}", async () => {
    expect(sweepFamilies({ ...FIGURE1, family: 'gaussian' })).toEqual([
      'gaussian',
      'aligned',
      'chained',
    ]);
    expect(sweepFamilies({ ...FIGURE1, family: 'chained' })).toEqual(['chained', 'aligned']);
    const partials: SweepResult[] = [];
    const fractions: number[] = [];
    const flat = await widthSweep(
      cpu,
      { ...FIGURE1, layers: [1, 1], directions: 2 },
      { onPartial: (p) => partials.push(p), onProgress: (f) => fractions.push(f) },
    );
    expect(flat.cB1Vanishes).toBe(true);
    for (const s of flat.series) {
      expect(s.slopeCB1).toBeNull();
      expect(s.points.every((p) => p.median === 0 && p.cB1 === 0 && p.cB > 0)).toBe(true);
      expect(s.slope).toBeNaN(); // nothing to fit: exactly multilinear
      expect(Math.abs(s.slopeCB)).toBeLessThan(0.15);
    }
    // Partials: one per (width, family) but the last, slopes not yet fitted; progress rises to 1.
    expect(partials).toHaveLength(flat.widths.length * 2 - 1);
    expect(partials[0].series[0].points).toHaveLength(1);
    expect(partials[0].series[1].points).toHaveLength(0);
    expect(partials.at(-1)?.series[0].slope).toBeNaN();
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]))).toBe(
      true,
    );
    expect(fractions.at(-1)).toBeGreaterThan(0.95);
    expect(leastSquaresSlope([0, 1, 2], [1, 3, 5])).toBeCloseTo(2, 12);
  });
});
