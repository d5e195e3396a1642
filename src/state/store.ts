// The app's one store (zustand/vanilla, framework-free): settings, results and status. React
// renders controls from narrow selectors; plots subscribe directly and redraw without React.

import { createStore } from 'zustand/vanilla';
import type { EngineInfo } from '../engine/types';
import type { PanelResult, PanelSpec } from '../experiments/figure';
import {
  FIGURE1,
  type FigureSettings,
  PRESETS,
  sameSettings,
  type UrlProblem,
  withBlocks,
} from '../experiments/settings';

import type {
  Agreement,
  AnalysisKind,
  AnalysisResults,
  FromWorker,
  GpuStatus,
} from '../worker/protocol';

/** What the store needs from the compute side (a worker in the app, a fake in tests). */
export interface ComputeClient {
  compute(id: number, settings: FigureSettings): void;
  analyse(kind: AnalysisKind, id: number, settings: FigureSettings): void;
  retryGpu(): void;
  /** Stops the figure and every running analysis, starting nothing (optional for test fakes). */
  cancel?(): void;
  /** Test hook (the app's worker client has it): make the worker throw an uncaught error. */
  simulateCrash?(): void;
}

/** Shown where an analysis was running when the worker failed, or is asked for afterwards. */
export const WORKER_STOPPED = 'the compute worker stopped (see the banner above); reload the page';
/** The error of an analysis the reader cancelled. */
export const CANCELLED = 'cancelled';

/** The last figure that finished: what Cancel puts back on screen. */
export interface FinishedFigure {
  panels: PanelSpec[];
  results: (PanelResult | null)[];
  resultSettings: FigureSettings | null;
  lastMs: number | null;
}

export interface AppState {
  settings: FigureSettings;
  /** The preset the settings came from, while they still match it. */
  presetId: string | null;
  /** Problems found in the URL the page was opened with (or navigated back to). */
  urlProblems: UrlProblem[];

  engine: EngineInfo | null;
  gpuStatus: GpuStatus;
  gpuMessage: string | null;
  cpuCap: string | null;
  agreement: Agreement | null;

  requestId: number;
  computing: boolean;
  progress: { fraction: number; stage: string } | null;
  panels: PanelSpec[];
  results: (PanelResult | null)[];
  /** Settings the results belong to (exports carry these). */
  resultSettings: FigureSettings | null;
  lastMs: number | null;
  /** The last complete figure (set on 'done'); a cancelled request restores it. */
  lastFigure: FinishedFigure | null;
  /** The last request was cancelled by the reader (the status line says so). */
  cancelled: boolean;
  /** Scale of the PNG export against the figure's CSS size (1–4; 2 by default, for print). */
  pngScale: number;
  setPngScale(scale: number): void;
  error: { message: string; field: string | null } | null;
  /**
   * Set once the compute worker has failed (uncaught error, script that did not load): nothing
   * in flight will finish and nothing more is computed until the page is reloaded.
   */
  workerFailure: string | null;

  /**
   * On-demand analyses of the current settings. A change of settings clears them (the worker
   * cancels the running ones); their ids never repeat, so a late message of a cancelled run can
   * never land in a newer one.
   */
  analyses: { [K in AnalysisKind]?: AnalysisState<K> };
  runAnalysis(kind: AnalysisKind): void;

  /**
   * Replaces the settings; recomputes unless only view settings changed (SETTING_FIELDS' kinds).
   * `history` says whether the URL gets a new entry.
   */
  setSettings(next: FigureSettings, options?: { history?: 'push' | 'replace' | 'none' }): void;
  update(patch: Partial<FigureSettings>): void;
  setBlocks(blocks: number): void;
  applyPreset(id: string): void;
  newDirections(): void;
  newNetwork(): void;
  retryGpu(): void;
  /** Whether the figure or an analysis is being computed (what cancel() would stop). */
  busy(): boolean;
  /**
   * Stops the figure and the running analyses; puts the last finished figure and its settings
   * back (the URL entry is replaced). Returns whether anything was running.
   */
  cancel(): boolean;
  setUrlProblems(problems: UrlProblem[]): void;
  handle(message: FromWorker): void;
  /** Test hook: make the compute worker crash (an error nothing catches). */
  simulateWorkerCrash(): void;
}

export interface AnalysisState<K extends AnalysisKind> {
  id: number;
  running: boolean;
  progress: { fraction: number; stage: string } | null;
  /** The final result, or the partial one while running. */
  result: AnalysisResults[K] | null;
  error: string | null;
  ms: number | null;
}

export type AppStore = ReturnType<typeof createAppStore>;

/** A fresh uint32 seed; crypto where there is one (it is only a seed, not a secret). */
export function randomSeed(): number {
  const a = new Uint32Array(1);
  globalThis.crypto.getRandomValues(a);
  return a[0];
}

function matchPreset(settings: FigureSettings): string | null {
  return PRESETS.find((p) => sameSettings(p.settings, settings))?.id ?? null;
}

export function createAppStore(
  client: ComputeClient,
  initial: { settings?: FigureSettings; problems?: UrlProblem[] } = {},
  onHistory?: (settings: FigureSettings, mode: 'push' | 'replace') => void,
) {
  const start = initial.settings ?? FIGURE1;
  let lastAnalysisId = 0;
  return createStore<AppState>()((set, get) => ({
    settings: start,
    presetId: matchPreset(start),
    urlProblems: initial.problems ?? [],
    engine: null,
    gpuStatus: 'pending',
    gpuMessage: null,
    cpuCap: null,
    agreement: null,
    requestId: 0,
    computing: false,
    progress: null,
    panels: [],
    results: [],
    resultSettings: null,
    lastMs: null,
    lastFigure: null,
    cancelled: false,
    pngScale: 2,
    setPngScale(scale) {
      set({ pngScale: Math.min(4, Math.max(1, Math.round(scale))) });
    },
    error: null,
    workerFailure: null,
    analyses: {},

    runAnalysis(kind) {
      const id = ++lastAnalysisId;
      const failed = get().workerFailure !== null;
      const fresh = {
        id,
        running: !failed,
        progress: null,
        result: null,
        error: failed ? WORKER_STOPPED : null,
        ms: null,
      };
      set({ analyses: { ...get().analyses, [kind]: fresh } });
      if (!failed) client.analyse(kind, id, get().settings);
    },

    setSettings(next, options = {}) {
      const mode = options.history ?? 'push';
      // View settings only: redraw what is there (a request in flight carries on).
      if (sameSettings(next, get().settings) && get().requestId > 0) {
        set({ settings: next });
        if (mode !== 'none') onHistory?.(next, mode);
        return;
      }
      const id = get().requestId + 1;
      set({
        settings: next,
        presetId: matchPreset(next),
        requestId: id,
        // Nothing answers once the worker has failed: do not promise a result.
        computing: get().workerFailure === null,
        progress: null,
        cancelled: false,
        error: null,
        // The worker cancels running analyses when it gets this compute request.
        analyses: {},
      });
      if (mode !== 'none') onHistory?.(next, mode);
      client.compute(id, next);
    },
    update(patch) {
      const next = { ...get().settings, ...patch };
      if (next.outputIndex >= next.outputSize) next.outputIndex = next.outputSize - 1;
      get().setSettings(next);
    },
    setBlocks(blocks) {
      get().setSettings(withBlocks(get().settings, blocks));
    },
    applyPreset(id) {
      const preset = PRESETS.find((p) => p.id === id);
      // The preset's settings; the reader's view toggles (deviation, presentation) stay.
      const { deviation, present, motion } = get().settings;
      if (preset)
        get().setSettings({ ...structuredClone(preset.settings), deviation, present, motion });
    },
    newDirections() {
      get().update({ directionSeed: randomSeed() });
    },
    newNetwork() {
      get().update({ seed: randomSeed() });
    },
    retryGpu() {
      set({ gpuStatus: 'pending', gpuMessage: null });
      client.retryGpu();
    },
    busy() {
      const state = get();
      return state.computing || Object.values(state.analyses).some((a) => a?.running);
    },
    cancel() {
      const state = get();
      if (!state.busy()) return false;
      client.cancel?.();
      const analyses: Partial<Record<AnalysisKind, AnalysisState<AnalysisKind>>> = {};
      for (const [kind, a] of Object.entries(state.analyses) as [
        AnalysisKind,
        AnalysisState<AnalysisKind>,
      ][]) {
        // A cancelled run's partial result is dropped; its late messages are dropped by id below.
        analyses[kind] = a.running
          ? { ...a, running: false, progress: null, result: null, error: CANCELLED }
          : a;
      }
      if (!state.computing) {
        set({ analyses: analyses as AppState['analyses'] });
        return true;
      }
      // A new id that no request carries: every late message of the cancelled one is dropped.
      const patch: Partial<AppState> = {
        requestId: state.requestId + 1,
        computing: false,
        progress: null,
        cancelled: true,
        analyses: analyses as AppState['analyses'],
      };
      const last = state.lastFigure;
      if (last?.resultSettings) {
        // The page shows the restored figure and its settings (the reader's view toggles stay),
        // so that the controls, the URL and the panels agree.
        const { yAxis, deviation, present, motion } = state.settings;
        const settings = { ...last.resultSettings, yAxis, deviation, present, motion };
        Object.assign(patch, {
          panels: last.panels,
          results: last.results,
          resultSettings: last.resultSettings,
          lastMs: last.lastMs,
          settings,
          presetId: matchPreset(settings),
        });
        set(patch);
        onHistory?.(settings, 'replace');
      } else {
        set(patch);
      }
      return true;
    },
    setUrlProblems(problems) {
      set({ urlProblems: problems });
    },
    simulateWorkerCrash() {
      client.simulateCrash?.();
    },
    handle(message) {
      const state = get();
      switch (message.type) {
        case 'engine':
          set({
            engine: message.info,
            gpuStatus: message.gpu,
            gpuMessage: message.message,
            cpuCap: message.cpuCap,
          });
          return;
        case 'agreement':
          set({ agreement: message.agreement });
          return;
        case 'worker-failed': {
          // Everything in flight stops: the figure and every running analysis.
          const analyses: Partial<Record<AnalysisKind, AnalysisState<AnalysisKind>>> = {};
          for (const [kind, a] of Object.entries(state.analyses) as [
            AnalysisKind,
            AnalysisState<AnalysisKind>,
          ][]) {
            analyses[kind] = a.running
              ? { ...a, running: false, progress: null, error: WORKER_STOPPED }
              : a;
          }
          set({
            workerFailure: message.message,
            computing: false,
            progress: null,
            analyses: analyses as AppState['analyses'],
          });
          return;
        }
        case 'analysis-progress':
        case 'analysis-done':
        case 'analysis-error': {
          const current = state.analyses[message.kind];
          // A finished or cancelled run takes no more messages.
          if (!current || current.id !== message.id || !current.running) return;
          let next: AnalysisState<AnalysisKind>;
          if (message.type === 'analysis-progress') {
            next = message.partial
              ? { ...current, result: message.partial }
              : { ...current, progress: { fraction: message.fraction, stage: message.stage } };
          } else if (message.type === 'analysis-done') {
            next = {
              ...current,
              running: false,
              progress: null,
              result: message.result,
              ms: message.ms,
            };
          } else {
            next = { ...current, running: false, progress: null, error: message.message };
          }
          set({ analyses: { ...state.analyses, [message.kind]: next } });
          return;
        }
      }
      // Messages of a superseded request are dropped.
      if (message.id !== state.requestId) return;
      switch (message.type) {
        case 'plan':
          set({
            panels: message.panels,
            results: message.panels.map(() => null),
            resultSettings: state.settings,
            // Also when the worker restarts a request by itself (device lost → CPU).
            computing: true,
          });
          break;
        case 'progress':
          set({ progress: { fraction: message.fraction, stage: message.stage } });
          break;
        case 'panel': {
          const results = state.results.slice();
          results[message.index] = message.result;
          set({ results });
          break;
        }
        case 'done':
          set({
            computing: false,
            progress: null,
            lastMs: message.ms,
            lastFigure: {
              panels: state.panels,
              results: state.results,
              resultSettings: state.resultSettings,
              lastMs: message.ms,
            },
          });
          break;
        case 'error':
          set({
            computing: false,
            progress: null,
            error: { message: message.message, field: message.field },
          });
          break;
      }
    },
  }));
}
