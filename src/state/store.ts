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
import type { SweepPoint, SweepResult } from '../experiments/sweep';
import type { Agreement, FromWorker, GpuStatus } from '../worker/protocol';

/** What the store needs from the compute side (a worker in the app, a fake in tests). */
export interface ComputeClient {
  compute(id: number, settings: FigureSettings): void;
  sweep(id: number, settings: FigureSettings): void;
  retryGpu(): void;
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
  error: { message: string; field: string | null } | null;

  /** The width sweep of the current settings (run on demand; cleared when settings change). */
  sweep: {
    id: number;
    running: boolean;
    progress: { fraction: number; stage: string } | null;
    points: SweepPoint[];
    result: SweepResult | null;
    error: string | null;
    ms: number | null;
  } | null;
  runSweep(): void;

  /** Replaces the settings and recomputes. `history` says whether the URL gets a new entry. */
  setSettings(next: FigureSettings, options?: { history?: 'push' | 'replace' | 'none' }): void;
  update(patch: Partial<FigureSettings>): void;
  setBlocks(blocks: number): void;
  applyPreset(id: string): void;
  newDirections(): void;
  newNetwork(): void;
  retryGpu(): void;
  setUrlProblems(problems: UrlProblem[]): void;
  handle(message: FromWorker): void;
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
    error: null,
    sweep: null,

    runSweep() {
      const id = (get().sweep?.id ?? 0) + 1;
      set({
        sweep: {
          id,
          running: true,
          progress: null,
          points: [],
          result: null,
          error: null,
          ms: null,
        },
      });
      client.sweep(id, get().settings);
    },

    setSettings(next, options = {}) {
      const id = get().requestId + 1;
      set({
        settings: next,
        presetId: matchPreset(next),
        requestId: id,
        computing: true,
        progress: null,
        error: null,
        sweep: null,
      });
      const mode = options.history ?? 'push';
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
      if (preset) get().setSettings(structuredClone(preset.settings));
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
    setUrlProblems(problems) {
      set({ urlProblems: problems });
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
        case 'sweep-progress':
        case 'sweep-done':
        case 'sweep-error': {
          const sweep = state.sweep;
          if (!sweep || sweep.id !== message.id) return;
          if (message.type === 'sweep-progress') {
            set({
              sweep: {
                ...sweep,
                progress: message.point
                  ? sweep.progress
                  : { fraction: message.fraction, stage: message.stage },
                points: message.point ? [...sweep.points, message.point] : sweep.points,
              },
            });
          } else if (message.type === 'sweep-done') {
            set({
              sweep: {
                ...sweep,
                running: false,
                progress: null,
                result: message.result,
                ms: message.ms,
              },
            });
          } else {
            set({ sweep: { ...sweep, running: false, progress: null, error: message.message } });
          }
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
          set({ computing: false, progress: null, lastMs: message.ms });
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
