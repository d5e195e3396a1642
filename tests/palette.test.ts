// The direction palette under simulated colour-vision deficiencies (Machado, Oliveira & Fernandes
// 2009, severity 1.0, in linear RGB), measured with CIEDE2000; and the second channel, dashes.
import { describe, expect, it } from 'vitest';
import {
  ciede2000,
  hexToRgb,
  type Lab,
  rgbToLab,
  simulate,
  smallestDifference,
  VISIONS,
} from '../src/ui/plot/colourVision';
import {
  DIRECTION_COLOURS,
  DIRECTION_DASHES,
  directionDash,
  shiftedDash,
} from '../src/ui/plot/drawPanel';

describe('CIEDE2000 (Sharma, Wu & Dalal 2005 test data)', () => {
  const pairs: [Lab, Lab, number][] = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615],
    [[50, 2.8361, -74.02], [50, 0, -82.7485], 3.4412],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[50, 2.5, 0], [61, -5, 29], 22.8977],
    [[50, 2.5, 0], [56, -27, -3], 31.903],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
    [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
  ];
  it.each(pairs)('ΔE00(%j, %j) = %d', (a, b, expected) => {
    expect(ciede2000(a, b)).toBeCloseTo(expected, 4);
    expect(ciede2000(b, a)).toBeCloseTo(expected, 4);
  });

  it('sRGB → Lab: white, black and pure red', () => {
    const white = rgbToLab([1, 1, 1]);
    expect(white[0]).toBeCloseTo(100, 3);
    expect(Math.hypot(white[1], white[2])).toBeLessThan(0.01);
    expect(rgbToLab([0, 0, 0])[0]).toBeCloseTo(0, 6);
    const red = rgbToLab([1, 0, 0]);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  it('the simulations keep greys grey, and a dichromat sees red and green alike', () => {
    for (const v of VISIONS) {
      const g = simulate([0.5, 0.5, 0.5], v);
      for (const c of g) expect(c).toBeCloseTo(0.5, 2);
    }
    const red = rgbToLab(simulate(hexToRgb('#CC3333'), 'deuteranopia'));
    const green = rgbToLab(simulate(hexToRgb('#888800'), 'deuteranopia'));
    expect(ciede2000(red, green)).toBeLessThan(12);
  });
});

describe('the direction palette', () => {
  it('has 8 colours, the first five pairwise ≥ 10 ΔE00 apart in every condition', () => {
    expect(DIRECTION_COLOURS).toHaveLength(8);
    const rows: string[] = [];
    for (const v of VISIONS) {
      const five = smallestDifference(DIRECTION_COLOURS.slice(0, 5), v);
      const eight = smallestDifference(DIRECTION_COLOURS, v);
      rows.push(`${v}: first 5 ≥ ${five.toFixed(2)}, all 8 ≥ ${eight.toFixed(2)}`);
      expect(five).toBeGreaterThanOrEqual(10);
      // All eight: as far as the palette goes (10.87, set by the first five under tritanopia).
      expect(eight).toBeGreaterThanOrEqual(10.8);
    }
    console.log(`smallest CIEDE2000 ΔE, Machado et al. severity 1.0:\n${rows.join('\n')}`);
  });

  it('gives every direction its own dash pattern (no two share colour and dash)', () => {
    expect(DIRECTION_DASHES).toHaveLength(8);
    const keys = DIRECTION_DASHES.map((d) => d.join(','));
    expect(new Set(keys).size).toBe(8);
    // None is the model's dash either.
    expect(keys).not.toContain('5,4');
    const styles = DIRECTION_COLOURS.map((c, d) => `${c}/${keys[d]}`);
    expect(new Set(styles).size).toBe(8);
  });

  it('offsets the dashes per direction without changing their period or ink', () => {
    for (let d = 0; d < 8; d++) {
      const base = DIRECTION_DASHES[d];
      const drawn = directionDash(d);
      if (base.length === 0) {
        expect(drawn).toEqual([]);
        continue;
      }
      const full = base.length % 2 === 0 ? base : [...base, ...base];
      const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
      const ink = (a: readonly number[]) => sum(a.filter((_, i) => i % 2 === 0));
      expect(drawn.length % 2).toBe(0);
      expect(sum(drawn)).toBeCloseTo(sum(full), 9);
      expect(ink(drawn)).toBeCloseTo(ink(full), 9);
    }
    // Shifting by o is the pattern started o units in.
    expect(shiftedDash([9, 4], 0)).toEqual([9, 4, 0, 0]);
    expect(shiftedDash([9, 4], 5)).toEqual([4, 4, 5, 0]);
    expect(shiftedDash([9, 4], 11)).toEqual([0, 2, 9, 2]);
    expect(shiftedDash([2, 3, 1], 3)).toEqual([0, 2, 1, 2, 3, 1, 2, 1]);
  });
});
