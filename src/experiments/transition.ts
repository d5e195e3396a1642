// Watching the transition (docs/live.md): the widths the play control steps through, and the
// numbers its trace records of each frame. One seed throughout: widths with one seed are nested
// (the generator is indexed by (layer, row, col), so the width-m network is the top-left corner
// of the width-m′ one, and so are the ξ of aligned directions), so the frames show one network
// growing and the curves glide to their limit.

import { type PanelResult, planPanels } from './figure';
import { figureMultiplyAdds } from './limits';
import { type FigureSettings, UI_WIDTH } from './settings';
import { median } from './theorem';

/** The smallest width played. */
export const TRANSITION_FROM = 16;
/** Steps per doubling of m while moving; with reduced motion, one step per doubling. */
export const STEPS_PER_OCTAVE = 6;
/**
 * Multiply-adds a frame may cost (its exact panels, the σ contrast left out as in a live frame)
 * when the engine's rate is not measured yet: about 0.1 s on the CPU engine on two cores.
 */
export const FRAME_BUDGET_FALLBACK = 2e8;
/** The frame time the widest width is chosen for, with a measured rate (multiply-adds/s). */
export const FRAME_SECONDS = 0.12;

/** The settings with every block at width m (the transition grows the whole network). */
export const atWidth = (settings: FigureSettings, m: number): FigureSettings => ({
  ...settings,
  widths: settings.widths.map(() => m),
});

/**
 * What a live frame computes (docs/live.md): the settings without the σ contrast panel (a grid,
 * the slow one; it follows when the hand rests) where the figure has exact panels, else as they are.
 */
export function liveFrameSettings(settings: FigureSettings): FigureSettings {
  return planPanels(settings).some((p) => p.exact) ? { ...settings, contrast: 'none' } : settings;
}

/** A live frame's multiply-adds at width m. */
function frameCost(settings: FigureSettings, m: number): number {
  const frame = liveFrameSettings(atWidth(settings, m));
  return figureMultiplyAdds(frame, planPanels(frame));
}

/**
 * The widths played: from 16 up a log ladder (STEPS_PER_OCTAVE per doubling, or one with
 * `steps`), up to the widest whose frame fits the budget (rate × FRAME_SECONDS, or the
 * fallback), and at most the app's largest width. At least two widths. `upTo` replaces the
 * budget by a widest width (the CLI's animate --to).
 */
export function transitionWidths(
  settings: FigureSettings,
  options: { rate?: number | null; steps?: boolean; upTo?: number } = {},
): number[] {
  const budget = options.rate ? options.rate * FRAME_SECONDS : FRAME_BUDGET_FALLBACK;
  const perOctave = options.steps ? 1 : STEPS_PER_OCTAVE;
  const widths: number[] = [];
  for (let k = 0; ; k++) {
    const m = Math.round(TRANSITION_FROM * 2 ** (k / perOctave));
    if (m > (options.upTo ?? UI_WIDTH.max)) break;
    if (options.upTo === undefined && widths.length >= 2 && frameCost(settings, m) > budget) break;
    if (m !== widths.at(-1)) widths.push(m);
  }
  return widths;
}

/** What the trace records of one frame: Theorem 2's sizes at its width. */
export interface TracePoint {
  width: number;
  /** Median over directions of the non-multilinear part Σ|p_α|R^|α| (absolute). */
  nonMultilinear: number;
  /** Median |c_B|: the multilinear model's top coefficient along Δ. */
  cB: number;
  /** Median |c_{B+1}|: the first coefficient the theorem says vanishes. */
  cB1: number;
}

/** The trace point of a frame's all-weights panel, or null (a grid panel: no coefficients). */
export function tracePoint(result: PanelResult | null, blocks: number): TracePoint | null {
  if (!result?.coefficients || !result.nonMultilinear) return null;
  const c = result.coefficients;
  return {
    width: Math.min(...result.panel.spec.blocks.map((b) => b.width)),
    nonMultilinear: median(result.nonMultilinear),
    cB: median(c.map((cs) => Math.abs(cs[blocks] ?? 0))),
    cB1: median(c.map((cs) => Math.abs(cs[blocks + 1] ?? 0))),
  };
}
