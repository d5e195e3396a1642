import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { buildDirections, cpuDirectionOps } from '../src/model/directions';
import { drawInput, forward } from '../src/model/network';
import {
  evaluateMultivariate,
  evaluatePolynomial,
  multiIndex,
  type PolynomialLayout,
  polynomialLanes,
  polynomialLayout,
  propagateLanes,
  totalDegreeCoefficients,
} from '../src/model/polynomial';
import type { NetworkSpec } from '../src/model/spec';
import { deepSpec, directions, figure1Spec } from './helpers/specs';

const cpu = new CpuEngine();

function univariate(
  coefficients: { data: Float64Array },
  layout: PolynomialLayout,
  output = 0,
): Float64Array {
  const row = coefficients.data.subarray(output * layout.size, (output + 1) * layout.size);
  return totalDegreeCoefficients(layout, row);
}

/** A layout with room for degrees above the bound, so a wrong shift would show up as non-zero. */
function roomyLayout(
  spec: NetworkSpec,
  mask: boolean[],
  grouping: 'single' | 'per-block',
  room: number,
): PolynomialLayout {
  const tight = polynomialLayout(spec, mask, grouping);
  const degrees = tight.degrees.map((d) => d + room);
  const strides: number[] = [];
  let size = 1;
  for (const d of degrees) {
    strides.push(size);
    size *= d + 1;
  }
  return { ...tight, degrees, strides, size };
}

describe('exact polynomial by coefficient propagation', () => {
  const spec: NetworkSpec = {
    ...deepSpec(24, 2),
    blocks: [
      { layers: 2, width: 24 },
      { layers: 3, width: 16 },
    ],
  };
  for (const family of ['gaussian', 'aligned', 'tilted', 'gradient'] as const) {
    for (const normalisation of ['per-layer', 'global'] as const) {
      it(`equals direct evaluation at random t (${family}, ${normalisation})`, async () => {
        const req = directions(family, [true, true], 3, normalisation);
        const poly = await cpu.polynomial({ spec, directions: req, grouping: 'single' });
        const ts = [-2.7, -0.9, 0.31, 1.4, 3.3];
        const grid = await cpu.grid({ spec, directions: req, ts });
        for (let d = 0; d < req.count; d++) {
          for (let o = 0; o < spec.outputSize; o++) {
            const c = univariate(poly.coefficients[d], poly.layout, o);
            ts.forEach((t, i) => {
              const direct = grid.values[d].data[o * ts.length + i];
              expect(Math.abs(evaluatePolynomial(c, t) - direct)).toBeLessThan(
                1e-10 * Math.max(1, Math.abs(direct)),
              );
            });
          }
        }
      });
    }
  }

  it('gives the per-block polynomial p(t_1, t_2) = g(W + t_1Δ_1 + t_2Δ_2)', async () => {
    const req = directions('aligned', [true, true], 2);
    const poly = await cpu.polynomial({ spec, directions: req, grouping: 'per-block' });
    // The same directions restricted to one block each (the pieces are per layer, so equal).
    const [d1] = await buildDirections(
      spec,
      { ...req, count: 1, blockMask: [true, false] },
      cpuDirectionOps,
    );
    const [d2] = await buildDirections(
      spec,
      { ...req, count: 1, blockMask: [false, true] },
      cpuDirectionOps,
    );
    // Combine the two block directions into one with t_1 = 0.7, t_2 = −1.3 by scaling pieces.
    const t1 = 0.7;
    const t2 = -1.3;
    const combined = {
      layers: d1.layers.map((piece, l) => {
        const other = d2.layers[l];
        if (piece.kind !== 'zero') return { ...piece, scale: piece.scale * t1 };
        if (other.kind !== 'zero') return { ...other, scale: other.scale * t2 };
        return piece;
      }),
    };
    const x = drawInput(spec.seed, spec.inputSize);
    const direct = propagateLanes(
      spec,
      combined,
      {
        lanes: 1,
        startsAtInput: () => true,
        coupling: () => ({ source: Int32Array.of(0), weight: Float64Array.of(1) }),
      },
      x,
    );
    const p = poly.coefficients[0].data.subarray(0, poly.layout.size);
    expect(Math.abs(evaluateMultivariate(poly.layout, p, [t1, t2]) - direct.data[0])).toBeLessThan(
      1e-10 * Math.max(1, Math.abs(direct.data[0])),
    );
  });

  it('has exactly zero coefficients above the number of perturbed layers', async () => {
    const x = drawInput(spec.seed, spec.inputSize);
    for (const mask of [
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const [direction] = await buildDirections(
        spec,
        directions('gaussian', mask, 1),
        cpuDirectionOps,
      );
      const layout = roomyLayout(spec, mask, 'single', 3);
      const out = propagateLanes(spec, direction, polynomialLanes(spec, layout), x);
      const perturbed = spec.blocks.reduce((s, b, i) => s + (mask[i] ? b.layers : 0), 0);
      for (let j = 0; j < layout.size; j++) {
        if (j <= perturbed) expect(out.data[j]).not.toBe(0);
        else expect(out.data[j]).toBe(0);
      }
    }
  });

  it('has degree at most L_b in each block variable', async () => {
    const x = drawInput(spec.seed, spec.inputSize);
    const [direction] = await buildDirections(
      spec,
      directions('aligned', [true, true], 1),
      cpuDirectionOps,
    );
    const layout = roomyLayout(spec, [true, true], 'per-block', 2);
    const out = propagateLanes(spec, direction, polynomialLanes(spec, layout), x);
    let nonZero = 0;
    for (let c = 0; c < layout.size; c++) {
      const alpha = multiIndex(layout, c);
      const within = alpha.every((a, b) => a <= spec.blocks[b].layers);
      if (!within) expect(out.data[c]).toBe(0);
      else if (out.data[c] !== 0) nonZero++;
    }
    expect(nonZero).toBe((2 + 1) * (3 + 1));
  });

  it('starts at g(W_init; x)', async () => {
    const poly = await cpu.polynomial({
      spec,
      directions: directions('aligned', [true, true], 1),
      grouping: 'single',
    });
    const g = await forward(spec, drawInput(spec.seed, spec.inputSize));
    expect(poly.coefficients[0].data[0]).toBeCloseTo(g[0], 12);
  });
});

describe("the paper's claims, float64", () => {
  it('B = 1 along aligned directions is nearly linear at large m and clearly not at m = 4', async () => {
    const ratio = async (width: number) => {
      const spec: NetworkSpec = {
        blocks: [{ layers: 3, width }],
        inputSize: 1,
        bottleneckWidths: [],
        outputSize: 1,
        activation: 'identity',
        placement: 'none',
        seed: 5,
      };
      const poly = await cpu.polynomial({
        spec,
        directions: directions('aligned', [true], 9),
        grouping: 'single',
      });
      const ratios = poly.coefficients.map((c) => {
        const u = univariate(c, poly.layout);
        return Math.max(Math.abs(u[2]), Math.abs(u[3])) / Math.abs(u[1]);
      });
      return ratios.sort((a, b) => a - b)[4]; // median of 9
    };
    expect(await ratio(1024)).toBeLessThan(0.01); // measured median 0.001
    expect(await ratio(4)).toBeGreaterThan(0.1); // measured median 0.16
  });

  it('Figure 1 (m = 10^4, aligned): quadratic overall, linear in each block', async () => {
    const spec = figure1Spec(10_000);
    const all = await cpu.polynomial({
      spec,
      directions: directions('aligned', [true, true]),
      grouping: 'single',
    });
    const w1 = await cpu.polynomial({
      spec,
      directions: directions('aligned', [true, false]),
      grouping: 'single',
    });
    const w2 = await cpu.polynomial({
      spec,
      directions: directions('aligned', [false, true]),
      grouping: 'single',
    });
    for (let d = 0; d < 5; d++) {
      const c = univariate(all.coefficients[d], all.layout);
      expect(Math.abs(c[2])).toBeGreaterThan(0.05);
      expect(Math.abs(c[3])).toBeLessThan(0.01 * Math.abs(c[2]));
      expect(Math.abs(c[4])).toBeLessThan(0.01 * Math.abs(c[2]));
      for (const single of [w1, w2]) {
        const s = univariate(single.coefficients[d], single.layout);
        expect(Math.abs(s[2])).toBeLessThan(0.01 * Math.abs(s[1]));
      }
    }
  });

  it('gaussian directions at m = 10^4 move g only by O(1/√m)', async () => {
    const spec = figure1Spec(10_000);
    const all = await cpu.polynomial({
      spec,
      directions: directions('gaussian', [true, true]),
      grouping: 'single',
    });
    for (const c of all.coefficients) {
      const u = univariate(c, all.layout);
      expect(Math.abs(u[1])).toBeLessThan(0.1);
      expect(Math.abs(u[2])).toBeLessThan(0.01);
    }
  });
});

describe('direction families', () => {
  const spec = deepSpec(32, 2);
  it('give unit Frobenius norm per perturbed layer (per-layer) or √(#layers) in total (global)', async () => {
    for (const family of ['aligned', 'tilted', 'gradient'] as const) {
      for (const normalisation of ['per-layer', 'global'] as const) {
        const dirs = await buildDirections(
          spec,
          directions(family, [true, false], 2, normalisation),
          cpuDirectionOps,
        );
        for (const d of dirs) {
          const norms = d.layers.map((piece) => {
            if (piece.kind !== 'rankOne') return 0;
            const nu = Math.hypot(...piece.u);
            const nv = Math.hypot(...piece.v);
            return piece.scale * nu * nv;
          });
          expect(norms.slice(2)).toEqual([0, 0]); // block 2 not perturbed
          if (normalisation === 'per-layer') {
            for (const n of norms.slice(0, 2)) expect(n).toBeCloseTo(1, 12);
          } else expect(Math.hypot(...norms)).toBeCloseTo(Math.SQRT2, 12);
        }
      }
    }
  });

  it('tilted: ξ as aligned, input side turned by θ < π/2 towards a vector orthogonal to h', async () => {
    const [aligned] = await buildDirections(
      spec,
      directions('aligned', [true, true], 1),
      cpuDirectionOps,
    );
    const [tilted] = await buildDirections(
      spec,
      directions('tilted', [true, true], 1),
      cpuDirectionOps,
    );
    for (let l = 1; l < aligned.layers.length; l++) {
      const a = aligned.layers[l];
      const t = tilted.layers[l];
      if (a.kind !== 'rankOne' || t.kind !== 'rankOne') throw new Error('expected rank one');
      expect(Array.from(t.u)).toEqual(Array.from(a.u));
      const cos = a.v.reduce((s, x, i) => s + x * t.v[i], 0);
      expect(cos).toBeGreaterThan(0);
      expect(cos).toBeLessThan(1 - 1e-6);
      expect(Math.hypot(...t.v)).toBeCloseTo(1, 12);
    }
  });
});
