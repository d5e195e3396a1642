// Lemma 1(b)'s block structure: the mixed second derivatives ∂²g/∂t_ℓ∂t_ℓ' with one variable per
// layer. Within a block they vanish as m grows; across a bottleneck they stay Ω(1). With σ =
// identity they are exact: the coefficient of t_ℓ t_ℓ' in the per-layer polynomial.

import type { Engine, RunOptions } from '../engine/types';
import { MAX_POLYNOMIAL_TERMS, multiIndex } from '../model/polynomial';
import { isLinearNetwork, planLayers, SpecError } from '../model/spec';
import { directionRequest } from './figure';
import { type FigureSettings, networkSpec } from './settings';
import { median } from './theorem';

export interface BlockStructure {
  /** Block of each layer ℓ (for drawing the block boundaries). */
  blockOfLayer: number[];
  /** Median over directions of |∂²g/∂t_ℓ∂t_ℓ'|, L × L row-major (diagonal 0: g is linear in each layer). */
  median: number[];
  /**
   * Largest within-block and across-block entries. Lemma 1(b) bounds operator norms, i.e. the
   * worst pair: along aligned directions only the pairs of narrow-output layers are Ω(1).
   */
  withinBlocks: number;
  acrossBlocks: number;
  precision: 'float32' | 'float64';
}

export async function blockStructure(
  engine: Engine,
  settings: FigureSettings,
  options: RunOptions = {},
): Promise<BlockStructure> {
  const spec = networkSpec(settings);
  if (!isLinearNetwork(spec)) {
    throw new SpecError(
      'activation',
      settings.activation,
      'mixed derivatives are read off the exact polynomial, which needs σ = identity',
    );
  }
  const layers = planLayers(spec);
  const L = layers.length;
  if (2 ** L > MAX_POLYNOMIAL_TERMS) {
    throw new SpecError(
      'layers',
      settings.layers,
      `one variable per layer gives 2^${L} terms; at most ${MAX_POLYNOMIAL_TERMS} (12 layers)`,
    );
  }
  const result = await engine.polynomial(
    {
      spec,
      directions: directionRequest(
        settings,
        spec.blocks.map(() => true),
      ),
      grouping: 'per-layer',
    },
    options,
  );
  const { layout } = result;
  const o = settings.outputIndex;
  // For each pair ℓ < ℓ', the term whose exponents are 1 at ℓ and ℓ' and 0 elsewhere.
  const pairTerm = new Map<number, [number, number]>();
  for (let c = 0; c < layout.size; c++) {
    const alpha = multiIndex(layout, c);
    const ones = alpha.flatMap((a, v) => (a === 1 ? [v] : []));
    if (ones.length === 2 && alpha.every((a) => a <= 1)) pairTerm.set(c, [ones[0], ones[1]]);
  }
  const perPair: number[][] = Array.from({ length: L * L }, () => []);
  for (const m of result.coefficients) {
    const row = m.data.subarray(o * layout.size, (o + 1) * layout.size);
    for (const [c, [a, b]] of pairTerm) {
      perPair[a * L + b].push(Math.abs(row[c]));
      perPair[b * L + a].push(Math.abs(row[c]));
    }
  }
  const grid = perPair.map(median);
  const blockOfLayer = layers.map((l) => l.block);
  const within: number[] = [];
  const across: number[] = [];
  for (let a = 0; a < L; a++) {
    for (let b = a + 1; b < L; b++)
      (blockOfLayer[a] === blockOfLayer[b] ? within : across).push(grid[a * L + b]);
  }
  return {
    blockOfLayer,
    median: grid,
    withinBlocks: Math.max(0, ...within),
    acrossBlocks: Math.max(0, ...across),
    precision: engine.info.precision,
  };
}
