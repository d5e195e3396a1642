// GPU vs CPU on a real WebGPU adapter (Dawn on SwiftShader in CI). These tests fail, never skip,
// when no adapter is found: a GPU engine that cannot be checked is not a passing one.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { GpuEngine } from '../src/engine/gpu';
import type { GpuContext } from '../src/engine/gpu/context';
import { setupOps } from '../src/engine/gpu/directions';
import { buildDirections, cpuDirectionOps, type DirectionRequest } from '../src/model/directions';
import type { Matrix } from '../src/model/network';
import { generatedMatMul, repeatColumn } from '../src/model/network';
import { gaussianFromWord, philox4x32, Stream } from '../src/model/random';
import { isLinearNetwork, type NetworkSpec } from '../src/model/spec';
import { PHILOX_KAT } from './helpers/kat';
import { nodeGpu } from './helpers/nodeGpu';
import { deepSpec, directions, figure1Spec } from './helpers/specs';

let gpu: GpuEngine;
const cpu = new CpuEngine();

beforeAll(async () => {
  gpu = await GpuEngine.create(nodeGpu());
  const info = gpu.adapterInfo;
  console.log(
    `WebGPU adapter: ${gpu.info.adapter} (vendor=${info.vendor}, architecture=${info.architecture}, device=${info.device}, description=${info.description})`,
  );
});

afterAll(() => gpu?.destroy());

/** max |a − b| ≤ tol · max |b|: the float32 accuracy of a whole vector, in its own units. */
function expectClose(gpuValues: Matrix, cpuValues: Matrix, tol: number, what: string): void {
  expect(gpuValues.data.length).toBe(cpuValues.data.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < cpuValues.data.length; i++) {
    scale = Math.max(scale, Math.abs(cpuValues.data[i]));
    err = Math.max(err, Math.abs(gpuValues.data[i] - cpuValues.data[i]));
  }
  expect(Number.isFinite(err), `${what}: non-finite GPU value`).toBe(true);
  expect(
    err,
    `${what}: max error ${err.toExponential(2)} vs scale ${scale.toExponential(2)}`,
  ).toBeLessThanOrEqual(tol * scale);
}

describe('generator on the GPU', () => {
  it('gives bit-identical Philox words and matching Gaussians', async () => {
    const inputs: number[] = [];
    for (const [ctr, key] of PHILOX_KAT) inputs.push(...ctr, ...key);
    let state = 0x12345678;
    const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < 4000; i++) for (let j = 0; j < 6; j++) inputs.push(next());
    const { words, gaussians } = await gpu.generatorWords(Uint32Array.from(inputs));
    const expected = new Uint32Array(4);
    let maxGaussErr = 0;
    for (let i = 0; i < inputs.length / 6; i++) {
      const b = i * 6;
      philox4x32(
        inputs[b],
        inputs[b + 1],
        inputs[b + 2],
        inputs[b + 3],
        inputs[b + 4],
        inputs[b + 5],
        expected,
      );
      expect(Array.from(words.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(expected));
      for (let e = 0; e < 4; e++) {
        const z = gaussianFromWord(expected[e]);
        maxGaussErr = Math.max(
          maxGaussErr,
          Math.abs(gaussians[i * 4 + e] - z) / Math.max(1, Math.abs(z)),
        );
      }
    }
    expect(Array.from(words.subarray(0, 4))).toEqual(PHILOX_KAT[0][2]);
    expect(maxGaussErr).toBeLessThan(2e-6);
  });

  it('computes generated products and norms like the float64 model', async () => {
    for (const [rows, cols, n] of [
      [70, 33, 3],
      [1024, 1024, 2],
      [5, 1000, 7],
      [300, 200, 130], // many lanes: the 128-lane tile variant
      [2, 3000, 70], // narrow output, many lanes: split-K with wide tiles
    ]) {
      const x = repeatColumn(
        Float64Array.from({ length: cols }, (_, i) => Math.sin(i + 1)),
        n,
      );
      for (let c = 0; c < n; c++) for (let r = 0; r < cols; r++) x.data[r * n + c] *= c + 1;
      const want = generatedMatMul(3, Stream.weights, 2, rows, cols, x, 0.5, false);
      const got = await gpu.generatedMatMul(3, Stream.weights, 2, rows, cols, x, 0.5, false);
      expectClose(got, want, 1e-4, `G X ${rows}×${cols}`);
      const xt = repeatColumn(
        Float64Array.from({ length: rows }, (_, i) => Math.cos(i)),
        n,
      );
      const wantT = generatedMatMul(3, Stream.weights, 2, rows, cols, xt, 0.5, true);
      const gotT = await gpu.generatedMatMul(3, Stream.weights, 2, rows, cols, xt, 0.5, true);
      expectClose(gotT, wantT, 1e-4, `Gᵀ X ${rows}×${cols}`);
    }
    const norm = await gpu.denseNormSquared(9, Stream.denseDirection(1), 0, 300, 301);
    const { generatedNormSquared } = await import('../src/model/network');
    const want = generatedNormSquared(9, Stream.denseDirection(1), 0, 300, 301);
    expect(Math.abs(norm - want) / want).toBeLessThan(1e-5);
  });
});

async function compare(spec: NetworkSpec, req: DirectionRequest, label: string) {
  const linear = isLinearNetwork(spec);
  if (linear) {
    for (const grouping of ['single', 'per-block'] as const) {
      const [g, c] = await Promise.all([
        gpu.polynomial({ spec, directions: req, grouping }),
        cpu.polynomial({ spec, directions: req, grouping }),
      ]);
      expect(g.engine.precision).toBe('float32');
      g.coefficients.forEach((m, d) => {
        expectClose(m, c.coefficients[d], 1e-4, `${label} ${grouping} direction ${d}`);
      });
    }
  }
  const ts = [-1.5, -0.4, 0, 0.8, 2];
  const [g, c] = await Promise.all([
    gpu.grid({ spec, directions: req, ts }),
    cpu.grid({ spec, directions: req, ts }),
  ]);
  g.values.forEach((m, d) => {
    expectClose(m, c.values[d], 1e-4, `${label} grid direction ${d}`);
  });
}

describe('GPU engine vs CPU engine, fixed specs', () => {
  const cases: [string, NetworkSpec, DirectionRequest][] = [
    ['Figure 1 m=10^4 aligned all', figure1Spec(10_000), directions('aligned', [true, true], 5)],
    ['Figure 1 m=10^4 gaussian W_1', figure1Spec(10_000), directions('gaussian', [true, false], 3)],
    [
      'Figure 1 m=10^4 tanh all',
      figure1Spec(10_000, 'tanh', 'all'),
      directions('aligned', [true, true], 3),
    ],
    [
      'deep m=256 gradient global',
      deepSpec(256),
      directions('gradient', [true, true], 2, 'global'),
    ],
    ['deep m=1024 aligned W_2', deepSpec(1024, 2), directions('aligned', [false, true], 2)],
    ['Figure 1 m=10^4 chained all', figure1Spec(10_000), directions('chained', [true, true], 3)],
    [
      'deep m=256 chained W_2 global',
      deepSpec(256),
      directions('chained', [false, true], 2, 'global'),
    ],
    ['deep m=1024 gaussian all', deepSpec(1024, 2), directions('gaussian', [true, true], 1)],
    [
      'B=3 relu inside-blocks',
      {
        blocks: [
          { layers: 2, width: 64 },
          { layers: 1, width: 8 },
          { layers: 3, width: 48 },
        ],
        inputSize: 3,
        bottleneckWidths: [2, 3],
        outputSize: 2,
        activation: 'relu',
        placement: 'inside-blocks',
        seed: 4,
      },
      directions('gradient', [true, false, true], 3),
    ],
  ];
  for (const [label, spec, req] of cases) {
    it(label, async () => compare(spec, req, label));
  }
});

describe('direction set-up on the GPU', () => {
  it('chained directions are made in one submit and read-back, like aligned ones', async () => {
    // setupOps prefetches the forward trace and every ξ row at once (gpu/directions.ts); chained
    // directions need exactly those. Count the round trips buildDirections makes through it.
    const ctx = (gpu as unknown as { ctx: GpuContext }).ctx;
    const spec = deepSpec(300, 3);
    for (const family of ['aligned', 'chained'] as const) {
      const req = directions(family, [true, true], 3);
      const runAndRead = ctx.submitter.runAndRead.bind(ctx.submitter);
      let readBacks = 0;
      ctx.submitter.runAndRead = (...args) => {
        readBacks++;
        return runAndRead(...args);
      };
      try {
        const got = await buildDirections(spec, req, setupOps(ctx, spec, req));
        const want = await buildDirections(spec, req, cpuDirectionOps);
        expect(readBacks, family).toBe(1);
        for (const [i, d] of got.entries()) {
          for (const [l, piece] of d.layers.entries()) {
            const ref = want[i].layers[l];
            if (piece.kind !== 'rankOne' || ref.kind !== 'rankOne') throw new Error('rank one');
            // float32 trace and ξ rows against float64: unit vectors agree to about 1e-7.
            for (const [a, b] of [
              [piece.u, ref.u],
              [piece.v, ref.v],
            ]) {
              const err = Math.max(...a.map((v, k) => Math.abs(v - b[k])));
              expect(err, `${family} direction ${i} layer ${l}`).toBeLessThan(1e-5);
            }
          }
        }
      } finally {
        ctx.submitter.runAndRead = runAndRead;
      }
    }
  });
});

describe('GPU engine vs CPU engine, random valid specs', () => {
  it('agrees within float32 tolerance (property-based)', async () => {
    const specArb = fc
      .record({
        B: fc.integer({ min: 1, max: 3 }),
        layers: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        widths: fc.array(fc.integer({ min: 1, max: 96 }), { minLength: 3, maxLength: 3 }),
        narrow: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
        activation: fc.constantFrom('identity', 'tanh', 'relu'),
        placement: fc.constantFrom('none', 'all', 'inside-blocks', 'first-block'),
        seed: fc.integer({ min: 0, max: 0xffffffff }),
        family: fc.constantFrom('gaussian', 'aligned', 'tilted', 'gradient', 'chained'),
        normalisation: fc.constantFrom('per-layer', 'global'),
        mask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        count: fc.integer({ min: 1, max: 3 }),
      })
      .map((r) => {
        const spec: NetworkSpec = {
          blocks: Array.from({ length: r.B }, (_, b) => ({
            layers: r.layers[b],
            width: r.widths[b],
          })),
          inputSize: r.narrow[0],
          bottleneckWidths: r.narrow.slice(1, r.B),
          outputSize: r.narrow[3],
          activation: r.activation as NetworkSpec['activation'],
          placement: r.placement as NetworkSpec['placement'],
          seed: r.seed,
        };
        const mask = r.mask.slice(0, r.B);
        if (!mask.some(Boolean)) mask[0] = true;
        const req: DirectionRequest = {
          family: r.family as DirectionRequest['family'],
          normalisation: r.normalisation as DirectionRequest['normalisation'],
          blockMask: mask,
          count: r.count,
          seed: (r.seed ^ 0x5bd1e995) >>> 0,
          outputIndex: r.narrow[3] - 1,
        };
        return { spec, req };
      });
    await fc.assert(
      fc.asyncProperty(specArb, async ({ spec, req }) => compare(spec, req, JSON.stringify(spec))),
      { numRuns: 25, seed: 20261123 },
    );
  });
});
