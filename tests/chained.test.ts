// The `chained` direction family (model.md §3): Δ^(ℓ) = ξ_ℓ ⊗ ξ_{ℓ−1} inside a block, a block's
// first layer as `aligned`. Its construction, a closed form for one two-layer block, how fast its
// non-multilinear part falls with the width (Theorem 2's m^(−1/2), against aligned's 1/m) and the
// CPU engine against the float64 model. GPU vs CPU for chained is in gpu.test.ts.

import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { logLogSlope, median, nonMultilinearPart } from '../src/experiments/theorem';
import {
  buildDirections,
  cpuDirectionOps,
  type Direction,
  type DirectionLayer,
  type DirectionRequest,
} from '../src/model/directions';
import { drawInput, type Matrix } from '../src/model/network';
import {
  gridLanes,
  polynomialLanes,
  polynomialLayout,
  propagateLanes,
} from '../src/model/polynomial';
import { gaussianVector, Stream } from '../src/model/random';
import { type NetworkSpec, planLayers } from '../src/model/spec';
import { testShardSpawner } from './helpers/cpuPool';
import { deepSpec, directions, figure1Spec } from './helpers/specs';

function rankOne(piece: DirectionLayer): Extract<DirectionLayer, { kind: 'rankOne' }> {
  if (piece.kind !== 'rankOne') throw new Error(`expected a rank-one layer, got ${piece.kind}`);
  return piece;
}

/** ‖scale · u vᵀ‖_F = scale ‖u‖ ‖v‖ (0 for a zero layer). */
function frobenius(piece: DirectionLayer): number {
  if (piece.kind === 'zero') return 0;
  const p = rankOne(piece);
  return p.scale * Math.hypot(...p.u) * Math.hypot(...p.v);
}

function expectSameVector(a: Float64Array, b: Float64Array): void {
  expect(Array.from(a)).toEqual(Array.from(b));
}

/** The float64 model: each direction's per-block polynomial (or grid values), weights per use. */
async function reference(
  spec: NetworkSpec,
  req: DirectionRequest,
  grouping: 'single' | 'per-block' | null,
  ts: number[] = [],
): Promise<Matrix[]> {
  const dirs = await buildDirections(spec, req, cpuDirectionOps);
  const plan = grouping
    ? polynomialLanes(spec, polynomialLayout(spec, req.blockMask, grouping))
    : gridLanes(ts);
  const x = drawInput(spec.seed, spec.inputSize, 0);
  return dirs.map((d: Direction) => propagateLanes(spec, d, plan, x));
}

describe('chained directions: construction', () => {
  it('ξ_ℓ ⊗ ξ_{ℓ−1} inside each perturbed block, the first layer of a block as aligned', async () => {
    // Three blocks, block 1 unperturbed: block 2's first layer must read ĥ (not block 1's ξ).
    const spec: NetworkSpec = {
      blocks: [
        { layers: 2, width: 24 },
        { layers: 3, width: 16 },
        { layers: 2, width: 20 },
      ],
      inputSize: 3,
      bottleneckWidths: [2, 4],
      outputSize: 2,
      activation: 'identity',
      placement: 'none',
      seed: 5,
    };
    const mask = [false, true, true];
    const layers = planLayers(spec);
    const chained = await buildDirections(spec, directions('chained', mask, 3), cpuDirectionOps);
    const aligned = await buildDirections(spec, directions('aligned', mask, 3), cpuDirectionOps);
    for (const [d, dir] of chained.entries()) {
      for (const layer of layers) {
        const piece = dir.layers[layer.index];
        if (!mask[layer.block]) {
          expect(piece.kind).toBe('zero');
          continue;
        }
        const c = rankOne(piece);
        const a = rankOne(aligned[d].layers[layer.index]);
        // Output side: aligned's ξ_ℓ (stream alignedXi(d), row 0 of matrix ℓ, normalised).
        expectSameVector(c.u, a.u);
        const xi = gaussianVector(99, Stream.alignedXi(d), layer.index, layer.outSize);
        const norm = Math.hypot(...xi);
        for (const [i, v] of c.u.entries()) expect(v).toBeCloseTo(xi[i] / norm, 14);
        if (layer.indexInBlock === 0) expectSameVector(c.v, a.v);
        else expectSameVector(c.v, rankOne(dir.layers[layer.index - 1]).u);
        expect(frobenius(piece)).toBeCloseTo(1, 12);
      }
    }
  });

  it('global normalisation: √(#perturbed layers) in total, chained layers in ratio 1 : ‖h‖', async () => {
    const spec = deepSpec(32, 3);
    const [perLayer] = await buildDirections(
      spec,
      directions('chained', [true, true], 1),
      cpuDirectionOps,
    );
    const [global] = await buildDirections(
      spec,
      directions('chained', [true, true], 1, 'global'),
      cpuDirectionOps,
    );
    const norms = global.layers.map(frobenius);
    expect(Math.hypot(...norms)).toBeCloseTo(Math.sqrt(6), 12);
    // Within block 2 (layers 3, 4, 5) the raw pieces are ξ_3 ⊗ h_3, ξ_4 ⊗ ξ_3, ξ_5 ⊗ ξ_4: the two
    // chained layers keep one common size, and the vectors are the per-layer ones.
    expect(norms[4] / norms[5]).toBeCloseTo(1, 12);
    expect(norms[1] / norms[2]).toBeCloseTo(1, 12);
    for (let l = 0; l < 6; l++) {
      expectSameVector(rankOne(global.layers[l]).u, rankOne(perLayer.layers[l]).u);
      expectSameVector(rankOne(global.layers[l]).v, rankOne(perLayer.layers[l]).v);
    }
  });
});

describe('chained directions: one block 1 → m → 1 in closed form', () => {
  // p(t) = s_1 (W_1 + tΔ_1) s_0 (W_0 + tΔ_0) x with s_0 = 1, s_1 = 1/√m, Δ_0 = ξ_0 ⊗ sign(x),
  // Δ_1 = ξ_1 ⊗ ξ_0 and ξ_1 = ±1: c_2 = s_1 s_0 ξ_1 (ξ_0·ξ_0) |x| = ±1/√m, as x = ±1 for d = 1.
  for (const m of [64, 1000, 4096]) {
    for (const seed of [1, 2024, 0xdeadbeef]) {
      it(`√m · c_2 = ξ_1 = ±1 (m = ${m}, seed ${seed})`, async () => {
        const spec: NetworkSpec = {
          blocks: [{ layers: 2, width: m }],
          inputSize: 1,
          bottleneckWidths: [],
          outputSize: 1,
          activation: 'identity',
          placement: 'none',
          seed,
        };
        const req = { ...directions('chained', [true], 3), seed: (seed * 7 + 3) >>> 0 };
        const dirs = await buildDirections(spec, req, cpuDirectionOps);
        const aligned = await buildDirections(spec, { ...req, family: 'aligned' }, cpuDirectionOps);
        const layout = polynomialLayout(spec, [true], 'single');
        const plan = polynomialLanes(spec, layout);
        const x = drawInput(spec.seed, 1, 0);
        expect(Math.abs(x[0])).toBe(1);
        for (const [d, dir] of dirs.entries()) {
          const [first, second] = dir.layers.map(rankOne);
          expect(frobenius(first)).toBeCloseTo(1, 12);
          expect(frobenius(second)).toBeCloseTo(1, 12);
          expectSameVector(first.v, rankOne(aligned[d].layers[0]).v); // ĥ_0 = sign(x)
          expect(Math.abs(second.u[0])).toBe(1); // ξ_1 of a 1-wide output
          const c = propagateLanes(spec, dir, plan, x).data;
          expect(Math.abs(Math.sqrt(m) * c[2] - second.u[0])).toBeLessThan(1e-12);
        }
      });
    }
  }
});

describe('chained directions: the non-multilinear part against the width (float64)', () => {
  // B = 2, L_b = 2, widths [1, m, 1, m, 1] (Figure 1's network): every layer is O(m) to apply, and
  // each block's square term t_b² is Δ_1 Δ_0 (Δ_3 Δ_2), which chaining makes ±|x|/√m times the
  // other block's value at W_init, instead of aligned's O(1/m). Along chained directions the
  // first-order terms are O(1/√m) as well (a block's last layer reads ξ, not the features), so a
  // part relative to all terms would stay O(1): the rate shows in the absolute size
  // (nonMultilinearPart, what the width sweep plots), which is what Theorem 2 bounds.
  //
  // Each seed's slope scatters (−0.2 … −0.9 measured): the O(1) values of the blocks at W_init
  // that multiply t_b² change with m. The median over 24 networks × 2 directions at each m is
  // stable: −0.48 here, −0.48 … −0.61 over eight disjoint sets of 24 seeds, a little below −1/2
  // because the 1/m terms (t_1² t_2, t_1 t_2², …) still count at m = 64. Aligned: −0.95 … −1.06.
  const widths = [64, 128, 256, 512, 1024, 2048, 4096];
  const seeds = Array.from({ length: 24 }, (_, i) => i + 1);
  const R = 1;

  async function sweep(family: DirectionRequest['family']) {
    const size: number[][] = widths.map(() => []);
    const perSeed: number[] = [];
    for (const seed of seeds) {
      const mine: number[] = [];
      for (const [i, m] of widths.entries()) {
        const spec = { ...figure1Spec(m), seed };
        const req = { ...directions(family, [true, true], 2), seed: 1000 + seed };
        const layout = polynomialLayout(spec, req.blockMask, 'per-block');
        for (const p of await reference(spec, req, 'per-block')) {
          size[i].push(nonMultilinearPart(layout, p.data, R));
        }
        mine.push(median(size[i].slice(-2)));
      }
      perSeed.push(logLogSlope(widths, mine));
    }
    return { slope: logLogSlope(widths, size.map(median)), perSeed };
  }

  it('chained: slope ≈ −1/2 (the bound is tight); aligned: ≈ −1', async () => {
    const chained = await sweep('chained');
    const aligned = await sweep('aligned');
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `non-multilinear part, slope of medians: chained ${chained.slope.toFixed(3)}, aligned ${aligned.slope.toFixed(3)}\n` +
        `  per seed, chained: ${fmt(chained.perSeed)}\n  per seed, aligned: ${fmt(aligned.perSeed)}`,
    );
    expect(chained.slope).toBeGreaterThanOrEqual(-0.65);
    expect(chained.slope).toBeLessThanOrEqual(-0.35);
    expect(aligned.slope).toBeLessThanOrEqual(-0.8);
  });
});

describe('chained directions: the CPU engine against the float64 model', () => {
  const engines: CpuEngine[] = [];
  afterAll(() => {
    for (const e of engines) e.destroy();
  });
  const cases: [string, NetworkSpec, DirectionRequest][] = [
    ['Figure 1 m=10^4 all', figure1Spec(10_000), directions('chained', [true, true], 3)],
    ['deep m=300 W_2', deepSpec(300), directions('chained', [false, true], 3)],
    ['deep m=200 all global', deepSpec(200), directions('chained', [true, true], 2, 'global')],
  ];
  for (const [pooled, label] of [
    [true, 'worker pool'],
    [false, 'in-thread'],
  ] as const) {
    for (const [name, spec, req] of cases) {
      it(`${name}, ${label}: polynomial and grid`, async () => {
        const engine = new CpuEngine(pooled ? { spawn: testShardSpawner(), workers: 2 } : {});
        engines.push(engine);
        const want = await reference(spec, req, 'per-block');
        const got = await engine.polynomial({ spec, directions: req, grouping: 'per-block' });
        expect(got.engine.precision).toBe('float64');
        expectClose(got.coefficients, want, 1e-12);
        const ts = [-1.3, 0, 0.4, 2];
        const grid = await engine.grid({ spec, directions: req, ts });
        expectClose(grid.values, await reference(spec, req, null, ts), 1e-12);
      });
    }
  }
});

/** max |got − want| ≤ tol · max |want| over every direction. */
function expectClose(got: Matrix[], want: Matrix[], tol: number): void {
  let err = 0;
  let scale = 0;
  want.forEach((m, d) => {
    m.data.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs(got[d].data[i] - v));
    });
  });
  expect(err).toBeLessThanOrEqual(tol * scale);
}
