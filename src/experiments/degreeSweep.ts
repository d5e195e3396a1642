// The degree verdict against the width (docs/views.md "The degree verdict"): the degree table of
// one network at m = 16, 32, …, every row's relative excess on log–log axes beside Theorem 2's
// 1/√m and the verdict's line K/√m. One network throughout: widths with one seed are nested (the
// width-m network is the top-left corner of the width-m′ one), so the points trace one network
// growing. A linear network's rows fall like 1/√m or faster (aligned: 1/m); a row that breaks
// the theorem (tanh inside a block) stays flat, and crosses K/√m as m grows.

import type { Engine, RunOptions } from '../engine/types';
import { MAX_POLYNOMIAL_TERMS } from '../model/polynomial';
import { isLinearNetwork, SpecError } from '../model/spec';
import { type DegreeRow, VERDICT_CONSTANT } from './degrees';
import { computePanel, figureDegreeTable, type PanelSpec, planPanels } from './figure';
import { type FigureSettings, networkSpec } from './settings';
import { FIT_FROM_WIDTH, sweepWidths } from './sweep';
import { blockTermCount, logLogSlope } from './theorem';

export interface DegreeSweepSeries {
  /** The perturbed blocks S, numbered from 1. */
  blocks: number[];
  /** Per width: excess (relative, the verdict's quantity), excess · √m and the verdict. */
  points: { width: number; excess: number; scaledExcess: number; consistent: boolean }[];
  /**
   * Fitted log–log slope of the excess against m over m ≥ FIT_FROM_WIDTH (≤ −1/2 where the
   * theorem holds; about 0 where it does not); NaN while running.
   */
  slope: number;
}

export interface DegreeSweepResult {
  /** `exact`: a linear network's per-block polynomial; `fit`: grid panels (σ ≠ identity). */
  source: 'exact' | 'fit';
  widths: number[];
  series: DegreeSweepSeries[];
  verdictConstant: number;
  seed: number;
  precision: 'float32' | 'float64';
}

/** The panels the sweep computes at one width: the all-weights one, and each block for σ ≠ id. */
export function degreeSweepPanels(settings: FigureSettings): PanelSpec[] {
  const panels = planPanels({ ...settings, contrast: 'none' });
  return isLinearNetwork(networkSpec(settings)) ? panels.slice(0, 1) : panels;
}

export async function degreeSweep(
  engine: Engine,
  settings: FigureSettings,
  options: RunOptions & { onPartial?: (partial: DegreeSweepResult) => void } = {},
): Promise<DegreeSweepResult> {
  const base = networkSpec(settings);
  const linear = isLinearNetwork(base);
  if (linear && blockTermCount(base) > MAX_POLYNOMIAL_TERMS) {
    throw new SpecError(
      'layers',
      settings.layers,
      `the per-block polynomial would have over ${MAX_POLYNOMIAL_TERMS} terms`,
    );
  }
  // Widths 16, 32, … up to the width sweep's cap for this engine.
  const widths = sweepWidths(settings, engine.info.kind);
  const perWidth: DegreeRow[][] = [];
  for (const [i, width] of widths.entries()) {
    const at: FigureSettings = { ...settings, widths: settings.widths.map(() => width) };
    const panels = degreeSweepPanels(at);
    const results = [];
    for (const [p, panel] of panels.entries()) {
      results.push(
        await computePanel(engine, at, panel, {
          signal: options.signal,
          onProgress: (fraction, stage) =>
            options.onProgress?.(
              (i + (p + fraction) / panels.length) / widths.length,
              `m = ${width}: ${stage}`,
            ),
        }),
      );
    }
    perWidth.push(figureDegreeTable(results)?.rows ?? []);
    if (i < widths.length - 1) options.onPartial?.(summarise(false));
  }
  return summarise(true);

  function summarise(done: boolean): DegreeSweepResult {
    const first = perWidth[0] ?? [];
    return {
      source: linear ? 'exact' : 'fit',
      widths,
      series: first.map((row, r) => {
        const points = perWidth.map((rows, w) => ({
          width: widths[w],
          excess: rows[r].excessRelative,
          scaledExcess: rows[r].scaledExcess,
          consistent: rows[r].consistent,
        }));
        // As the width sweep: fitted over m ≥ FIT_FROM_WIDTH (all widths when fewer than 3).
        const wide = points.filter((p) => p.width >= FIT_FROM_WIDTH);
        const fitted = wide.length >= 3 ? wide : points;
        return {
          blocks: row.blocks,
          points,
          slope: done
            ? logLogSlope(
                fitted.map((p) => p.width),
                fitted.map((p) => p.excess),
              )
            : Number.NaN,
        };
      }),
      verdictConstant: VERDICT_CONSTANT,
      seed: settings.seed,
      precision: engine.info.precision,
    };
  }
}
