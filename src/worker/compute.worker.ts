// The compute worker: owns the engine so the page never freezes. A new request supersedes the
// one in flight (its AbortSignal fires and its late messages are dropped by id on the page). A
// compute request from the page means new settings, so it also cancels every running analysis.
// A 'cancel' message stops both and starts nothing.

/// <reference lib="webworker" />
import { browserShardSpawner } from '../engine/cpu/browserShards';
import { CpuEngine } from '../engine/cpuEngine';
import { GpuEngine } from '../engine/gpu';
import { type Engine, EngineError, type RunOptions } from '../engine/types';
import { blockStructure } from '../experiments/blockStructure';
import { degreeSweep } from '../experiments/degreeSweep';
import {
  type Calibration,
  calibrate,
  calibrationKey,
  estimateJob,
  type Job,
  jobWork,
  mayExceed,
  observeJob,
} from '../experiments/estimate';
import { computePanel } from '../experiments/figure';
import { agreementCheck, CPU_CAP_TEXT } from '../experiments/limits';
import { runFigure } from '../experiments/runFigure';
import type { FigureSettings } from '../experiments/settings';
import { widthSweep } from '../experiments/sweep';
import { SpecError } from '../model/spec';
import type { AnalysisKind, AnalysisResults, FromWorker, GpuStatus, ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// The CPU engine's rows go to one Web Worker per core (docs/engine.md), where workers can start
// workers; elsewhere it computes on this thread.
const cores = self.navigator?.hardwareConcurrency ?? 0;
const cpu = new CpuEngine(
  typeof Worker === 'function' && cores > 0
    ? { spawn: browserShardSpawner, workers: Math.min(cores, 8) }
    : {},
);
let gpu: GpuEngine | null = null;
let gpuStatus: GpuStatus = 'pending';
let current: {
  id: number;
  controller: AbortController;
  settings: FigureSettings;
  askAboveMs: number | null;
} | null = null;
/** Settles once the first engine choice is made, so the first figure is not drawn twice. */
let engineChosen: Promise<void> = Promise.resolve();

function post(message: FromWorker): void {
  self.postMessage(message);
}

function engine(): Engine {
  return gpu ?? cpu;
}

function announce(message: string | null): void {
  post({ type: 'engine', info: engine().info, gpu: gpuStatus, message, cpuCap: CPU_CAP_TEXT });
}

async function startGpu(): Promise<void> {
  gpuStatus = 'pending';
  try {
    gpu = await GpuEngine.create(self.navigator.gpu, {
      onDeviceLost: (message) => {
        gpu = null;
        gpuStatus = 'lost';
        announce(`${message}. Computing on the CPU instead.`);
        // Recompute the figure on the CPU.
        if (current) void compute(current.id, current.settings, current.askAboveMs);
      },
    });
    gpuStatus = 'ready';
    announce(null);
    const agreement = await agreementCheck(gpu, cpu);
    post({ type: 'agreement', agreement });
  } catch (error) {
    gpu = null;
    const kind = error instanceof EngineError ? error.kind : 'error';
    gpuStatus =
      kind === 'unsupported' ? 'unsupported' : kind === 'no-adapter' ? 'no-adapter' : 'error';
    announce(error instanceof Error ? error.message : String(error));
  }
}

/** Each engine and adapter is measured once (docs/views.md, "Ask first"), on first need. */
const calibrations = new Map<string, Promise<Calibration>>();

function calibration(active: Engine): Promise<Calibration> {
  const key = calibrationKey(active.info);
  let measured = calibrations.get(key);
  if (!measured) {
    measured = calibrate(key, async (settings, panel) => {
      const start = performance.now();
      await computePanel(active, settings, panel);
      return performance.now() - start;
    });
    calibrations.set(key, measured);
    measured.then(
      (c) => post({ type: 'calibration', calibration: c }),
      () => calibrations.delete(key), // measured again next time
    );
  }
  return measured;
}

/** A finished job larger than the calibration's requests corrects the engine's rate. */
async function observe(job: Job, active: Engine, settings: FigureSettings, ms: number) {
  const key = calibrationKey(active.info);
  const measured = calibrations.get(key);
  const work = jobWork(job, settings, active.info.kind);
  if (!measured || !work) return;
  const before = await measured.catch(() => null);
  if (!before || calibrations.get(key) !== measured) return;
  const after = observeJob(before, work, ms);
  if (after === before) return;
  calibrations.set(key, Promise.resolve(after));
  post({ type: 'calibration', calibration: after });
}

/**
 * Estimates a job before it starts, posts the estimate, and says whether it may run: false when
 * it passes askAboveMs (the page is then asked). Jobs that cannot pass it are not measured.
 */
async function mayRun(
  job: Job,
  id: number,
  active: Engine,
  settings: FigureSettings,
  askAboveMs: number | null,
): Promise<boolean> {
  const work = jobWork(job, settings, active.info.kind)?.multiplyAdds ?? null;
  const known = calibrations.has(calibrationKey(active.info));
  if (work === null || (!known && (askAboveMs === null || !mayExceed(work, askAboveMs))))
    return true;
  let estimate: ReturnType<typeof estimateJob>;
  try {
    estimate = estimateJob(job, settings, active.info, await calibration(active));
  } catch {
    return true; // the job itself will say what fails
  }
  if (!estimate) return true;
  if (askAboveMs !== null && estimate.ms > askAboveMs) {
    post({ type: 'ask', id, estimate });
    return false;
  }
  post({ type: 'estimate', id, estimate });
  return true;
}

async function compute(
  id: number,
  settings: FigureSettings,
  askAboveMs: number | null,
): Promise<void> {
  current?.controller.abort();
  const controller = new AbortController();
  current = { id, controller, settings, askAboveMs };
  await engineChosen;
  if (controller.signal.aborted) return;
  const active = engine();
  if (!(await mayRun('figure', id, active, settings, askAboveMs))) {
    if (current?.controller === controller) current = null;
    return;
  }
  if (controller.signal.aborted) return;
  const start = performance.now();
  try {
    await runFigure(active, settings, {
      signal: controller.signal,
      onPlan: (panels) => post({ type: 'plan', id, panels }),
      onProgress: (fraction, stage) => post({ type: 'progress', id, fraction, stage }),
      onPanel: (index, result) => post({ type: 'panel', id, index, result }),
    });
    const ms = performance.now() - start;
    post({ type: 'done', id, ms });
    void observe('figure', active, settings, ms);
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof EngineError && error.kind === 'cancelled') return;
    if (error instanceof EngineError && error.kind === 'device-lost' && active !== cpu) {
      return; // onDeviceLost has already restarted this request on the CPU
    }
    post({
      type: 'error',
      id,
      message: error instanceof Error ? error.message : String(error),
      field: error instanceof SpecError ? error.field : null,
    });
  }
}

type AnalysisRunner<K extends AnalysisKind> = (
  engine: Engine,
  settings: FigureSettings,
  options: RunOptions & { onPartial?: (partial: AnalysisResults[K]) => void },
) => Promise<AnalysisResults[K]>;

const ANALYSES: { [K in AnalysisKind]: AnalysisRunner<K> } = {
  sweep: widthSweep,
  blocks: blockStructure,
  verdict: degreeSweep,
};
const analysisControllers = new Map<AnalysisKind, AbortController>();

/** Cancels every running analysis: the page has moved to new settings and forgotten them. */
function cancelAnalyses(): void {
  for (const controller of analysisControllers.values()) controller.abort();
  analysisControllers.clear();
}

/** Runs one on-demand analysis; a newer request of the same kind supersedes it. */
async function analyse(
  kind: AnalysisKind,
  id: number,
  settings: FigureSettings,
  askAboveMs: number | null,
): Promise<void> {
  analysisControllers.get(kind)?.abort();
  const controller = new AbortController();
  analysisControllers.set(kind, controller);
  const { signal } = controller;
  await engineChosen;
  if (signal.aborted) return;
  const active = engine();
  if (!(await mayRun(kind, id, active, settings, askAboveMs))) {
    if (analysisControllers.get(kind) === controller) analysisControllers.delete(kind);
    return;
  }
  if (signal.aborted) return;
  const start = performance.now();
  const runner = ANALYSES[kind] as AnalysisRunner<AnalysisKind>;
  try {
    const result = await runner(active, settings, {
      signal,
      onProgress: (fraction, stage) => {
        if (!signal.aborted)
          post({ type: 'analysis-progress', kind, id, fraction, stage, partial: null });
      },
      onPartial: (partial) => {
        if (!signal.aborted)
          post({ type: 'analysis-progress', kind, id, fraction: 0, stage: '', partial });
      },
    });
    if (!signal.aborted) {
      const ms = performance.now() - start;
      post({ type: 'analysis-done', kind, id, result, ms });
      void observe(kind, active, settings, ms);
    }
  } catch (error) {
    if (signal.aborted) return;
    post({
      type: 'analysis-error',
      kind,
      id,
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    if (analysisControllers.get(kind) === controller) analysisControllers.delete(kind);
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      if (message.useGpu) engineChosen = startGpu();
      else {
        gpuStatus = 'unsupported';
        announce('WebGPU was turned off by ?gpu=0 in the address.');
      }
      break;
    case 'compute':
      cancelAnalyses();
      void compute(message.id, message.settings, message.askAboveMs ?? null);
      break;
    case 'cancel':
      // Engines check the signal between blocks (docs/engine.md): the work stops within one.
      current?.controller.abort();
      current = null;
      cancelAnalyses();
      break;
    case 'analysis':
      void analyse(message.kind, message.id, message.settings, message.askAboveMs ?? null);
      break;
    case 'simulate-device-loss':
      gpu?.simulateDeviceLoss();
      break;
    case 'simulate-crash':
      // From a timer, so that nothing up the stack can catch it: a real uncaught error.
      setTimeout(() => {
        throw new Error('Simulated crash of the compute worker (test hook)');
      }, 0);
      break;
    case 'retry-gpu':
      void startGpu().then(() => {
        if (current && gpu) void compute(current.id, current.settings, current.askAboveMs);
      });
      break;
  }
};
