import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { blockStructure } from '../src/experiments/blockStructure';
import { FIGURE1 } from '../src/experiments/settings';
import { widthSweep } from '../src/experiments/sweep';
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

  it('width sweep: slope at least as steep as the bound −1/2 along aligned directions', async () => {
    const result = await widthSweep(cpu, { ...FIGURE1, directions: 3 });
    expect(result.points[0].width).toBe(16);
    expect(result.slope).toBeLessThan(-0.5);
    expect(leastSquaresSlope([0, 1, 2], [1, 3, 5])).toBeCloseTo(2, 12);
  });
});
