import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { runGrid, runPolynomial } from '../src/engine/requests';
import type { LaneRunner } from '../src/engine/types';
import type { DirectionOps, DirectionRequest } from '../src/model/directions';
import { generatedMatMul } from '../src/model/network';
import { type NetworkSpec, SpecError, validateSpec } from '../src/model/spec';
import { directions, figure1Spec } from './helpers/specs';

const good = figure1Spec(64);

type Case = [string, (s: NetworkSpec) => NetworkSpec, string, RegExp];
const cases: Case[] = [
  [
    'B = 0',
    (s) => ({ ...s, blocks: [], bottleneckWidths: [] }),
    'blocks.length (B)',
    /from 1 to 6/,
  ],
  [
    'B = 7',
    (s) => ({
      ...s,
      blocks: Array(7).fill({ layers: 1, width: 4 }),
      bottleneckWidths: Array(6).fill(1),
    }),
    'blocks.length (B)',
    /from 1 to 6/,
  ],
  [
    'zero layers',
    (s) => ({ ...s, blocks: [{ layers: 0, width: 4 }, s.blocks[1]] }),
    'blocks[0].layers',
    /from 1 to 8/,
  ],
  [
    'non-integer width',
    (s) => ({ ...s, blocks: [s.blocks[0], { layers: 2, width: 10.5 }] }),
    'blocks[1].width',
    /integer/,
  ],
  [
    'negative width',
    (s) => ({ ...s, blocks: [{ layers: 2, width: -3 }, s.blocks[1]] }),
    'blocks[0].width',
    /from 1 to 65536/,
  ],
  [
    'width over the limit',
    (s) => ({ ...s, blocks: [{ layers: 2, width: 100_000 }, s.blocks[1]] }),
    'blocks[0].width',
    /65536/,
  ],
  ['NaN input size', (s) => ({ ...s, inputSize: Number.NaN }), 'inputSize', /NaN is invalid/],
  ['zero output size', (s) => ({ ...s, outputSize: 0 }), 'outputSize', /from 1 to 64/],
  [
    'wrong bottleneck count',
    (s) => ({ ...s, bottleneckWidths: [1, 2] }),
    'bottleneckWidths',
    /B − 1 = 1/,
  ],
  [
    'zero bottleneck',
    (s) => ({ ...s, bottleneckWidths: [0] }),
    'bottleneckWidths[0]',
    /from 1 to 64/,
  ],
  [
    'unknown activation',
    (s) => ({ ...s, activation: 'sigmoid' as never }),
    'activation',
    /identity, tanh, relu/,
  ],
  [
    'unknown placement',
    (s) => ({ ...s, placement: 'everywhere' as never }),
    'placement',
    /none, all/,
  ],
  ['negative seed', (s) => ({ ...s, seed: -1 }), 'seed', /from 0 to 4294967295/],
];

describe('bad specs', () => {
  for (const [label, mutate, field, message] of cases) {
    it(`rejects ${label} naming ${field}, and computes nothing`, async () => {
      const spec = mutate(structuredClone(good));
      expect(() => validateSpec(spec)).toThrow(SpecError);
      try {
        validateSpec(spec);
      } catch (error) {
        expect((error as SpecError).field).toBe(field);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message.startsWith(field)).toBe(true);
      }
      // Count every wide operation the request logic asks for: there must be none.
      let calls = 0;
      const ops: DirectionOps = {
        matmul: (...args) => {
          calls++;
          return generatedMatMul(...args);
        },
        denseNormSquared: () => {
          calls++;
          return 1;
        },
      };
      const runner: LaneRunner = {
        propagate: async () => {
          calls++;
          return {
            outputs: [],
            store: {
              path: 'generated',
              storedMatrices: 0,
              generatedMatrices: 0,
              bytes: 0,
              budgetBytes: 0,
            },
          };
        },
      };
      const info = new CpuEngine().info;
      const req = directions('aligned', spec.blocks?.map(() => true) ?? [true]);
      await expect(
        runPolynomial(info, ops, runner, { spec, directions: req, grouping: 'single' }),
      ).rejects.toThrow(SpecError);
      await expect(
        runGrid(info, ops, runner, { spec, directions: req, ts: [0, 1] }),
      ).rejects.toThrow(SpecError);
      expect(calls).toBe(0);
    });
  }

  it('rejects bad direction requests by field', async () => {
    const engine = new CpuEngine();
    const bad = [
      [{ ...directions('aligned', [true, true]), count: 0 }, 'directions'],
      [{ ...directions('aligned', [true, true]), family: 'random' as never }, 'family'],
      [{ ...directions('aligned', [true, true]), blockMask: [false, false] }, 'blockMask'],
      [{ ...directions('aligned', [true, true]), blockMask: [true] }, 'blockMask'],
      [{ ...directions('aligned', [true, true]), outputIndex: 1 }, 'outputIndex'],
    ] as [DirectionRequest, string][];
    for (const [req, field] of bad) {
      await expect(
        engine.polynomial({ spec: good, directions: req, grouping: 'single' }),
      ).rejects.toMatchObject({ field });
    }
    await expect(
      engine.grid({
        spec: good,
        directions: directions('aligned', [true, true]),
        ts: [0, Number.POSITIVE_INFINITY],
      }),
    ).rejects.toMatchObject({ field: 'ts[1]' });
    await expect(
      engine.polynomial({
        spec: figure1Spec(64, 'tanh', 'all'),
        directions: directions('aligned', [true, true]),
        grouping: 'single',
      }),
    ).rejects.toMatchObject({ field: 'activation' });
  });
});
