// One figure, panel by panel: the loop the compute worker (the app) and the command line share.
// Plans the panels, refuses a figure over the CPU engine's budget before computing anything, then
// computes each panel in order, reporting progress over the whole figure. An engine with a batch
// method (the GPU engine) gets every panel's request at once, so the whole figure is one
// submission and one read-back there; computePanel still turns each answer into its panel.

import { runRequests } from '../engine/runRequests';
import {
  type BatchRequest,
  type BatchResult,
  type Engine,
  type GridRequest,
  type PolynomialRequest,
  type RunOptions,
  throwIfAborted,
} from '../engine/types';
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
 * "<panel title>: <engine stage>" (with a batch: "<n> panels: <engine stage>"). A cancelled figure
 * throws EngineError('cancelled'); a CPU figure over CPU_MAX_MULTIPLY_ADDS throws SpecError before
 * any work.
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
  if (engine.batch && panels.length > 1) {
    return runBatched(engine, settings, panels, options);
  }
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

/**
 * Every panel through one Engine.batch call. Each panel's computePanel runs against a stand-in
 * engine that records the request it makes (so the requests are exactly computePanel's) and
 * answers with that request's part of the batch; the panels are then finished in order.
 */
async function runBatched(
  engine: Engine,
  settings: FigureSettings,
  panels: PanelSpec[],
  options: RunFigureOptions,
): Promise<PanelResult[]> {
  const { signal, onProgress, onPanel } = options;
  const requests: BatchRequest[] = new Array(panels.length);
  let recorded = 0;
  let allRecorded: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    allRecorded = resolve;
  });
  let answer: (results: BatchResult[]) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const answers = new Promise<BatchResult[]>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  const record = (index: number, request: BatchRequest): Promise<BatchResult> => {
    if (requests[index]) throw new Error(`runFigure: panel ${index} asked the engine twice`);
    requests[index] = request;
    if (++recorded === panels.length) allRecorded();
    return answers.then((results) => results[index]);
  };
  const standIn = (index: number): Engine => ({
    info: engine.info,
    peakBytes: engine.peakBytes,
    destroy: () => undefined,
    polynomial: async (request: PolynomialRequest) => {
      const r = await record(index, { kind: 'polynomial', request });
      if (r.kind !== 'polynomial') throw new Error('runFigure: not a polynomial');
      return r.result;
    },
    grid: async (request: GridRequest) => {
      const r = await record(index, { kind: 'grid', request });
      if (r.kind !== 'grid') throw new Error('runFigure: not a grid');
      return r.result;
    },
  });
  const computing = panels.map((panel, index) => computePanel(standIn(index), settings, panel));
  // Every promise is awaited below; this only keeps an early failure from being "unhandled".
  for (const c of [answers, ...computing]) c.catch(() => undefined);
  try {
    // A panel that fails before asking (a bad setting) fails the figure here.
    await Promise.race([ready, Promise.all(computing)]);
    const title = `${panels.length} panels`;
    answer(
      await runRequests(engine, requests, {
        signal,
        onProgress: (fraction, stage) => onProgress?.(fraction, `${title}: ${stage}`),
      }),
    );
  } catch (error) {
    fail(error);
    throw error;
  }
  const results: PanelResult[] = [];
  for (const [index, pending] of computing.entries()) {
    const result = await pending;
    throwIfAborted(signal);
    results.push(result);
    onPanel?.(index, result);
  }
  return results;
}
