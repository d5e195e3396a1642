// The degree table (Theorem 2): for every non-empty set S of blocks, perturb only those blocks and
// measure the degree of t ↦ g, in total and in each block. The theorem predicts |S| in total and
// 1 in each block, whatever the depths L_b. Read off the all-weights per-block polynomial
// p(t_1 … t_B): perturbing only S is setting t_b = 0 for b ∉ S, so one engine pass gives every row.

import { type PolynomialLayout, totalDegreeCoefficients } from '../model/polynomial';
import type { NetworkSpec } from '../model/spec';
import {
  measuredDegree,
  median,
  nonMultilinearPart,
  restrictToVariables,
  variableDegrees,
} from './theorem';

export interface DegreeRow {
  /** The perturbed blocks S, numbered from 1. */
  blocks: number[];
  /** Theorem 2's degree: |S|. */
  predicted: number;
  /** Measured total degree: the largest over the directions (see measuredDegree). */
  degree: number;
  /** Measured total degree per direction. */
  perDirection: number[];
  /** Degree in t_b for each block of S (largest over the directions); the theorem says 1. */
  blockDegrees: number[];
  /** L_b for each block of S. */
  layers: number[];
  /** Median over directions of the non-multilinear part of p restricted to S, on |t_b| ≤ R. */
  nonMultilinear: number;
}

/** Every non-empty subset of 0 … B−1, by size, then in lexicographic order. */
export function blockSubsets(B: number): number[][] {
  const subsets: number[][] = [];
  for (let mask = 1; mask < 1 << B; mask++) {
    subsets.push(Array.from({ length: B }, (_, b) => b).filter((b) => mask & (1 << b)));
  }
  return subsets.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

/**
 * One row per non-empty set of blocks, from the per-block polynomial of each direction (`rows`,
 * coefficients in `layout`, one variable per block in block order).
 */
export function degreeTable(
  spec: NetworkSpec,
  layout: PolynomialLayout,
  rows: ArrayLike<number>[],
  noiseFloor: number,
  R: number,
): DegreeRow[] {
  const B = spec.blocks.length;
  return blockSubsets(B).map((blocks) => {
    const restricted = rows.map((p) => restrictToVariables(layout, p, blocks));
    const perDirection = restricted.map((p) =>
      measuredDegree(totalDegreeCoefficients(layout, p), noiseFloor),
    );
    const perVariable = restricted.map((p) => variableDegrees(layout, p, noiseFloor));
    return {
      blocks: blocks.map((b) => b + 1),
      predicted: blocks.length,
      degree: Math.max(...perDirection),
      perDirection,
      blockDegrees: blocks.map((b) => Math.max(...perVariable.map((d) => d[b]))),
      layers: blocks.map((b) => spec.blocks[b].layers),
      nonMultilinear: median(restricted.map((p) => nonMultilinearPart(layout, p, R))),
    };
  });
}
