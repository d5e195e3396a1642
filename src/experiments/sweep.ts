// Width sweep: how fast the non-multilinear part of g shrinks as the blocks widen, next to the
// theorem's bound O(1/√m) (model.md §5: measured decay along aligned directions is faster).

import type { Engine, RunOptions } from '../engine/types';
import { MAX_POLYNOMIAL_TERMS } from '../model/polynomial';
import { isLinearNetwork, SpecError } from '../model/spec';
import { directionRequest } from './figure';
import { type FigureSettings, networkSpec } from './settings';
import { leastSquaresSlope, nonMultilinearPart } from './theorem';

export interface SweepPoint {
  width: number;
  /** Median over directions of the non-multilinear part (see nonMultilinearPart). */
  median: number;
  perDirection: number[];
}

export interface SweepResult {
  points: SweepPoint[];
  /** Least-squares slope of log(median) against log(m); the bound's slope is −1/2. */
  slope: number;
  precision: 'float32' | 'float64';
  noiseFloor: number;
}

/** Widths 16, 32, … up to a cap set by the engine and by whether blocks hold m × m layers. */
export function sweepWidths(settings: FigureSettings, engineKind: 'webgpu' | 'cpu'): number[] {
  const square = settings.layers.some((l) => l >= 3);
  const cap = engineKind === 'webgpu' ? (square ? 4096 : 65536) : square ? 512 : 16384;
  const widths: number[] = [];
  for (let m = 16; m <= cap; m *= 2) widths.push(m);
  return widths;
}

export async function widthSweep(
  engine: Engine,
  settings: FigureSettings,
  options: RunOptions & { onPartial?: (partial: SweepResult) => void } = {},
): Promise<SweepResult> {
  const base = networkSpec(settings);
  if (!isLinearNetwork(base)) {
    throw new SpecError(
      'activation',
      settings.activation,
      'the width sweep needs a linear network (σ = identity): it measures the exact polynomial',
    );
  }
  if (base.blocks.reduce((s, b) => s * (b.layers + 1), 1) > MAX_POLYNOMIAL_TERMS) {
    throw new SpecError(
      'layers',
      settings.layers,
      `the per-block polynomial would have over ${MAX_POLYNOMIAL_TERMS} terms`,
    );
  }
  const widths = sweepWidths(settings, engine.info.kind);
  const points: SweepPoint[] = [];
  for (const [i, width] of widths.entries()) {
    const spec = { ...base, blocks: base.blocks.map((b) => ({ ...b, width })) };
    const result = await engine.polynomial(
      {
        spec,
        directions: directionRequest(
          settings,
          spec.blocks.map(() => true),
        ),
        grouping: 'per-block',
      },
      {
        signal: options.signal,
        onProgress: (f, stage) =>
          options.onProgress?.((i + f) / widths.length, `m = ${width}: ${stage}`),
      },
    );
    const o = settings.outputIndex;
    const size = result.layout.size;
    const perDirection = result.coefficients.map((m) =>
      nonMultilinearPart(result.layout, m.data.subarray(o * size, (o + 1) * size), settings.radius),
    );
    const sorted = perDirection.slice().sort((a, b) => a - b);
    const point = { width, median: sorted[Math.floor(sorted.length / 2)], perDirection };
    points.push(point);
    options.onPartial?.(summarise(points.slice(), Number.NaN));
  }
  return summarise(points, fitSlope(points));

  function summarise(sofar: SweepPoint[], slope: number): SweepResult {
    const float32 = engine.info.precision === 'float32';
    const noiseFloor = float32
      ? 6e-8 * Math.sqrt(widths[widths.length - 1]) * base.blocks.length
      : 0;
    return { points: sofar, slope, precision: engine.info.precision, noiseFloor };
  }
}

/** Slope of log(median) against log(m) over the points with a non-zero median. */
function fitSlope(points: SweepPoint[]): number {
  const usable = points.filter((p) => p.median > 0);
  if (usable.length < 2) return Number.NaN;
  return leastSquaresSlope(
    usable.map((p) => Math.log(p.width)),
    usable.map((p) => Math.log(p.median)),
  );
}
