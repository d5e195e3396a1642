// docs/claims.md, one describe per row: every on-screen sentence that states a rate, a slope, a
// degree or a bound (a) is shown, or worded, only for the settings it holds for — checked by
// calling the pure function that words it — and (b) is true numerically, on configurations the
// presets do not use (other seeds, d = r = k, radii, widths), with the float64 CPU engine.
//
// Slopes are medians over 12 networks × 2 directions (src/experiments/sweep.ts: steady to about
// ±0.05 for Figure 1's network; other shapes scatter more, so the bands below are ±0.15 to ±0.3
// around the expected slope, and every band excludes the neighbouring claim: −1/2 against −1).

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { blockStructure } from '../src/experiments/blockStructure';
import { directionRequest } from '../src/experiments/figure';
import { FIGURE1, type FigureSettings, networkSpec, PRESETS } from '../src/experiments/settings';
import { expectedSweepSlopes, THEOREM_SLOPES, widthSweep } from '../src/experiments/sweep';
import {
  leastSquaresPolynomial,
  logLogSlope,
  median,
  nonMultilinearPart,
  span,
} from '../src/experiments/theorem';
import type { DirectionFamily } from '../src/model/directions';
import { totalDegreeCoefficients } from '../src/model/polynomial';
import { familyNoteText, type NoteContext, note, sweepAbout } from '../src/ui/notes/notes';

const r = String.raw;
const cpu = new CpuEngine();
afterAll(() => cpu.destroy());

const preset = (id: string) => {
  const p = PRESETS.find((q) => q.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
};

/** A network no preset uses: B blocks of `layers`, d = r = k = `size`, its own seeds and R. */
function config(layers: number[], size: number, seed: number, radius = 1.5): FigureSettings {
  return {
    ...FIGURE1,
    blocks: layers.length,
    layers,
    widths: layers.map(() => 1000),
    bottlenecks: layers.slice(1).map(() => size),
    inputSize: size,
    outputSize: size,
    contrast: 'none',
    directions: 2,
    radius,
    seed,
    directionSeed: seed + 17,
  };
}

const WIDE = [64, 128, 256, 512, 1024, 2048, 4096, 8192]; // no m × m layer (L_b ≤ 2): O(m) per lane
const SQUARE = [64, 128, 256, 512, 1024]; // L_b ≥ 3: m × m layers
// |c_B| along tilted directions with B = 3 is Ω(1) but small (≈ 5·10⁻³ for d = 3, 32 networks):
// below m ≈ 256 the O(1/m) terms of degree 3 still add to it (medians 8.6e-3, 5.9e-3, 3.4e-3,
// 3.8e-3, 4.6e-3, 4.9e-3 at m = 64, 256, … 65536), so for B = 3 its flatness is read from m = 256.
const LATE = [256, 512, 1024, 2048, 4096, 8192]; // L_b ≥ 3: m × m layers
const NETWORKS = 12;

interface Measured {
  /** Log–log slopes against m of the medians over networks × directions. */
  size: number;
  c1: number;
  cB: number;
  cB1: number;
  /** Slope of the median of |c_2| / |c_1| (one block perturbed: the curve's bend). */
  bend: number;
  /** Medians at each width. */
  sizes: number[];
  c1s: number[];
}

/**
 * The width sweep's quantities, measured directly: for each width, NETWORKS networks (seeds
 * s.seed + n, directions s.directionSeed + n) along `family`, perturbing the blocks of `mask`.
 */
async function measure(
  s: FigureSettings,
  family: DirectionFamily,
  widths: number[],
  mask: boolean[] = s.layers.map(() => true),
): Promise<Measured> {
  const B = mask.filter(Boolean).length;
  const med = { size: [] as number[], c1: [] as number[], cB: [] as number[], cB1: [] as number[] };
  const bends: number[] = [];
  for (const m of widths) {
    const size: number[] = [];
    const c1: number[] = [];
    const cB: number[] = [];
    const cB1: number[] = [];
    const bend: number[] = [];
    for (let n = 0; n < NETWORKS; n++) {
      const settings = { ...s, widths: s.layers.map(() => m), seed: s.seed + n, family };
      const result = await cpu.polynomial({
        spec: networkSpec(settings),
        directions: { ...directionRequest(settings, mask), seed: s.directionSeed + n },
        grouping: 'per-block',
      });
      const { layout } = result;
      for (const coefficients of result.coefficients) {
        const p = coefficients.data.subarray(0, layout.size); // output 0
        size.push(nonMultilinearPart(layout, p, s.radius));
        const c = totalDegreeCoefficients(layout, p);
        c1.push(Math.abs(c[1] ?? 0));
        cB.push(Math.abs(c[B] ?? 0));
        cB1.push(Math.abs(c[B + 1] ?? 0));
        bend.push(Math.abs(c[2] ?? 0) / Math.abs(c[1]));
      }
    }
    med.size.push(median(size));
    med.c1.push(median(c1));
    med.cB.push(median(cB));
    med.cB1.push(median(cB1));
    bends.push(median(bend));
  }
  return {
    size: logLogSlope(widths, med.size),
    c1: logLogSlope(widths, med.c1),
    cB: logLogSlope(widths, med.cB),
    cB1: logLogSlope(widths, med.cB1),
    bend: logLogSlope(widths, bends),
    sizes: med.size,
    c1s: med.c1,
  };
}

/** Memoised measurements: several rows read the same sweep. */
const cache = new Map<string, Promise<Measured>>();
function measured(
  s: FigureSettings,
  family: DirectionFamily,
  widths: number[],
  mask?: boolean[],
): Promise<Measured> {
  const key = JSON.stringify([s, family, widths, mask]);
  let m = cache.get(key);
  if (!m) cache.set(key, (m = measure(s, family, widths, mask)));
  return m;
}

// The configurations (none is a preset: d = r = k = 2 but one, seeds from 4000, R = 1.5 or 1).
const TWO = config([2, 2], 2, 4000);
const THREE = config([3, 3], 1, 5000, 1);
const FOUR = config([4, 4], 2, 6000);
const ONE = config([1, 1], 2, 7000);
const B3 = config([2, 2, 2], 2, 8000);
const B1 = config([3], 2, 9000);
const ALL_FAMILIES: DirectionFamily[] = ['aligned', 'tilted', 'gradient', 'gaussian', 'chained'];

/** Every L_b pattern the wording tests run through. */
const LAYER_SETS = [
  [1],
  [2],
  [3],
  [1, 1],
  [1, 2],
  [2, 2],
  [2, 3],
  [1, 3],
  [3, 3],
  [4, 4],
  [2, 2, 2],
];
const base: NoteContext = { blocks: 2, family: 'aligned', linear: true, deviation: false };
const ctx = (family: string, layers: number[], more: Partial<NoteContext> = {}): NoteContext => ({
  ...base,
  blocks: layers.length,
  family,
  layers,
  ...more,
});
const log = (label: string, m: Measured) =>
  console.log(
    `${label}: size ${m.size.toFixed(2)}, c1 ${m.c1.toFixed(2)}, cB ${m.cB.toFixed(2)}, cB+1 ${m.cB1.toFixed(2)}, c2/c1 ${m.bend.toFixed(2)}`,
  );

describe('C1 chained: −1/2 (the bound) only with two-layer blocks; ≈ −1 deeper; 0 for L_b = 1', () => {
  it('worded for L_b', () => {
    for (const layers of LAYER_SETS) {
      const e = expectedSweepSlopes('chained', layers);
      const allOne = layers.every((l) => l === 1);
      expect(e.nonMultilinear).toBe(allOne ? null : layers.includes(2) ? -0.5 : -1);
      const sweepNote = note('analysis-sweep', ctx('chained', layers));
      expect(sweepNote.includes('the bound is tight'), `${layers}`).toBe(e.atBound);
      expect(sweepNote.includes('exactly $0$'), `${layers}`).toBe(allOne);
      const family = familyNoteText('chained', layers);
      expect(family.includes('1/√m, the theorem’s rate'), `${layers}`).toBe(e.atBound);
      expect(family.includes('exactly 0'), `${layers}`).toBe(allOne);
      expect(sweepAbout(layers).includes('the bound is tight'), `${layers}`).toBe(e.atBound);
      if (!allOne && !e.atBound) {
        expect(sweepNote).toContain('falls faster');
        expect(family).toContain('falls like 1/m');
      }
    }
    // Without L_b the sweep note says which depth each rate is for.
    expect(sweepAbout()).toContain('(L_b = 2: the bound is tight; deeper blocks fall like 1/m)');
    expect(note('analysis-sweep', { ...base, family: 'chained' })).toMatch(
      /\(\$L_b = 2\$\).*L_b = 3/,
    );
    // The direction control states no rate (src/ui/Controls.tsx FAMILY_LABELS).
    const controls = readFileSync(new URL('../src/ui/Controls.tsx', import.meta.url), 'utf8');
    const labels = controls.slice(
      controls.indexOf('FAMILY_LABELS'),
      controls.indexOf('} as const;', controls.indexOf('FAMILY_LABELS')),
    );
    expect(labels).toMatch(/chained: 'chained ξ_ℓ ⊗ ξ_ℓ₋₁'/);
    expect(labels).not.toMatch(/tight|√m|slope|bound/);
  });

  it('measured: −1/2 at L_b = 2 (d = r = k = 2, R = 1.5), ≤ −0.8 at L_b = 3 and 4, 0 at L_b = 1', async () => {
    const two = await measured(TWO, 'chained', WIDE);
    const three = await measured(THREE, 'chained', SQUARE);
    const four = await measured(FOUR, 'chained', SQUARE);
    log('chained L_b = 2', two);
    log('chained L_b = 3', three);
    log('chained L_b = 4', four);
    expect(two.size).toBeGreaterThanOrEqual(-0.65);
    expect(two.size).toBeLessThanOrEqual(-0.35);
    for (const deeper of [three, four]) {
      expect(deeper.size).toBeLessThanOrEqual(-0.8);
      expect(deeper.size).toBeGreaterThanOrEqual(-1.5);
    }
    const one = await measured(ONE, 'chained', [64, 1024]);
    expect(one.sizes).toEqual([0, 0]);
  });

  it('the width sweep itself (widthSweep, L_b = 2, d = r = k = 2, seeds 4100…) agrees', async () => {
    const result = await widthSweep(cpu, { ...TWO, family: 'chained', seed: 4100 });
    const chained = result.series.find((s) => s.family === 'chained');
    console.log(`widthSweep chained L_b = 2: ${chained?.slope.toFixed(2)}`);
    expect(chained?.slope).toBeGreaterThanOrEqual(-0.65);
    expect(chained?.slope).toBeLessThanOrEqual(-0.35);
  });
});

describe('C2 aligned (and tilted, gradient, gaussian): ≈ −1, faster than the bound', () => {
  it('worded for the family', () => {
    for (const layers of LAYER_SETS.filter((l) => l.some((x) => x >= 2))) {
      for (const family of ['aligned', 'tilted', 'gradient', 'gaussian'] as const)
        expect(expectedSweepSlopes(family, layers).nonMultilinear).toBe(-1);
      expect(note('analysis-sweep', ctx('aligned', layers))).toContain(
        r`Aligned directions: slope $\approx -1$, faster than the bound`,
      );
      expect(note('analysis-sweep', ctx('gradient', layers))).toContain('gradient ones too');
      expect(sweepAbout(layers)).toContain('like 1/m along aligned directions');
    }
  });

  it('measured at L_b = 2 (d = r = k = 2) for every family but chained, and aligned at L_b = 3', async () => {
    for (const family of ['aligned', 'tilted', 'gradient', 'gaussian'] as const) {
      const m = await measured(TWO, family, WIDE);
      log(`${family} L_b = 2`, m);
      expect(m.size, family).toBeLessThanOrEqual(-0.75);
      expect(m.size, family).toBeGreaterThanOrEqual(-1.4);
    }
    const three = await measured(THREE, 'aligned', SQUARE);
    log('aligned L_b = 3', three);
    expect(three.size).toBeLessThanOrEqual(-0.75);
  });
});

describe("C3 Theorem 2's bound: the non-multilinear part (|g − q|, the deviation) is O(1/√m)", () => {
  it('worded: O(1/√m) wherever L_b ≥ 2, exactly 0 with one layer per block', () => {
    expect(THEOREM_SLOPES.nonMultilinear).toBe(-0.5);
    for (const layers of LAYER_SETS) {
      const allOne = layers.every((l) => l === 1);
      const all = note('panel-all', ctx('aligned', layers));
      expect(all.includes(r`$|g - q| = O(1/\sqrt m)$`), `${layers}`).toBe(!allOne);
      expect(all.includes(r`$g = q$ exactly`), `${layers}`).toBe(allOne);
      expect(note('analysis-sweep', ctx('aligned', layers))).toContain(
        r`next to the slope $-1/2$ of Theorem 2's bound`,
      );
    }
    expect(note('deviation', base)).toContain(r`of size $O(1/\sqrt m)$`);
  });

  it('measured: every family falls at least like m^−1/2 (B = 1, 2, 3; L_b = 2, 3)', async () => {
    for (const family of ALL_FAMILIES) {
      expect((await measured(TWO, family, WIDE)).size, family).toBeLessThanOrEqual(-0.4);
      const b3 = await measured(B3, family, WIDE);
      log(`${family} B = 3`, b3);
      expect(b3.size, `${family}, B = 3`).toBeLessThanOrEqual(-0.4);
    }
    const b1 = await measured(B1, 'aligned', SQUARE);
    log('aligned B = 1, L = 3', b1);
    expect(b1.size).toBeLessThanOrEqual(-0.4);
  });
});

describe('C4 |c_B|: Ω(1) along aligned, tilted, gradient; falls along gaussian (m^−w/2) and chained', () => {
  it('worded for the family and L_b', () => {
    expect(note('analysis-sweep', ctx('aligned', [2, 2]))).toContain(
      r`Along aligned directions $|c_{2}|$ stays $\Omega(1)$`,
    );
    expect(note('analysis-sweep', ctx('tilted', [2, 2]))).toContain('along tilted ones too');
    expect(note('analysis-sweep', ctx('gaussian', [2, 2]))).toContain(r`falls like $m^{-1}$`);
    expect(note('analysis-sweep', ctx('gaussian', [2, 2, 2]))).toContain(r`falls like $m^{-3/2}$`);
    expect(note('analysis-sweep', ctx('gaussian', [1, 2]))).toContain(r`falls like $m^{-1/2}$`);
    expect(note('analysis-sweep', ctx('aligned', [2, 2]))).toContain(
      r`along chained ones it falls too, like $m^{-1/2}$ or faster`,
    );
    expect(expectedSweepSlopes('gaussian', [2, 2, 2]).cB).toBe(-1.5);
    expect(expectedSweepSlopes('chained', [2, 2])).toMatchObject({ cB: -0.5, cBAtMost: true });
    for (const f of ['aligned', 'tilted', 'gradient'] as const)
      expect(expectedSweepSlopes(f, [3, 3]).cB).toBe(0);
  });

  it('measured (d = r = k = 2, B = 2 and 3; B = 3 from m = 256)', async () => {
    for (const family of ['aligned', 'tilted', 'gradient'] as const) {
      for (const s of [TWO, B3]) {
        const m = await measured(s, family, s === B3 ? LATE : WIDE);
        console.log(`cB ${family} B=${s.blocks}: ${m.cB.toFixed(2)}`);
        expect(Math.abs(m.cB), `${family}, B = ${s.blocks}`).toBeLessThanOrEqual(0.25);
      }
    }
    for (const s of [TWO, B3]) {
      const expected = expectedSweepSlopes('gaussian', s.layers).cB;
      const gaussian = await measured(s, 'gaussian', WIDE);
      expect(gaussian.cB).toBeGreaterThanOrEqual(expected - 0.3);
      expect(gaussian.cB).toBeLessThanOrEqual(expected + 0.3);
      expect((await measured(s, 'chained', WIDE)).cB).toBeLessThanOrEqual(-0.35);
    }
    expect((await measured(THREE, 'chained', SQUARE)).cB).toBeLessThanOrEqual(-0.35);
  });
});

describe('C5 |c_{B+1}| falls at least like m^−1/2 (Lemma 2); ≡ 0 with one layer per block', () => {
  it('worded', () => {
    expect(expectedSweepSlopes('aligned', [2, 2]).cB1).toBe(-0.5);
    expect(expectedSweepSlopes('chained', [1, 1]).cB1).toBeNull();
    expect(note('analysis-sweep', ctx('aligned', [3, 3]))).toContain(
      r`$|c_{3}|$ falls like $m^{-1/2}$ or faster along every family`,
    );
    expect(note('analysis-sweep', ctx('chained', [1, 1]))).toContain(r`$c_{3} \equiv 0$`);
  });

  it('measured for every family; exactly 0 at L_b = 1 (widthSweep)', async () => {
    for (const family of ALL_FAMILIES)
      for (const s of [TWO, B3])
        expect((await measured(s, family, WIDE)).cB1, family).toBeLessThanOrEqual(-0.4);
    expect((await measured(THREE, 'chained', SQUARE)).cB1).toBeLessThanOrEqual(-0.4);
    const one = await widthSweep(cpu, { ...ONE, family: 'gaussian' });
    expect(one.cB1Vanishes).toBe(true);
    for (const series of one.series) {
      expect(series.slopeCB1).toBeNull();
      expect(series.points.every((p) => p.median === 0 && p.cB1 === 0)).toBe(true);
    }
  });
});

describe('C6 gaussian directions move g only by O(1/√m), through blocks with a wide layer', () => {
  it('worded for L_b (family note, panel notes, the Gaussian preset)', () => {
    expect(familyNoteText('gaussian', [2, 2])).toContain('g moves only by O(1/√m) — flat curves');
    expect(familyNoteText('gaussian', [1, 2])).toContain('by O(1) through the one-layer blocks');
    expect(familyNoteText('gaussian', [1, 1])).toContain('move g by O(1) here');
    expect(note('panel-all', ctx('gaussian', [2, 2]))).toContain(
      r`Gaussian directions move $g$ only by $O(1/\sqrt m)$: expect nearly flat curves`,
    );
    expect(note('panel-block', ctx('gaussian', [1, 2], { block: 1 }))).toContain(
      r`move $g$ by $O(1)$ here`,
    );
    expect(note('panel-block', ctx('gaussian', [1, 2], { block: 2 }))).toContain(
      r`only by $O(1/\sqrt m)$`,
    );
    const g = preset('figure1-gaussian');
    expect(g.settings.layers.every((l) => l >= 2)).toBe(true);
    expect(g.note).toContain('O(1/√m) ≈ 1%');
    expect(1 / Math.sqrt(g.settings.widths[0])).toBeCloseTo(0.01, 10);
    expect(familyNoteText(g.settings.family, g.settings.layers)).toContain('O(1/√m) — flat');
  });

  it('measured: |c_1| ∝ m^−1/2 at L_b = 2 (d = r = k = 2), √m |c_1| = O(1); O(1) through a one-layer block', async () => {
    const m = await measured(TWO, 'gaussian', WIDE);
    expect(m.c1).toBeGreaterThanOrEqual(-0.75);
    expect(m.c1).toBeLessThanOrEqual(-0.3);
    const scaled = m.c1s.map((c, i) => c * Math.sqrt(WIDE[i]));
    console.log(`gaussian √m |c_1|: ${scaled.map((c) => c.toFixed(2)).join(' ')}`);
    expect(Math.min(...scaled)).toBeGreaterThan(0.05);
    expect(Math.max(...scaled)).toBeLessThan(20);
    // Only the one-layer block 1 perturbed: its matrix has no side of width m.
    const one = await measured(config([1, 2], 2, 4300), 'gaussian', WIDE, [true, false]);
    console.log(
      `gaussian, one-layer block alone: |c_1| ${one.c1s.map((c) => c.toFixed(2)).join(' ')}`,
    );
    expect(Math.abs(one.c1)).toBeLessThanOrEqual(0.2);
    expect(Math.min(...one.c1s)).toBeGreaterThan(0.1);
  });
});

describe('C7 aligned directions move g by O(1)', () => {
  it('worded', () => {
    expect(familyNoteText('aligned', [2, 2])).toContain('they move g by O(1)');
    expect(familyNoteText('gaussian', [3, 3])).toContain('aligned ones move g by O(1)');
  });

  it('measured: |c_1| flat in m and not small (L_b = 2 and 3)', async () => {
    for (const [s, widths] of [
      [TWO, WIDE],
      [THREE, SQUARE],
    ] as const) {
      const m = await measured(s, 'aligned', widths);
      console.log(
        `aligned c1 ${s.layers}: ${m.c1.toFixed(2)} ${m.c1s.map((c) => c.toFixed(3)).join(' ')}`,
      );
      expect(Math.abs(m.c1)).toBeLessThanOrEqual(0.2);
      expect(Math.min(...m.c1s)).toBeGreaterThan(0.1);
    }
  });
});

describe('C8 chained: every non-constant term O(1/√m) when every block has L_b ≥ 2', () => {
  it('worded for L_b', () => {
    expect(familyNoteText('chained', [2, 2])).toContain('Every non-constant term is O(1/√m)');
    expect(familyNoteText('chained', [3, 3])).toContain('Every non-constant term is O(1/√m)');
    expect(familyNoteText('chained', [1, 2])).not.toContain('Every non-constant term');
    expect(familyNoteText('chained', [1, 2])).toContain('moves g by O(1)');
  });

  it('measured: |c_1| falls at least like m^−1/2 (about), L_b = 2 and 3', async () => {
    expect((await measured(TWO, 'chained', WIDE)).c1).toBeLessThanOrEqual(-0.35);
    expect((await measured(THREE, 'chained', SQUARE)).c1).toBeLessThanOrEqual(-0.35);
  });
});

describe('C9 one block alone: straight, except chained with L_b = 2 (c_2 as large as c_1)', () => {
  it('worded for the family and L_b', () => {
    const chained2 = note('panel-block', ctx('chained', [2, 2], { block: 1 }));
    expect(chained2).toContain(r`$c_2$ is not small next to $c_1$`);
    expect(chained2).not.toContain('Expect a straight line');
    for (const [family, layers] of [
      ['chained', [3, 3]],
      ['aligned', [2, 2]],
      ['gradient', [4, 4]],
    ] as const)
      expect(note('panel-block', ctx(family, [...layers], { block: 1 }))).toContain(
        'Expect a straight line however deep the block',
      );
    expect(note('panel-block', ctx('chained', [1, 2], { block: 1 }))).toContain(
      'exactly linear in $t$',
    );
    // Without L_b (a panel that does not pass it) the chained sentence names L_b = 2.
    expect(note('panel-block', { ...base, family: 'chained', block: 1 })).toContain(
      r`with $L_{1} = 2$`,
    );
  });

  it('measured: |c_2| / |c_1| flat for chained at L_b = 2, falling for chained at L_b = 3 and for aligned', async () => {
    const mask = [true, false];
    const chained2 = await measured(TWO, 'chained', WIDE, mask);
    const chained3 = await measured(THREE, 'chained', SQUARE, mask);
    const aligned2 = await measured(TWO, 'aligned', WIDE, mask);
    log('W_1 only, chained L_b = 2', chained2);
    log('W_1 only, chained L_b = 3', chained3);
    log('W_1 only, aligned L_b = 2', aligned2);
    expect(Math.abs(chained2.bend)).toBeLessThanOrEqual(0.25);
    expect(chained2.size).toBeLessThanOrEqual(-0.35); // c_2 still shrinks (with c_1)
    expect(chained3.bend).toBeLessThanOrEqual(-0.3);
    expect(aligned2.bend).toBeLessThanOrEqual(-0.7);
  });
});

describe('C10 deep blocks: the terms above degree B fall like 1/m along aligned directions', () => {
  it('worded: the preset is aligned with L_b = 4, for which the sweep expects −1', () => {
    const deep = preset('deep-blocks');
    expect(deep.settings.family).toBe('aligned');
    expect(expectedSweepSlopes(deep.settings.family, deep.settings.layers).nonMultilinear).toBe(-1);
    expect(deep.note).toContain('they fall like 1/m');
    expect(deep.note).not.toContain('10⁻³'); // the fixed threshold is seed-dependent at m = 4096
  });

  it('measured: L_b = 4, d = r = k = 2 (non-multilinear part and c_3)', async () => {
    const m = await measured(FOUR, 'aligned', SQUARE);
    log('aligned L_b = 4', m);
    expect(m.size).toBeLessThanOrEqual(-0.75);
    expect(m.size).toBeGreaterThanOrEqual(-1.4);
    expect(m.cB1).toBeLessThanOrEqual(-0.75); // c_3
  });
});

describe('C11 degree B overall and 1 per block, whatever L_b (presets, presentation, panels)', () => {
  it('worded', () => {
    expect(note('presentation', ctx('aligned', [2, 2, 2]))).toContain(
      'of degree $B = 3$ however deep',
    );
    expect(note('panel-all', ctx('aligned', [4, 4]))).toContain('of degree $B = 2$, a parabola');
    expect(preset('two-bottlenecks').claim).toContain('cubic overall, linear in each block');
    expect(preset('two-bottlenecks').settings.blocks).toBe(3);
    expect(preset('deep-blocks').claim).toContain('Depth does not raise the degree');
    expect(preset('wide-linear').note).toContain('straight line up to O(1/√m)');
    expect(preset('wide-linear').settings.blocks).toBe(1);
  });

  it('measured: above degree B (and above 1 in one block) the terms fall, B = 1, 3, L_b = 3, 4', async () => {
    // B = 3 (all blocks) and B = 1 are in C3; here one block of four layers alone, and B = 1.
    const block = await measured(FOUR, 'aligned', SQUARE, [false, true]);
    log('W_2 only, aligned L_b = 4', block);
    expect(block.size).toBeLessThanOrEqual(-0.6);
    const b1 = await measured(B1, 'gradient', SQUARE);
    log('gradient B = 1, L = 3', b1);
    expect(b1.size).toBeLessThanOrEqual(-0.6);
  });
});

describe('C12 tanh: inside both blocks the single-block curves bend; in block 1 only, straight', () => {
  it('worded', () => {
    const nl = { ...base, linear: false, activation: 'tanh', block: 1 };
    expect(note('panel-block', { ...nl, placement: 'inside-blocks' })).toContain('the curve bends');
    expect(note('panel-block', { ...nl, placement: 'first-block' })).toContain('straight line');
    expect(preset('tanh-inside').claim).toContain('breaks multilinearity');
    expect(preset('tanh-first-block').claim).toContain('bilinear again');
  });

  it('measured: W_1 only, m = 2048, R = 3, three seeds: residual of a straight line', async () => {
    const ts = Array.from({ length: 61 }, (_, i) => -3 + i / 10);
    const residual = async (placement: 'inside-blocks' | 'first-block') => {
      const out: number[] = [];
      for (const seed of [31, 32, 33]) {
        const s: FigureSettings = {
          ...FIGURE1,
          widths: [2048, 2048],
          activation: 'tanh',
          placement,
          radius: 3,
          directions: 2,
          seed,
          directionSeed: seed + 5,
        };
        const grid = await cpu.grid({
          spec: networkSpec(s),
          directions: directionRequest(s, [true, false]),
          ts,
        });
        for (const v of grid.values) {
          const ys = v.data.subarray(0, ts.length);
          const line = leastSquaresPolynomial(ts, ys, 1);
          const dev = ys.map((y, i) => y - line[0] - line[1] * ts[i]);
          out.push(span(dev) / Math.max(span(ys), 1e-300));
        }
      }
      return median(out);
    };
    const inside = await residual('inside-blocks');
    const first = await residual('first-block');
    console.log(
      `tanh, W_1 only, residual of a line / span: inside ${inside.toExponential(2)}, first ${first.toExponential(2)}`,
    );
    expect(inside).toBeGreaterThan(0.05);
    expect(first).toBeLessThan(0.02);
  });
});

describe('C13 Lemma 1(b) along each family: within-block and across-bottleneck entries', () => {
  it('worded for the family and L_b', () => {
    for (const f of ['aligned', 'tilted', 'gradient'])
      expect(note('analysis-blocks', ctx(f, [2, 2]))).toContain('large entries across them');
    expect(note('analysis-blocks', ctx('tilted', [2, 2]))).toContain(
      'only pairs of layers with narrow outputs',
    );
    expect(note('analysis-blocks', ctx('gradient', [2, 2]))).toContain(
      'wide-output layers included',
    );
    expect(note('analysis-blocks', ctx('chained', [1, 1]))).toContain('large entries across them');
    expect(note('analysis-blocks', ctx('gaussian', [2, 2]))).toContain('shrink as well');
    const chained2 = note('analysis-blocks', ctx('chained', [2, 2]));
    expect(chained2).toContain(r`the within-block entries fall only like $1/\sqrt m$`);
    expect(chained2).toContain(r`those across a bottleneck fall like $1/m$`);
    expect(note('analysis-blocks', ctx('chained', [3, 3]))).toContain(
      r`both fall: the within-block entries fall about like $1/m$`,
    );
    expect(note('analysis-blocks', ctx('chained', [1, 2]))).toContain(
      'those across a bottleneck fall too',
    );
    expect(note('analysis-blocks', { ...base, family: 'chained' })).toContain(
      r`of two-layer blocks ($L_b = 2$)`,
    );
    for (const f of ALL_FAMILIES)
      expect(note('analysis-blocks', ctx(f, [2, 2]))).toContain(r`\tilde O(1/\sqrt m)`);
  });

  it('measured (blockStructure, d = r = k = 2, m = 64 … 1024, 12 networks)', async () => {
    const widths = [64, 128, 256, 512, 1024];
    // Layers of [2, 2]: 0 (d → m), 1 (m → r), 2 (r → m), 3 (m → k); 1 and 3 have narrow outputs.
    const L = 4;
    const slopes = async (family: DirectionFamily, layers = [2, 2]) => {
      const series = { within: [] as number[], across: [] as number[], wideAcross: [] as number[] };
      for (const m of widths) {
        const w: number[] = [];
        const a: number[] = [];
        const wide: number[] = [];
        for (let n = 0; n < NETWORKS; n++) {
          const r = await blockStructure(cpu, {
            ...TWO,
            layers,
            widths: [m, m],
            family,
            seed: 4500 + n,
            directionSeed: 4600 + n,
          });
          w.push(r.withinBlocks);
          a.push(r.acrossBlocks);
          if (layers.length === 2 && layers.every((l) => l === 2))
            wide.push(
              Math.max(
                ...[
                  [0, 2],
                  [0, 3],
                  [1, 2],
                ].map(([i, j]) => r.median[i * L + j]),
              ),
            );
        }
        series.within.push(median(w));
        series.across.push(median(a));
        series.wideAcross.push(median(wide));
      }
      return {
        within: logLogSlope(widths, series.within),
        across: logLogSlope(widths, series.across),
        wideAcross: logLogSlope(widths, series.wideAcross),
      };
    };
    const fmt = (x: { within: number; across: number; wideAcross: number }) =>
      `${x.within.toFixed(2)} / ${x.across.toFixed(2)} / ${x.wideAcross.toFixed(2)}`;
    for (const family of ['aligned', 'tilted', 'gradient'] as const) {
      const s = await slopes(family);
      console.log(`block structure, ${family} (within / across / across, wide outputs): ${fmt(s)}`);
      expect(s.within, family).toBeLessThanOrEqual(-0.6);
      expect(Math.abs(s.across), family).toBeLessThanOrEqual(0.2);
      // Aligned, tilted: only the pair of narrow-output layers stays large; gradient: all do.
      if (family === 'gradient') expect(Math.abs(s.wideAcross)).toBeLessThanOrEqual(0.2);
      else expect(s.wideAcross, family).toBeLessThanOrEqual(-0.4);
    }
    const gaussian = await slopes('gaussian');
    const chained = await slopes('chained');
    const chained3 = await slopes('chained', [3, 3]);
    console.log(
      `block structure (within / across): gaussian ${fmt(gaussian)}, chained ${fmt(chained)}, chained L_b = 3 ${chained3.within.toFixed(2)} / ${chained3.across.toFixed(2)}`,
    );
    expect(gaussian.across).toBeLessThanOrEqual(-0.6);
    expect(chained.within).toBeGreaterThanOrEqual(-0.75);
    expect(chained.within).toBeLessThanOrEqual(-0.25);
    expect(chained.across).toBeLessThanOrEqual(-0.6);
    expect(chained3.within).toBeLessThanOrEqual(-0.6);
    expect(chained3.across).toBeLessThanOrEqual(-0.6);
  });
});
