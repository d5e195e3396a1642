// One figure, panel by panel: the loop the compute worker (the app) and the command line share.
// Plans the panels, refuses a figure over the CPU engine's budget before computing anything, then
// computes each panel in order, reporting progress over the whole figure.

import { type Engine, type RunOptions, throwIfAborted } from '../engine/types';
import { computePanel, type PanelResult, type PanelSpec, planPanels } from './figure';
import { checkCpuBudget } from './limits';
import type { FigureSettings } from './settings';

export interface RunFigureOptions extends RunOptions {
  /** The panels about to be computed (before the CPU budget check, which may then throw). */
  onPlan?: (panels: PanelSpec[]) => void;
  /** Each panel as soon as it is done, in order. */
  onPanel?: (index: number, result: PanelResult) => void;
}

/**
 * Computes every panel of a figure. `onProgress` gets the fraction of the whole figure and
 * "<panel title>: <engine stage>". A cancelled figure throws EngineError('cancelled'); a CPU
 * figure over CPU_MAX_MULTIPLY_ADDS throws SpecError before any work.
 */
export async function runFigure(
  engine: Engine,
  settings: FigureSettings,
  options: RunFigureOptions = {},
): Promise<PanelResult[]> {
  const { signal, onProgress, onPlan, onPanel } = options;
  const panels = planPanels(settings);
  onPlan?.(panels);
  if (engine.info.kind === 'cpu') checkCpuBudget(settings, panels);
  const results: PanelResult[] = [];
  for (const [index, panel] of panels.entries()) {
    const result = await computePanel(engine, settings, panel, {
      signal,
      onProgress: (fraction, stage) =>
        onProgress?.((index + fraction) / panels.length, `${panel.title}: ${stage}`),
    });
    throwIfAborted(signal);
    results.push(result);
    onPanel?.(index, result);
  }
  return results;
}
