// The training page's store (zustand/vanilla): which page is shown, the training settings (in the
// URL with `view=train`), the job in flight (a run, the width sweep or the tanh contrast) and what
// each job last produced. The compute runs in src/worker/training.worker.ts.

import { createStore } from 'zustand/vanilla';
import type { EngineInfo } from '../engine/types';
import {
  type PageView,
  pageViewOf,
  trainingFromQuery,
  trainingToQuery,
  type UrlProblem,
} from '../experiments/settings';
import { DEFAULT_TRAINING, type TrainingSettings } from '../experiments/training';
import type {
  ContrastData,
  FromTrainingWorker,
  SweepData,
  ToTrainingWorker,
  TrainingJob,
  TrainingSnapshot,
} from '../ui/training/protocol';

export type JobState = 'running' | 'paused' | 'done' | 'cancelled' | 'error';

export interface JobStatus {
  id: number;
  kind: TrainingJob;
  state: JobState;
  fraction: number;
  stage: string;
  /** The error's message (state 'error'). */
  message: string | null;
  /** Wall-clock milliseconds of a finished job. */
  ms: number | null;
}

export interface TrainingClient {
  post(message: ToTrainingWorker): void;
}

export interface TrainingState {
  view: PageView;
  settings: TrainingSettings;
  problems: UrlProblem[];
  /** False with ?gpu=0: the CPU trainer (float64). */
  gpu: boolean;
  engine: EngineInfo | null;
  /** Why the CPU trainer runs although WebGPU was allowed (a software adapter, no adapter). */
  engineNote: string | null;
  /** The last job started (the page's data-state is its state). */
  job: JobStatus | null;
  /** The last training run (partial while it runs). */
  train: TrainingSnapshot | null;
  sweep: SweepData | null;
  contrast: ContrastData | null;
  /** The worker stopped (uncaught error): nothing more runs until a reload. */
  workerFailure: string | null;

  /** Switches the page; `history` adds or replaces the URL entry (none: popstate). */
  setView(view: PageView, history?: 'push' | 'replace' | 'none'): void;
  /** New settings: the URL follows, and a training run starts (unless `run` is false). */
  setSettings(
    next: TrainingSettings,
    options?: { history?: 'push' | 'replace' | 'none'; run?: boolean },
  ): void;
  update(patch: Partial<TrainingSettings>): void;
  run(kind?: TrainingJob): void;
  pause(): void;
  resume(): void;
  cancel(): void;
  dismissProblems(): void;
  handle(message: FromTrainingWorker): void;
  fail(message: string): void;
}

export type TrainingStore = ReturnType<typeof createTrainingStore>;

/** The URL's extra keys the training page keeps: gpu=0 (the CPU trainer) and motion=0. */
function extraKeys(gpu: boolean): Record<string, string> {
  const extra: Record<string, string> = {};
  if (!gpu) extra.gpu = '0';
  if (new URLSearchParams(window.location.search).get('motion') === '0') extra.motion = '0';
  return extra;
}

export function trainingUrl(settings: TrainingSettings, gpu: boolean): string {
  return `?${trainingToQuery(settings, extraKeys(gpu))}`;
}

/** The last training settings of this tab: the Training tab reopens them after a page load. */
const SESSION_KEY = 'bn-training';

function remember(query: string): void {
  try {
    window.sessionStorage.setItem(SESSION_KEY, query);
  } catch {
    // No storage: the tab opens the defaults.
  }
}

function remembered(): string | null {
  try {
    return window.sessionStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
}

function writeTrainingUrl(settings: TrainingSettings, gpu: boolean, mode: 'push' | 'replace') {
  const query = trainingUrl(settings, gpu);
  remember(query);
  if (query === window.location.search) return;
  if (mode === 'push') window.history.pushState(null, '', query);
  else window.history.replaceState(null, '', query);
}

const sameTraining = (a: TrainingSettings, b: TrainingSettings) =>
  trainingToQuery(a) === trainingToQuery(b);

export function createTrainingStore(client: TrainingClient, query: string) {
  const view = pageViewOf(query);
  // The figure page: the training settings this tab last had (no problems to report then).
  const previous = view === 'train' ? null : remembered();
  const source = view === 'train' ? query : previous;
  const read = source === null ? null : trainingFromQuery(source);
  let lastId = 0;
  return createStore<TrainingState>()((set, get) => ({
    view,
    settings: read?.settings ?? { ...DEFAULT_TRAINING },
    problems: view === 'train' ? (read?.problems ?? []) : [],
    gpu: new URLSearchParams(source ?? query).get('gpu') !== '0',
    engine: null,
    engineNote: null,
    job: null,
    train: null,
    sweep: null,
    contrast: null,
    workerFailure: null,

    setView(next, history = 'push') {
      if (next === 'train') {
        if (history !== 'none') writeTrainingUrl(get().settings, get().gpu, history);
        set({ view: 'train' });
        // A page opened on the training view shows a run of its settings, as a reload does.
        if (!get().train && !get().job) get().run('train');
      } else {
        set({ view: 'figure' });
      }
    },

    setSettings(next, options = {}) {
      const history = options.history ?? 'push';
      set({ settings: next });
      if (history !== 'none') writeTrainingUrl(next, get().gpu, history);
      if (options.run ?? true) get().run('train');
    },

    update(patch) {
      const next = { ...get().settings, ...patch };
      // Keep the combination valid: r ≤ bottleneck (B ≥ 2) or ≤ min(d, k) (B = 1); n·k ≤ 256.
      const rMax = next.blocks > 1 ? next.bottleneck : Math.min(next.d, next.k);
      if (next.r > rMax) next.r = rMax;
      if (next.n * next.k > 256) next.n = Math.max(1, Math.floor(256 / next.k));
      get().setSettings(next);
    },

    run(kind = 'train') {
      if (get().workerFailure) return;
      const id = ++lastId;
      const { settings, gpu } = get();
      const job: JobStatus = {
        id,
        kind,
        state: 'running',
        fraction: 0,
        stage: 'starting',
        message: null,
        ms: null,
      };
      const patch: Partial<TrainingState> = { job };
      // The job's own result starts empty; the others stay on the page.
      if (kind === 'train') patch.train = null;
      if (kind === 'sweep') patch.sweep = null;
      if (kind === 'contrast') patch.contrast = null;
      set(patch);
      client.post({ type: 'start', id, job: kind, settings, gpu });
    },

    pause() {
      const job = get().job;
      if (job?.state !== 'running') return;
      client.post({ type: 'pause', id: job.id });
      set({ job: { ...job, state: 'paused' } });
    },

    resume() {
      const job = get().job;
      if (job?.state !== 'paused') return;
      client.post({ type: 'resume', id: job.id });
      set({ job: { ...job, state: 'running' } });
    },

    cancel() {
      const job = get().job;
      if (job?.state !== 'running' && job?.state !== 'paused') return;
      client.post({ type: 'cancel', id: job.id });
      // A new id for nothing: late messages of the cancelled job are dropped.
      lastId++;
      set({ job: { ...job, state: 'cancelled' } });
    },

    dismissProblems() {
      set({ problems: [] });
    },

    fail(message) {
      const job = get().job;
      set({
        workerFailure: message,
        job:
          job && (job.state === 'running' || job.state === 'paused')
            ? { ...job, state: 'error', message }
            : job,
      });
    },

    handle(message) {
      const job = get().job;
      if (!job || message.id !== job.id) return;
      if (job.state !== 'running' && job.state !== 'paused') return;
      switch (message.type) {
        case 'engine':
          set({ engine: message.info, engineNote: message.note ?? null });
          return;
        case 'progress':
          set({
            job: { ...job, fraction: message.fraction, stage: message.stage },
            [message.job]: message.data,
          } as Partial<TrainingState>);
          return;
        case 'done':
          set({
            job: { ...job, state: 'done', fraction: 1, stage: 'done', ms: message.ms },
            [message.job]: message.data,
          } as Partial<TrainingState>);
          return;
        case 'error':
          set({
            job: {
              ...job,
              state: message.cancelled ? 'cancelled' : 'error',
              message: message.cancelled ? null : message.message,
            },
          });
          return;
      }
    },
  }));
}

/** The page's worker client: the worker starts on the first job. */
function createWorkerClient(
  onMessage: (message: FromTrainingWorker) => void,
  onFailure: (message: string) => void,
): TrainingClient {
  let worker: Worker | null = null;
  return {
    post(message) {
      if (!worker) {
        worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), {
          type: 'module',
          name: 'training',
        });
        worker.onmessage = (event: MessageEvent<FromTrainingWorker>) => onMessage(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          onFailure(event.message || 'the training worker stopped');
          worker?.terminate();
        };
      }
      worker.postMessage(message);
    },
  };
}

let instance: TrainingStore | null = null;

/** The page's training store (one per page), bound to the worker and to back/forward. */
export function getTrainingStore(): TrainingStore {
  if (instance) return instance;
  const store = createTrainingStore(
    createWorkerClient(
      (message) => store.getState().handle(message),
      (message) => store.getState().fail(message),
    ),
    window.location.search,
  );
  instance = store;
  window.addEventListener('popstate', () => {
    const query = window.location.search;
    if (pageViewOf(query) !== 'train') {
      store.getState().setView('figure', 'none');
      return;
    }
    const { settings, problems } = trainingFromQuery(query);
    const state = store.getState();
    const changed = !sameTraining(settings, state.settings) || (!state.train && !state.job);
    store.setState({ problems, view: 'train' });
    if (changed) state.setSettings(settings, { history: 'none' });
  });
  Object.assign(window, { __trainingStore: store });
  return store;
}
