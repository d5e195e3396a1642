// The app's one store (zustand/vanilla, framework-free): settings, results and status. React
// renders controls from narrow selectors; plots subscribe directly and redraw without React.

import { createStore } from 'zustand/vanilla';
import type { EngineInfo } from '../engine/types';
import {
  ASK_FIRST_MS,
  type Calibration,
  type Job,
  type JobEstimate,
} from '../experiments/estimate';
import { type PanelResult, type PanelSpec, planPanels } from '../experiments/figure';
import {
  FIGURE1,
  type FigureSettings,
  PRESETS,
  sameSettings,
  type UrlProblem,
  withBlocks,
} from '../experiments/settings';
import {
  atWidth,
  liveFrameSettings,
  type TracePoint,
  tracePoint,
  transitionWidths,
} from '../experiments/transition';

import type {
  Agreement,
  AnalysisKind,
  AnalysisResults,
  FromWorker,
  GpuStatus,
} from '../worker/protocol';

/** What the store needs from the compute side (a worker in the app, a fake in tests). */
export interface ComputeClient {
  /**
   * `askAboveMs`: see ToWorker (protocol.ts); a job estimated over it answers 'ask' ('skipped' for
   * a live frame). `live`: a frame of a gesture (see liveChange): the worker asks nobody.
   */
  compute(id: number, settings: FigureSettings, askAboveMs?: number | null, live?: boolean): void;
  analyse(
    kind: AnalysisKind,
    id: number,
    settings: FigureSettings,
    askAboveMs?: number | null,
  ): void;
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

/** A job the worker did not start: its estimate passed the threshold, the reader is asked. */
export interface PendingAsk {
  job: Job;
  /** The request id (figure) or analysis id the answer applies to. */
  id: number;
  estimate: JobEstimate;
}

/** Test hook: `window.__askFirstThresholdMs`, a number of milliseconds, replaces ASK_FIRST_MS. */
export function askFirstThresholdMs(): number {
  const hook = (globalThis as { __askFirstThresholdMs?: unknown }).__askFirstThresholdMs;
  return typeof hook === 'number' && hook >= 0 ? hook : ASK_FIRST_MS;
}

const ASK_OFF_KEY = 'bottleneck.askFirstOff';

function readAskOff(): boolean {
  try {
    return globalThis.sessionStorage?.getItem(ASK_OFF_KEY) === '1';
  } catch {
    return false;
  }
}

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
  /** Settings of the figure on screen: of the last request that finished (live frames too). */
  shownSettings: FigureSettings | null;
  /**
   * Ids of panels a live frame left out (the σ contrast panel): their curves are of an earlier
   * width until the gesture ends.
   */
  stalePanels: string[];
  /** The last request was cancelled by the reader (the status line says so). */
  cancelled: boolean;
  /**
   * Jobs estimated over the threshold and not started, oldest first: the dialog asks about the
   * first (Run anyway / Don't run). The figure's request stays `computing` while it is asked.
   */
  asks: PendingAsk[];
  /** The estimate of the figure being computed, when the worker made one (for the time left). */
  estimate: JobEstimate | null;
  /** The current settings' figure the reader chose not to run; the last figure stays on screen. */
  notRun: JobEstimate | null;
  /** The measurement of the engine in use, once made. */
  calibration: Calibration | null;
  /** "Don't ask again" for this session (sessionStorage): every job runs. */
  askFirstOff: boolean;
  setAskFirstOff(off: boolean): void;
  /** Run anyway: starts the job of the first ask. */
  confirmRun(): void;
  /** Don't run: drops the first ask; a figure keeps the last finished one on screen. */
  declineRun(): void;
  /** Runs the figure of `notRun` (the status line's button), without asking again. */
  runNotRun(): void;
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
  /**
   * A frame of a gesture (a slider dragged, a key held on a slider or number box): the controls
   * show `next` at once; the figure follows (docs/live.md). At most one frame is in flight; while
   * one is, the newest settings wait and go when it is done, so every frame reaches the screen.
   * A frame leaves the σ contrast panel (a grid, the slow one) as it was, marked stale, and asks
   * nobody; the URL follows each finished frame (the first pushes a history entry, the others
   * replace it), so it always names the figure on screen.
   */
  liveChange(next: FigureSettings): void;
  /** The end of a gesture: the whole figure for `next`, in the gesture's one history entry. */
  commitChange(next: FigureSettings): void;
  /**
   * Watching the transition (docs/live.md): while `playing`, live frames step every block's
   * width up the log ladder of `widths` and back, one seed throughout, until stopped; `trace`
   * holds each finished frame's sizes (Theorem 2's non-multilinear part, |c_B|, |c_{B+1}|).
   */
  transition: TransitionState;
  /** Starts or stops the transition (a stop draws the whole figure where it is). */
  toggleTransition(): void;
  setTransitionSpeed(speed: number): void;
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

export interface TransitionState {
  playing: boolean;
  /** 0.25–4: frames per second relative to the normal pace. */
  speed: number;
  /** With reduced motion or motion=0: one step per doubling of m, held. */
  steps: boolean;
  widths: number[];
  trace: TracePoint[];
}

/** Milliseconds between frames at speed 1: gliding, or holding each step (reduced motion). */
export const TRANSITION_FRAME_MS = { glide: 120, step: 1200 } as const;

/** The reader asked for less motion (the OS setting). */
const prefersReducedMotion = (): boolean =>
  typeof window !== 'undefined' &&
  typeof window.matchMedia === 'function' &&
  window.matchMedia('(prefers-reduced-motion: reduce)').matches;

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

/**
 * The threshold a new job is sent with: none in presentation mode (the slides have no dialog) or
 * after "Don't ask again"; else ASK_FIRST_MS (or the test hook's value).
 */
function askAbove(state: AppState): number | null {
  if (state.askFirstOff || state.settings.present) return null;
  return askFirstThresholdMs();
}

export function createAppStore(
  client: ComputeClient,
  initial: { settings?: FigureSettings; problems?: UrlProblem[] } = {},
  onHistory?: (settings: FigureSettings, mode: 'push' | 'replace') => void,
) {
  const start = initial.settings ?? FIGURE1;
  let lastAnalysisId = 0;
  /**
   * The gesture in progress: the live frame in flight (its request id, the settings it was asked
   * for, where its panels go in the full plan), the newest settings waiting for it, and whether
   * the gesture has its history entry yet.
   */
  const live = {
    id: -1,
    requested: null as FigureSettings | null,
    slots: [] as number[],
    pending: null as FigureSettings | null,
    pushed: false,
  };
  /** The transition's clock: the next frame's timer, where it is on the ladder, and its pace. */
  const player = {
    timer: null as ReturnType<typeof setTimeout> | null,
    index: 0,
    direction: 1,
    frameStarted: 0,
  };
  const endGesture = () => {
    live.id = -1;
    live.requested = null;
    live.pending = null;
    live.pushed = false;
  };
  return createStore<AppState>()((set, get) => {
    /**
     * What every new figure request resets: its id, no progress, error or estimate yet, and no
     * analyses or asks (the worker cancels the running analyses when it gets the request).
     */
    const newRequest = (id: number): Partial<AppState> => ({
      requestId: id,
      progress: null,
      cancelled: false,
      error: null,
      analyses: {},
      asks: [],
      estimate: null,
      notRun: null,
    });
    /** A request for the whole figure of `next` (every panel), written to the URL at once. */
    const startRequest = (next: FigureSettings, mode: 'push' | 'replace' | 'none') => {
      const id = get().requestId + 1;
      set({
        ...newRequest(id),
        settings: next,
        presetId: matchPreset(next),
        // Nothing answers once the worker has failed: do not promise a result.
        computing: get().workerFailure === null,
      });
      if (mode !== 'none') onHistory?.(next, mode);
      client.compute(id, next, askAbove(get()));
    };
    /**
     * One live frame: the figure of `next` without the σ contrast panel (a grid: the slow one; it
     * follows when the hand rests), asking nobody (a frame over the threshold is skipped).
     */
    const sendFrame = (next: FigureSettings) => {
      const id = get().requestId + 1;
      live.id = id;
      live.requested = next;
      live.pending = null;
      const full = planPanels(next);
      const frame = liveFrameSettings(next);
      live.slots = planPanels(frame).map((p) => full.findIndex((q) => q.id === p.id));
      set({ ...newRequest(id), computing: true });
      client.compute(id, frame, askAbove(get()), true);
    };
    /** liveChange without stopping the transition (its own frames come through here). */
    const liveFrame = (next: FigureSettings) => {
      const state = get();
      if (state.workerFailure !== null) return;
      if (sameSettings(next, state.settings) && state.requestId > 0) {
        set({ settings: next });
        return;
      }
      set({ settings: next, presetId: matchPreset(next) });
      // One frame in flight: the newest settings wait for it.
      if (state.computing && live.id === state.requestId) {
        live.pending = next;
        return;
      }
      sendFrame(next);
    };
    /** The next step of the transition: every block one notch along the ladder (bouncing). */
    const stepTransition = () => {
      player.timer = null;
      const { transition, settings } = get();
      if (!transition.playing || transition.widths.length < 2) return;
      const last = transition.widths.length - 1;
      if (player.index + player.direction > last || player.index + player.direction < 0)
        player.direction = -player.direction;
      player.index += player.direction;
      player.frameStarted = performance.now();
      liveFrame(atWidth(settings, transition.widths[player.index]));
    };
    /** A frame of the transition is on screen: trace it, and schedule the next at the pace. */
    const transitionFrameShown = () => {
      const { transition, results, settings } = get();
      if (!transition.playing) return;
      const point = tracePoint(results.find((r) => r?.panel.id === 'all') ?? null, settings.blocks);
      const trace =
        point && !transition.trace.some((p) => p.width === point.width)
          ? [...transition.trace, point].sort((a, b) => a.width - b.width)
          : transition.trace;
      set({ transition: { ...transition, trace } });
      const interval =
        (transition.steps ? TRANSITION_FRAME_MS.step : TRANSITION_FRAME_MS.glide) /
        transition.speed;
      const wait = Math.max(0, interval - (performance.now() - player.frameStarted));
      if (player.timer !== null) clearTimeout(player.timer);
      player.timer = setTimeout(stepTransition, wait);
    };
    /** Stops the clock (not the frame in flight); `playing` false. */
    const haltTransition = () => {
      if (player.timer !== null) clearTimeout(player.timer);
      player.timer = null;
      const { transition } = get();
      if (transition.playing) set({ transition: { ...transition, playing: false } });
    };
    /** After a live frame finished (or was skipped): the newest waiting settings go next. */
    const nextFrame = () => {
      const waiting = live.pending;
      live.pending = null;
      if (waiting) sendFrame(waiting);
    };
    /**
     * The messages of a live frame: its panels go to their places in the full plan, and every
     * panel keeps its last result until the frame replaces it (nothing blanks while the hand
     * moves). The URL follows the finished frame.
     */
    const handleFrame = (message: FromWorker) => {
      const state = get();
      switch (message.type) {
        case 'plan': {
          const requested = live.requested ?? state.settings;
          const panels = planPanels(requested);
          const previous = new Map(
            state.results.flatMap((r) => (r ? [[r.panel.id, r] as const] : [])),
          );
          set({
            panels,
            results: panels.map((p) => previous.get(p.id) ?? null),
            // The panels this frame leaves out (the σ contrast) keep an older width's curves.
            stalePanels: panels.filter((_, i) => !live.slots.includes(i)).map((p) => p.id),
            resultSettings: requested,
            computing: true,
          });
          return;
        }
        case 'progress':
          set({ progress: { fraction: message.fraction, stage: message.stage } });
          return;
        case 'panel': {
          const slot = live.slots[message.index] ?? message.index;
          const results = state.results.slice();
          results[slot] = message.result;
          const id = state.panels[slot]?.id;
          set({ results, stalePanels: state.stalePanels.filter((p) => p !== id) });
          return;
        }
        case 'done': {
          const shown = state.resultSettings;
          set({
            computing: false,
            progress: null,
            estimate: null,
            lastMs: message.ms,
            shownSettings: shown,
            lastFigure: {
              panels: state.panels,
              results: state.results,
              resultSettings: shown,
              lastMs: message.ms,
            },
          });
          if (shown) onHistory?.(shown, live.pushed ? 'replace' : 'push');
          live.pushed = true;
          live.id = -1;
          nextFrame();
          transitionFrameShown();
          return;
        }
        case 'ask':
          // Over the threshold: no frame for these settings; the release asks as usual.
          set({ computing: false, progress: null, estimate: null });
          live.id = -1;
          nextFrame();
          // The transition does not go wider than the engine affords without asking.
          if (get().transition.playing) player.direction = -1;
          transitionFrameShown();
          return;
        case 'error':
          endGesture();
          haltTransition();
          set({
            computing: false,
            progress: null,
            estimate: null,
            error: { message: message.message, field: message.field },
          });
          return;
        default:
          return;
      }
    };
    return {
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
      shownSettings: null,
      stalePanels: [],
      cancelled: false,
      asks: [],
      estimate: null,
      notRun: null,
      calibration: null,
      askFirstOff: readAskOff(),
      setAskFirstOff(off) {
        set({ askFirstOff: off });
        try {
          if (off) globalThis.sessionStorage?.setItem(ASK_OFF_KEY, '1');
          else globalThis.sessionStorage?.removeItem(ASK_OFF_KEY);
        } catch {
          // no storage: the choice lasts as long as the page
        }
      },
      confirmRun() {
        const [ask, ...rest] = get().asks;
        if (!ask) return;
        set({ asks: rest });
        const state = get();
        if (ask.job === 'figure') {
          if (ask.id === state.requestId && state.computing)
            client.compute(ask.id, state.settings, null);
          return;
        }
        const analysis = state.analyses[ask.job];
        if (analysis?.id === ask.id && analysis.running)
          client.analyse(ask.job, ask.id, state.settings, null);
      },
      declineRun() {
        const [ask, ...rest] = get().asks;
        if (!ask) return;
        const state = get();
        if (ask.job === 'figure') {
          if (ask.id !== state.requestId) return set({ asks: rest });
          // The worker started nothing: the last figure stays, the settings stay to be changed.
          set({
            asks: rest,
            computing: false,
            progress: null,
            estimate: null,
            notRun: ask.estimate,
          });
          return;
        }
        // As if it had never been asked for (a cancelled analysis would read as failed).
        const analyses = { ...state.analyses };
        if (analyses[ask.job]?.id === ask.id) delete analyses[ask.job];
        set({ asks: rest, analyses });
      },
      runNotRun() {
        const state = get();
        if (!state.notRun || state.workerFailure !== null) return;
        const id = state.requestId + 1;
        set({
          requestId: id,
          computing: true,
          progress: null,
          cancelled: false,
          error: null,
          estimate: state.notRun,
          notRun: null,
          asks: [],
          analyses: {},
        });
        client.compute(id, state.settings, null);
      },
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
        set({
          analyses: { ...get().analyses, [kind]: fresh },
          asks: get().asks.filter((a) => a.job !== kind),
        });
        if (!failed) client.analyse(kind, id, get().settings, askAbove(get()));
      },

      liveChange(next) {
        // The reader's hand overrides the transition.
        haltTransition();
        liveFrame(next);
      },
      commitChange(next) {
        haltTransition();
        const mode = live.pushed ? 'replace' : 'push';
        const state = get();
        // The last frame was already the whole figure of `next` (no σ panel left stale).
        const frameIsWhole =
          !state.computing &&
          state.shownSettings !== null &&
          sameSettings(state.shownSettings, next) &&
          state.stalePanels.length === 0;
        endGesture();
        if (frameIsWhole) {
          set({ settings: next, presetId: matchPreset(next) });
          onHistory?.(next, mode);
          return;
        }
        startRequest(next, mode);
      },
      transition: {
        playing: false,
        speed: 1,
        steps: false,
        widths: [],
        trace: [],
      },
      toggleTransition() {
        const state = get();
        if (state.transition.playing) {
          haltTransition();
          // Where it stopped, the whole figure (the σ panel too), in the play's history entry.
          get().commitChange(get().settings);
          return;
        }
        if (state.workerFailure !== null) return;
        const steps = !state.settings.motion || prefersReducedMotion();
        const widths = transitionWidths(state.settings, {
          rate: state.calibration?.rate ?? null,
          steps,
        });
        // From the narrowest width up: the network grows.
        const index = 0;
        player.index = index;
        player.direction = index >= widths.length - 1 ? -1 : 1;
        player.frameStarted = performance.now();
        set({ transition: { ...state.transition, playing: true, steps, widths, trace: [] } });
        endGesture();
        liveFrame(atWidth(state.settings, widths[index]));
        // Already there (no frame to wait for): step at once.
        if (!get().computing) transitionFrameShown();
      },
      setTransitionSpeed(speed) {
        const transition = get().transition;
        set({ transition: { ...transition, speed: Math.min(4, Math.max(0.25, speed)) } });
      },
      setSettings(next, options = {}) {
        const mode = options.history ?? 'push';
        // View settings only: redraw what is there (a request in flight carries on).
        if (sameSettings(next, get().settings) && get().requestId > 0) {
          set({ settings: next });
          if (mode !== 'none') onHistory?.(next, mode);
          return;
        }
        endGesture();
        haltTransition();
        startRequest(next, mode);
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
        // While the reader is asked, Cancel and Esc mean "Don't run".
        if (state.asks.length > 0) {
          state.declineRun();
          return true;
        }
        if (get().transition.playing) {
          haltTransition();
          if (!state.busy()) return true;
        }
        if (!state.busy()) return false;
        endGesture();
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
          case 'calibration':
            set({ calibration: message.calibration });
            return;
          case 'ask':
          case 'estimate': {
            const { job } = message.estimate;
            // A live frame over the threshold is skipped, never asked about.
            if (message.type === 'ask' && job === 'figure' && message.id === live.id)
              return handleFrame(message);
            const current = job === 'figure' ? null : state.analyses[job];
            // Only for the request or analysis still waiting for it.
            const waiting =
              job === 'figure'
                ? message.id === state.requestId && state.computing
                : current?.id === message.id && current.running;
            if (!waiting) return;
            if (message.type === 'estimate') {
              if (job === 'figure') set({ estimate: message.estimate });
              return;
            }
            const ask = { job, id: message.id, estimate: message.estimate };
            set({ asks: [...state.asks.filter((a) => a.job !== job), ask] });
            return;
          }
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
              asks: [],
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
        if (message.id === live.id) return handleFrame(message);
        switch (message.type) {
          case 'plan':
            set({
              panels: message.panels,
              results: message.panels.map(() => null),
              stalePanels: [],
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
              estimate: null,
              lastMs: message.ms,
              shownSettings: state.resultSettings,
              stalePanels: [],
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
              estimate: null,
              error: { message: message.message, field: message.field },
            });
            break;
        }
      },
    };
  });
}
